/** Structural equality and hashing of IR values that ignore source positions. */

const POSITION_KEYS: ReadonlySet<string> = new Set(["origin", "spans", "source"]);

/** A deep copy with every position key removed, for comparisons and goldens. */
export function stripPositions<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => stripPositions(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!POSITION_KEYS.has(k) && v !== undefined) out[k] = stripPositions(v);
    }
    return out as T;
  }
  return value;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** True when two IR values are equal up to spans. */
export function equalIr(a: unknown, b: unknown): boolean {
  return canonical(stripPositions(a)) === canonical(stripPositions(b));
}

/** A canonical text key of an IR value, equal for values that `equalIr` calls equal. */
export function irKey(value: unknown): string {
  return canonical(stripPositions(value));
}
