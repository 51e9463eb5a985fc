/**
 * The bundle writer as it was before issue #19 made it faster, kept word for word as the
 * reference the new writer must match byte for byte when asked for format version 2
 * (`bundle-bytes.test.ts`). Test code only.
 */
import { canonicalJson, sha256Of } from "../../src/compile/bundle/canonical-json.ts";
import { BUNDLE_FORMAT, GENERATOR } from "../../src/compile/bundle/format.ts";

/** The format version this writer wrote (version 3 changed how spans are written). */
const BUNDLE_FORMAT_VERSION = 2;

/** One distinct object or array, found by its structure (hash-consing). */
interface Distinct {
  /** The value's JSON with every nested object or array replaced by `#<id>`: its identity. */
  readonly key: string;
  /** Literal text pieces; `children[i]` goes between `pieces[i]` and `pieces[i + 1]`. */
  readonly pieces: readonly string[];
  readonly children: readonly number[];
  /** The length of its text with nothing shared. */
  readonly length: number;
  /** How often the value's text would be written with this sharing plan. */
  uses: number;
  /** Its index in the shared table, or -1 when written in place. */
  shared: number;
  /** Its text in place, once built. */
  text: string | null;
}

/** Values shorter than this are written in place: a reference would save too little. */
const MIN_SHARED_LENGTH = 16;

/** Finds the distinct objects and arrays under some roots (children get lower ids). */
class DistinctValues {
  readonly all: Distinct[] = [];
  readonly #byKey = new Map<string, number>();

  /** Sorted keys per key list as met (IR objects of one type share one key order). */
  readonly #sortedKeys = new Map<string, readonly string[]>();
  /** `"name":` per member name. */
  readonly #prefixes = new Map<string, string>();
  /**
   * The id of each object already met. The IR refers to one object from many places (a span
   * read once from the span table, a rule set every tunnel inherits): its id is found again
   * without rebuilding its key.
   */
  readonly #byIdentity = new Map<object, number>();

  /** The id of a value's distinct entry, or null for a scalar. */
  add(value: unknown): number | null {
    if (value === null || typeof value !== "object") return null;
    const met = this.#byIdentity.get(value);
    if (met !== undefined) return met;
    const id = this.#addNew(value);
    this.#byIdentity.set(value, id);
    return id;
  }

  #addNew(value: object): number {
    const pieces: string[] = [];
    const children: number[] = [];
    let text: string;
    if (Array.isArray(value)) {
      text = "[";
      for (let i = 0; i < value.length; i++) {
        if (i > 0) text += ",";
        const item: unknown = value[i];
        const child = this.add(item);
        if (child === null) text += JSON.stringify(item) ?? "null";
        else {
          pieces.push(text);
          children.push(child);
          text = "";
        }
      }
      text += "]";
    } else {
      text = "{";
      let first = true;
      for (const name of this.#keysOf(value)) {
        const item = (value as Record<string, unknown>)[name];
        if (item === undefined) continue;
        if (!first) text += ",";
        first = false;
        text += this.#prefixOf(name);
        const child = this.add(item);
        if (child === null) text += JSON.stringify(item);
        else {
          pieces.push(text);
          children.push(child);
          text = "";
        }
      }
      text += "}";
    }
    pieces.push(text);
    // SAFETY: `pieces` always holds one more entry than `children`, so at least one.
    let key = pieces[0] as string;
    let length = key.length;
    for (let i = 0; i < children.length; i++) {
      // SAFETY: i < children.length, and `pieces` has one more entry than `children`.
      const child = children[i] as number;
      // SAFETY: as above.
      const rest = pieces[i + 1] as string;
      key += `#${child}${rest}`;
      length += (this.all[child] as Distinct).length + rest.length;
    }
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    const id = this.all.length;
    this.all.push({ key, pieces, children, length, uses: 0, shared: -1, text: null });
    this.#byKey.set(key, id);
    return id;
  }

  #keysOf(value: object): readonly string[] {
    const keys = Object.keys(value);
    // IR objects are mostly built with their keys in order already: checking that costs less
    // than finding the sorted list again (`<` orders strings as `sort` does, by code unit).
    for (let i = 1; i < keys.length; i++) {
      // SAFETY: 1 <= i < keys.length, the loop's bounds.
      if ((keys[i - 1] as string) > (keys[i] as string)) return this.#sorted(keys);
    }
    return keys;
  }

  #sorted(keys: string[]): readonly string[] {
    // JSON text, not a join: a key may hold any character, so only this is unambiguous.
    const asMet = JSON.stringify(keys);
    let sorted = this.#sortedKeys.get(asMet);
    if (sorted === undefined) this.#sortedKeys.set(asMet, (sorted = keys.sort()));
    return sorted;
  }

  #prefixOf(name: string): string {
    let prefix = this.#prefixes.get(name);
    if (prefix === undefined) this.#prefixes.set(name, (prefix = `${JSON.stringify(name)}:`));
    return prefix;
  }
}

/** The payload's sharing plan and text. */
interface SharedPayloadText {
  /** Canonical JSON text of `{ diagnostics, policies, shared }`. */
  readonly text: string;
  /** Number of values in the shared table. */
  readonly sharedCount: number;
}

/**
 * Decides which values to share: walks parents before children (ids descending), counting how
 * often each value's text would be written. A value written at least twice and long enough is
 * shared, and its own children then count once, not once per use.
 */
function plan(values: DistinctValues, roots: readonly number[]): Distinct[] {
  for (const root of roots) (values.all[root] as Distinct).uses += 1;
  for (let id = values.all.length - 1; id >= 0; id--) {
    const value = values.all[id] as Distinct;
    if (value.uses >= 2 && value.length >= MIN_SHARED_LENGTH) value.shared = 0;
    const written = value.shared === 0 ? 1 : value.uses;
    for (const child of value.children) (values.all[child] as Distinct).uses += written;
  }
  // Children have lower ids, so numbering in id order makes references point backwards.
  const table = values.all.filter((v) => v.shared === 0);
  table.forEach((v, index) => (v.shared = index));
  return table;
}

function inPlace(values: DistinctValues, value: Distinct): string {
  if (value.text !== null) return value.text;
  // SAFETY: `pieces` always holds one more entry than `children`, so at least one.
  let text = value.pieces[0] as string;
  for (let i = 0; i < value.children.length; i++) {
    // SAFETY: i < children.length, each child an index into `values.all`, and `pieces` one longer.
    text += refer(values, values.all[value.children[i] as number] as Distinct);
    // SAFETY: as above.
    text += value.pieces[i + 1] as string;
  }
  value.text = text;
  return text;
}

function refer(values: DistinctValues, value: Distinct): string {
  return value.shared >= 0 ? String(value.shared) : inPlace(values, value);
}

/**
 * Writes `{ diagnostics, policies, shared }` as canonical JSON, sharing repeated objects and
 * arrays inside the policies. `opaque` names policy members written as they are (their
 * contents are not checked field by field on load, so they may not hold references).
 */
function writeSharedPayload(
  policies: readonly object[],
  diagnostics: readonly unknown[],
  canonical: (value: unknown) => string,
  opaque: readonly string[],
): SharedPayloadText {
  const values = new DistinctValues();
  const skipped = new Set(opaque);
  const roots: number[] = [];
  // Per policy, its members in key order: literal text, or the id of a distinct value.
  const members = policies.map((policy) =>
    Object.keys(policy)
      .sort()
      .flatMap((name) => {
        const item = (policy as Record<string, unknown>)[name];
        if (item === undefined) return [];
        const prefix = `${JSON.stringify(name)}:`;
        if (skipped.has(name)) return [{ prefix, text: canonical(item), id: null }];
        const id = values.add(item);
        if (id !== null) roots.push(id);
        return [{ prefix, text: id === null ? (JSON.stringify(item) ?? "null") : "", id }];
      }),
  );
  const table = plan(values, roots);
  const policyTexts = members.map((list) => {
    const parts = list.map(
      (m) => m.prefix + (m.id === null ? m.text : refer(values, values.all[m.id] as Distinct)),
    );
    return `{${parts.join(",")}}`;
  });
  const shared = table.map((v) => inPlace(values, v));
  const text =
    `{"diagnostics":${canonical(diagnostics)},` +
    `"policies":[${policyTexts.join(",")}],` +
    `"shared":[${shared.join(",")}]}`;
  return { text, sharedCount: table.length };
}

/** The bundle text the writer produced before issue #19. */
export function referenceWriteBundle(
  policies: readonly object[],
  diagnostics: readonly unknown[],
): string {
  const payloadText = writeSharedPayload(policies, diagnostics, canonicalJson, ["tests"]).text;
  const head = JSON.stringify({
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    generator: GENERATOR,
    contentHash: sha256Of(payloadText),
  });
  return `${head.slice(0, -1)},"payload":${payloadText}}\n`;
}
