/**
 * Sets of characters as sorted, disjoint, inclusive code-point ranges, restricted to the
 * characters a normalized request path can hold. `normalizePath` percent-encodes everything
 * else, so this small universe is the whole alphabet that path patterns are matched over.
 */

/** Sorted, disjoint, non-adjacent inclusive ranges `[lo, hi]`. */
export type CharSet = readonly (readonly [number, number])[];

/** Every character of a normalized path: RFC 3986 `pchar`, `/` and `%` for escapes. */
export const PATH_CHARS: CharSet = normalize(
  [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%"].map(
    (c) => [c.charCodeAt(0), c.charCodeAt(0)] as const,
  ),
);

/** Sorts and merges overlapping or adjacent ranges. */
export function normalize(ranges: readonly (readonly [number, number])[]): CharSet {
  const sorted = [...ranges].filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** The characters in both sets. */
export function intersect(a: CharSet, b: CharSet): CharSet {
  const out: [number, number][] = [];
  for (const [alo, ahi] of a) {
    for (const [blo, bhi] of b) {
      const lo = Math.max(alo, blo);
      const hi = Math.min(ahi, bhi);
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return normalize(out);
}

/** The path characters not in `a`. */
export function complement(a: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of normalize(a)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return intersect(out, PATH_CHARS);
}

/** A set holding one character. */
export function single(codePoint: number): CharSet {
  return [[codePoint, codePoint]];
}

/** Whether `codePoint` is in the set. */
export function has(set: CharSet, codePoint: number): boolean {
  return set.some(([lo, hi]) => lo <= codePoint && codePoint <= hi);
}

// Witnesses should read well: letters first, then digits, then punctuation, and never `%`,
// which would start an escape.
const PREFERRED = "xyzabcdefghijklmnopqrstuvwABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~.";

/**
 * Splits the path alphabet into classes that no set in `sets` tells apart, and picks one
 * readable representative character per class. Two characters of one class behave alike in
 * every automaton built from these sets.
 */
export function alphabetClasses(sets: readonly CharSet[]): readonly string[] {
  const classes = new Map<string, number[]>();
  for (const [lo, hi] of PATH_CHARS) {
    for (let cp = lo; cp <= hi; cp++) {
      const key = sets.map((s) => (has(s, cp) ? "1" : "0")).join("");
      const members = classes.get(key) ?? [];
      members.push(cp);
      classes.set(key, members);
    }
  }
  return [...classes.values()].map((members) => {
    const preferred = [...PREFERRED].find((c) => members.includes(c.charCodeAt(0)));
    // SAFETY: a class is made with its first member, so it is never empty.
    return preferred ?? String.fromCharCode(members[0] as number);
  });
}
