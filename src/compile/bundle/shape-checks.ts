/**
 * Small hand-written shape checks for untrusted JSON, built once into closures. They exist for
 * speed: a 10,000-tunnel bundle is checked in tens of milliseconds from a cold start, where a
 * schema compiler (ajv) first spends about half a second compiling and warming up. The zod
 * schema in `schema.ts` stays the reference definition; a property test holds the two equal.
 */

/**
 * A check: null when the value fits, else the first problem, prefixed by its path. A null
 * path skips building paths (one string per value checked) on the way down; `checkShape`
 * then checks again with paths, to name the problem's place. With a shared table (format
 * version 2), a number where an object or an array is expected is a reference into the
 * table: the container replaces it in place by the checked shared value. Checks that expect
 * an object or an array carry `takesReference`. With a file table too (format version 3), an
 * array where a span is expected (a check carrying `takesSpanTuple`) is a `[file, start, end]`
 * tuple: the container replaces it by the span object.
 */
export type ShapeCheck = ((
  value: unknown,
  path: string | null,
  shared?: SharedTable,
) => string | null) & {
  takesReference?: true;
  takesSpanTuple?: true;
};

/** Checks a value: quickly, then, only when there is a problem, again to name its place. */
export function checkShape(check: ShapeCheck, value: unknown, shared?: SharedTable): string | null {
  if (check(value, null, shared) === null) return null;
  shared?.restartCount();
  return check(value, "", shared);
}

function referable(
  check: (value: unknown, path: string | null, shared?: SharedTable) => string | null,
) {
  return Object.assign(check, { takesReference: true as const });
}

/**
 * The `shared` table of a payload. Each entry is checked once per check it is referred to by,
 * then reused. References may not form a cycle, and the values reachable through them (counted
 * with repetitions) are bounded, so a forged table cannot make consumers walk an exponential
 * tree.
 */
export class SharedTable {
  /** The payload's `files` (format version 3): spans are tuples naming a file by index. */
  readonly files: readonly string[] | null;
  readonly #entries: unknown[];
  /** Per entry: the checks it passed, or IN_PROGRESS while being checked. */
  readonly #passed: (Map<ShapeCheck, number> | typeof IN_PROGRESS | undefined)[];
  #expanded = 0;
  readonly #maxExpanded: number;

  /**
   * `entries` is the parsed `shared` array (checked in place); `maxExpanded` caps the tree;
   * `files` is the checked `files` table of a payload whose spans are tuples.
   */
  constructor(entries: unknown[], maxExpanded: number, files: readonly string[] | null = null) {
    this.files = files;
    this.#entries = entries;
    this.#passed = new Array<undefined>(entries.length);
    this.#maxExpanded = maxExpanded;
  }

  /** Starts counting the expanded tree again (for a second pass over the same payload). */
  restartCount(): void {
    this.#expanded = 0;
  }

  /** Counts one object or array of the expanded tree; false once over the cap. */
  visit(): boolean {
    return ++this.#expanded <= this.#maxExpanded;
  }

  /** The checked entry `index`, or a problem. */
  resolve(index: number, check: ShapeCheck, path: string | null): { value: unknown } | string {
    if (!Number.isInteger(index) || index < 0 || index >= this.#entries.length)
      return `${at(path)}: no shared value ${index}`;
    let passed = this.#passed[index];
    if (passed === IN_PROGRESS) return `${at(path)}: shared value ${index} refers to itself`;
    const size = passed?.get(check);
    if (size !== undefined) {
      this.#expanded += size;
      return this.#expanded <= this.#maxExpanded ? { value: this.#entries[index] } : tooLarge(path);
    }
    this.#passed[index] = IN_PROGRESS;
    const before = this.#expanded;
    const problem = check(this.#entries[index], path === null ? null : `shared.${index}`, this);
    passed ??= new Map();
    this.#passed[index] = passed;
    if (problem !== null) return problem;
    passed.set(check, this.#expanded - before);
    return { value: this.#entries[index] };
  }
}

const IN_PROGRESS = 1;

/** The span a `[file, start, end]` tuple spells, given the payload's file table, or a problem. */
function spanOfTuple(
  tuple: readonly unknown[],
  files: readonly string[],
  path: string | null,
): { file: string; start: number; end: number } | string {
  if (tuple.length !== 3) return `${at(path)}: expected a span [file, start, end]`;
  const [index, start, end] = tuple;
  const file = isOffset(index) ? files[index] : undefined;
  if (file === undefined) {
    // Not String(index): a parsed object may carry a `toString` member that is no function.
    const named = typeof index === "number" ? String(index) : describeIndex(index);
    return `${at(path)}: no file ${named} in \`files\``;
  }
  if (!isOffset(start) || !isOffset(end)) return `${at(path)}: expected offsets ≥ 0`;
  return { file, start, end };
}

function describeIndex(index: unknown): string {
  return typeof index === "string" ? JSON.stringify(index) : `index (${typeof index})`;
}

function isOffset(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** `holder[key] = value`, an own `__proto__` member kept an ordinary member. */
function put(holder: Record<string | number, unknown>, key: string | number, value: unknown): void {
  // defineProperty for `__proto__`, which JSON.parse made an own member: assignment would
  // set the prototype instead.
  if (key === "__proto__")
    Object.defineProperty(holder, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else holder[key] = value;
}

function tooLarge(path: string | null): string {
  return `${at(path)}: the shared values expand to too many values`;
}

/** Checks `holder[key]`, first replacing a reference by its shared value. */
function checkMember(
  holder: Record<string | number, unknown>,
  key: string | number,
  check: ShapeCheck,
  path: string | null,
  shared: SharedTable | undefined,
): string | null {
  const value = holder[key];
  if (shared !== undefined && typeof value === "number" && check.takesReference === true) {
    const resolved = shared.resolve(value, check, path);
    if (typeof resolved === "string") return resolved;
    put(holder, key, resolved.value);
    return null;
  }
  if (check.takesSpanTuple === true && Array.isArray(value) && shared?.files != null) {
    if (!shared.visit()) return tooLarge(path);
    const span = spanOfTuple(value, shared.files, path);
    if (typeof span === "string") return span;
    put(holder, key, span);
    return null;
  }
  return check(value, path, shared);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function at(path: string | null): string {
  if (path === null) return "somewhere";
  return path === "" ? "the top level" : `\`${path}\``;
}

function join(path: string | null, key: string | number): string | null {
  if (path === null) return null;
  return path === "" ? String(key) : `${path}.${key}`;
}

/** Any string (optionally at most `max` UTF-16 units, optionally matching `pattern`). */
export function str(options: { max?: number; pattern?: RegExp } = {}): ShapeCheck {
  return (value, path) => {
    if (typeof value !== "string") return `${at(path)}: expected a string`;
    if (options.max !== undefined && value.length > options.max)
      return `${at(path)}: longer than ${options.max} characters`;
    if (options.pattern !== undefined && !options.pattern.test(value))
      return `${at(path)}: does not match ${options.pattern}`;
    return null;
  };
}

export const bool: ShapeCheck = (value, path) =>
  typeof value === "boolean" ? null : `${at(path)}: expected a boolean`;

export const num: ShapeCheck = (value, path) =>
  typeof value === "number" && Number.isFinite(value) ? null : `${at(path)}: expected a number`;

/** A safe integer, at least `min`. */
export function int(min = Number.MIN_SAFE_INTEGER): ShapeCheck {
  return (value, path) =>
    typeof value === "number" && Number.isSafeInteger(value) && value >= min
      ? null
      : `${at(path)}: expected an integer ≥ ${min}`;
}

/** One of the given literal values. */
export function oneOf(...allowed: readonly (string | number)[]): ShapeCheck {
  const set = new Set<unknown>(allowed);
  return (value, path) =>
    set.has(value) ? null : `${at(path)}: expected one of ${allowed.join(", ")}`;
}

/** null, or a value that passes `check`. */
export function nullable(check: ShapeCheck): ShapeCheck {
  const nullOr: ShapeCheck = (value, path, shared) =>
    value === null ? null : check(value, path, shared);
  if (check.takesSpanTuple === true) nullOr.takesSpanTuple = true;
  return check.takesReference === true ? referable(nullOr) : nullOr;
}

/**
 * A span: `check` (its object form), or, where the payload has a file table, a
 * `[file, start, end]` tuple its container replaces by the object (see `checkMember`).
 */
export function spanTuple(check: ShapeCheck): ShapeCheck {
  const span: ShapeCheck = (value, path, shared) => check(value, path, shared);
  span.takesSpanTuple = true;
  if (check.takesReference === true) span.takesReference = true;
  return span;
}

/** An array whose every item passes `item`. */
export function array(item: ShapeCheck): ShapeCheck {
  return referable((value, path, shared) => {
    if (!Array.isArray(value)) return `${at(path)}: expected an array`;
    if (shared !== undefined && !shared.visit()) return tooLarge(path);
    for (let i = 0; i < value.length; i++) {
      const problem = checkMember(value as Record<number, unknown>, i, item, join(path, i), shared);
      if (problem !== null) return problem;
    }
    return null;
  });
}

/** An object used as a map: every own value passes `item`. */
export function record(item: ShapeCheck): ShapeCheck {
  return referable((value, path, shared) => {
    if (!isRecord(value)) return `${at(path)}: expected an object`;
    if (shared !== undefined && !shared.visit()) return tooLarge(path);
    for (const key of Object.keys(value)) {
      const problem = checkMember(value, key, item, join(path, key), shared);
      if (problem !== null) return problem;
    }
    return null;
  });
}

/** A field of `object`: required unless marked optional. */
export interface Field {
  readonly check: ShapeCheck;
  readonly optional: boolean;
}

/** Marks a field optional (it may be absent; JSON cannot hold `undefined`). */
export function optional(check: ShapeCheck): Field {
  return { check, optional: true };
}

/** A strict object: the listed fields, no others; unknown keys are a problem. */
export function object(
  fields: Readonly<Record<string, ShapeCheck | Field>>,
  options: { loose?: boolean } = {},
): ShapeCheck {
  const keys = Object.keys(fields);
  const checks = keys.map((key) => {
    const f = fields[key] as ShapeCheck | Field;
    return typeof f === "function" ? f : f.check;
  });
  const optionals = keys.map((key) => typeof fields[key] !== "function");
  const known = new Set(keys);
  return referable((value, path, shared) => {
    if (!isRecord(value)) return `${at(path)}: expected an object`;
    if (shared !== undefined && !shared.visit()) return tooLarge(path);
    let present = 0;
    for (let i = 0; i < keys.length; i++) {
      // SAFETY: i < keys.length, the loop's bound.
      const key = keys[i] as string;
      if (!Object.hasOwn(value, key)) {
        if (optionals[i] === true) continue;
        return `${at(join(path, key))}: missing`;
      }
      present++;
      const problem = checkMember(value, key, checks[i] as ShapeCheck, join(path, key), shared);
      if (problem !== null) return problem;
    }
    // Every listed key present was counted, so equal counts mean no unknown key.
    if (options.loose !== true && Object.keys(value).length !== present) {
      for (const key of Object.keys(value))
        if (!known.has(key)) return `${at(join(path, key))}: unknown key`;
    }
    return null;
  });
}

/** A union told apart by its `kind` member. */
export function byKind(variants: Readonly<Record<string, ShapeCheck>>): ShapeCheck {
  const table = new Map(Object.entries(variants));
  return referable((value, path, shared) => {
    if (!isRecord(value)) return `${at(path)}: expected an object`;
    const kind = value["kind"];
    const check = typeof kind === "string" ? table.get(kind) : undefined;
    if (check === undefined)
      return `${at(join(path, "kind"))}: expected one of ${[...table.keys()].join(", ")}`;
    return check(value, path, shared);
  });
}

/**
 * How deep one recursive shape (a filter in a filter, a grant node in a grant node) may nest.
 * The compiler writes what a policy file can hold (a few dozen levels); a forged bundle nested
 * thousands deep would otherwise overflow the stack here, and in the compiler after.
 */
export const MAX_RECURSIVE_DEPTH = 200;

/** A check of an object or array shape defined later (for recursive shapes), nesting bounded. */
export function lazy(get: () => ShapeCheck): ShapeCheck {
  let check: ShapeCheck | null = null;
  let depth = 0;
  return referable((value, path, shared) => {
    if (depth >= MAX_RECURSIVE_DEPTH)
      return `${at(path)}: nested more than ${MAX_RECURSIVE_DEPTH} levels deep`;
    depth++;
    try {
      return (check ??= get())(value, path, shared);
    } finally {
      depth--;
    }
  });
}
