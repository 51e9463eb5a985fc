/**
 * Structural equality and keys of IR values that ignore source positions (`origin`, `spans`).
 * Unlike `equalIr`/`irKey`, they keep `source`, which inside a grant is a regex's text and
 * must never be ignored; and equality stops at the first difference, which matters when
 * comparing 10,000 tunnels that are mostly equal in their first fields.
 */

const POSITION_KEYS: ReadonlySet<string> = new Set(["origin", "spans"]);

/** A canonical text key, equal exactly for values `sameValue` calls equal. */
export function valueKey(value: unknown): string {
  return JSON.stringify(value, (k, v: unknown) => {
    if (POSITION_KEYS.has(k)) return undefined;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** Whether a key holds a source position (`POSITION_KEYS`), without a set lookup. */
function isPositionKey(key: string): boolean {
  return key === "origin" || key === "spans";
}

/**
 * True when `a` and `b` are equal up to spans; `ignore` names further keys to skip. Loops
 * rather than `every` and `Object.keys`: a diff of two 10,000-tunnel versions compares every
 * tunnel (~30 objects each) and every grant, and allocated a key array per object.
 */
export function sameValue(
  a: unknown,
  b: unknown,
  ignore: ReadonlySet<string> = POSITION_KEYS,
): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const isArray = Array.isArray(a);
  if (isArray !== Array.isArray(b)) return false;
  return isArray
    ? sameItems(a as readonly unknown[], b as readonly unknown[])
    : sameFields(a as Record<string, unknown>, b as Record<string, unknown>, ignore);
}

function sameItems(xs: readonly unknown[], ys: readonly unknown[]): boolean {
  if (xs.length !== ys.length) return false;
  for (let i = 0; i < xs.length; i++) if (!sameValue(xs[i], ys[i])) return false;
  return true;
}

/** Whether a key is left out of the comparison: a position, or one of `ignore`. */
function skipped(key: string, ignore: ReadonlySet<string>): boolean {
  return isPositionKey(key) || (ignore !== POSITION_KEYS && ignore.has(key));
}

function sameFields(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
  ignore: ReadonlySet<string>,
): boolean {
  // A key missing on one side reads as `undefined` on it. `for…in` also lists inherited
  // enumerable keys, which the own-key test leaves out (as `Object.keys` did).
  for (const k in a) {
    if (!Object.hasOwn(a, k) || skipped(k, ignore)) continue;
    if (!sameValue(a[k], b[k])) return false;
  }
  for (const k in b) {
    if (!Object.hasOwn(b, k) || skipped(k, ignore) || Object.hasOwn(a, k)) continue;
    if (b[k] !== undefined) return false;
  }
  return true;
}

/** Position keys plus what only the edge stage reads of a tunnel (S-O1 layer 1). */
export const EDGE_ONLY_KEYS: ReadonlySet<string> = new Set([
  ...POSITION_KEYS,
  "ipRules",
  "allowedIps",
  "countryRules",
  "allowedCountries",
  "tls",
]);
