/**
 * The bundle envelope's shape, checked by hand: `loadBundle` is on the decision entry's
 * import path (`rampart/decide`), which loads no zod. Unknown keys are refused, as in the
 * payload (a newer writer's field comes with a new format version).
 */

/** The envelope around a bundle's payload. */
export interface BundleEnvelope {
  readonly format: "rampart-bundle";
  readonly formatVersion: number;
  readonly generator: string;
  readonly contentHash: string;
  readonly payload: unknown;
}

const FIELD_TYPES = {
  format: "string",
  formatVersion: "integer",
  generator: "string",
  contentHash: "string",
  payload: "any",
} as const;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

function fieldProblem(key: keyof typeof FIELD_TYPES, value: unknown): string | null {
  const expected = FIELD_TYPES[key];
  if (expected === "any") return value === undefined ? `\`${key}\`: missing` : null;
  if (value === undefined) return `\`${key}\`: missing`;
  const ok = expected === "integer" ? Number.isInteger(value) : typeof value === expected;
  return ok
    ? null
    : `\`${key}\`: expected ${expected === "integer" ? "an integer" : "a string"}, got ${describe(value)}`;
}

/** The envelope, or the first problem with it (a phrase for an RP5002 message). */
export function checkEnvelope(
  value: unknown,
):
  | { readonly ok: true; readonly envelope: BundleEnvelope }
  | { readonly ok: false; readonly problem: string } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, problem: `the top level: expected an object, got ${describe(value)}` };
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(FIELD_TYPES) as (keyof typeof FIELD_TYPES)[]) {
    const problem = fieldProblem(key, record[key]);
    if (problem !== null) return { ok: false, problem };
  }
  if (record["format"] !== "rampart-bundle") {
    return { ok: false, problem: '`format`: expected "rampart-bundle"' };
  }
  const unknown = Object.keys(record).find((key) => !(key in FIELD_TYPES));
  if (unknown !== undefined) return { ok: false, problem: `unknown key \`${unknown}\`` };
  return { ok: true, envelope: record as unknown as BundleEnvelope };
}
