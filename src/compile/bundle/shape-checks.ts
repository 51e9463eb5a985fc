/**
 * Small hand-written shape checks for untrusted JSON, built once into closures. They exist for
 * speed: a 10,000-tunnel bundle is checked in tens of milliseconds from a cold start, where a
 * schema compiler (ajv) first spends about half a second compiling and warming up. The zod
 * schema in `schema.ts` stays the reference definition; a property test holds the two equal.
 */

/** A check: null when the value fits, else the first problem, prefixed by its path. */
export type ShapeCheck = (value: unknown, path: string) => string | null;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function at(path: string): string {
  return path === "" ? "the top level" : `\`${path}\``;
}

function join(path: string, key: string | number): string {
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
    Number.isSafeInteger(value) && (value as number) >= min
      ? null
      : `${at(path)}: expected an integer ≥ ${min}`;
}

/** One of the given literal values. */
export function oneOf(...allowed: readonly (string | number)[]): ShapeCheck {
  const set = new Set<unknown>(allowed);
  return (value, path) =>
    set.has(value) ? null : `${at(path)}: expected one of ${allowed.join(", ")}`;
}

export function nullable(check: ShapeCheck): ShapeCheck {
  return (value, path) => (value === null ? null : check(value, path));
}

export function array(item: ShapeCheck): ShapeCheck {
  return (value, path) => {
    if (!Array.isArray(value)) return `${at(path)}: expected an array`;
    for (let i = 0; i < value.length; i++) {
      const problem = item(value[i], join(path, i));
      if (problem !== null) return problem;
    }
    return null;
  };
}

/** An object used as a map: every own value passes `item`. */
export function record(item: ShapeCheck): ShapeCheck {
  return (value, path) => {
    if (!isRecord(value)) return `${at(path)}: expected an object`;
    for (const key of Object.keys(value)) {
      const problem = item(value[key], join(path, key));
      if (problem !== null) return problem;
    }
    return null;
  };
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
  const entries = Object.entries(fields).map(
    ([key, f]) => [key, typeof f === "function" ? { check: f, optional: false } : f] as const,
  );
  const known = new Set(Object.keys(fields));
  return (value, path) => {
    if (!isRecord(value)) return `${at(path)}: expected an object`;
    for (const [key, field] of entries) {
      if (!Object.hasOwn(value, key)) {
        if (field.optional) continue;
        return `${at(join(path, key))}: missing`;
      }
      const problem = field.check(value[key], join(path, key));
      if (problem !== null) return problem;
    }
    if (options.loose !== true) {
      for (const key of Object.keys(value))
        if (!known.has(key)) return `${at(join(path, key))}: unknown key`;
    }
    return null;
  };
}

/** A union told apart by its `kind` member. */
export function byKind(variants: Readonly<Record<string, ShapeCheck>>): ShapeCheck {
  const table = new Map(Object.entries(variants));
  return (value, path) => {
    if (!isRecord(value)) return `${at(path)}: expected an object`;
    const kind = value["kind"];
    const check = typeof kind === "string" ? table.get(kind) : undefined;
    if (check === undefined)
      return `${at(join(path, "kind"))}: expected one of ${[...table.keys()].join(", ")}`;
    return check(value, path);
  };
}

/** A check defined later (for recursive shapes). */
export function lazy(get: () => ShapeCheck): ShapeCheck {
  let check: ShapeCheck | null = null;
  return (value, path) => (check ??= get())(value, path);
}
