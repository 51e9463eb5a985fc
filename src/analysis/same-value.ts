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

/** True when `a` and `b` are equal up to spans; `ignore` names further keys to skip. */
export function sameValue(
  a: unknown,
  b: unknown,
  ignore: ReadonlySet<string> = POSITION_KEYS,
): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i], POSITION_KEYS));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  // A key missing on one side reads as `undefined` on it. No key set is built: `diff` compares
  // every tunnel of two 10,000-tunnel versions with this.
  for (const k of Object.keys(ra)) {
    if (ignore.has(k) || POSITION_KEYS.has(k)) continue;
    if (!sameValue(ra[k], rb[k], POSITION_KEYS)) return false;
  }
  for (const k of Object.keys(rb)) {
    if (ignore.has(k) || POSITION_KEYS.has(k) || Object.hasOwn(ra, k)) continue;
    if (rb[k] !== undefined) return false;
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
