/**
 * Lowering of tunnel filters (SPEC S-T4). A field-filter object is the conjunction of its
 * fields, in a fixed field order (so key order in the file never changes the IR); a single
 * field is that field's filter; an empty object is an empty `and`, which matches every tunnel.
 */
import type { FilterDoc, StringFilterDoc } from "../syntax/model.ts";
import type { LowerContext } from "./lower-context.ts";
import { at } from "./lower-context.ts";
import { lowerStringMatch } from "./lower-match.ts";
import type { Canonicalize } from "./lower-match.ts";
import { lowerCountryList, lowerIpList } from "./lower-values.ts";
import { LABEL_PRESENT } from "./types.ts";
import type { BooleanField, FilterIr, StringField } from "./types.ts";

const STRING_FIELDS: readonly StringField[] = [
  "id",
  "name",
  "protocol",
  "hostname",
  "status",
  "tls_min_version",
  "type",
  "http_version",
  "client_id",
  "user_id",
];
const BOOLEAN_FIELDS: readonly BooleanField[] = [
  "publish",
  "token_auth",
  "rstream_auth",
  "challenge_mode",
  "mtls_auth",
];

type FieldFiltersDoc = Exclude<FilterDoc, { AND: FilterDoc[] } | { OR: FilterDoc[] }>;

/** Host names compare case-insensitively. */
const lowerCase: Canonicalize = (value) => value.toLowerCase();

/**
 * Each filter field's place in the IR (string fields, labels, booleans, lists): the order the
 * conjunction is built in, whatever the key order of the file.
 */
const FIELD_RANK: ReadonlyMap<string, number> = new Map([
  ...STRING_FIELDS.map((f, i) => [f, i] as const),
  ["labels", STRING_FIELDS.length],
  ...BOOLEAN_FIELDS.map((f, i) => [f, STRING_FIELDS.length + 1 + i] as const),
  ["trusted_ips", STRING_FIELDS.length + 1 + BOOLEAN_FIELDS.length],
  ["geo_ip", STRING_FIELDS.length + 2 + BOOLEAN_FIELDS.length],
]);

function byRank(a: string, b: string): number {
  return (FIELD_RANK.get(a) ?? 0) - (FIELD_RANK.get(b) ?? 0);
}

function byKey([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lowerLabels(
  labels: Readonly<Record<string, StringFilterDoc | null>>,
  pointer: string,
  ctx: LowerContext,
  out: FilterIr[],
): void {
  const entries = Object.entries(labels);
  if (entries.length > 1) entries.sort(byKey);
  for (let i = 0; i < entries.length; i++) {
    const [key, written] = entries[i] as [string, StringFilterDoc | null];
    // A token may write `null`: the label is present, whatever its value (S-T4).
    const match =
      written === null ? LABEL_PRESENT : lowerStringMatch(written, at(pointer, key), ctx);
    out.push({ kind: "label", key, match });
  }
}

/**
 * The fields of one filter object, in rank order. Driven by the object's own keys (usually a
 * few) rather than by every known field, so a filter costs what it names. Keys that are not
 * filter fields cannot reach here: the schema closed the object.
 */
function lowerFields(doc: FieldFiltersDoc, pointer: string, ctx: LowerContext): FilterIr[] {
  const out: FilterIr[] = [];
  const keys = Object.keys(doc);
  if (keys.length > 1) keys.sort(byRank);
  // Index loops: this runs for every filter, mostly before the JIT has optimized it, and a
  // `for … of` allocates an iterator and a result per step until then.
  for (let k = 0; k < keys.length; k++) {
    const field = keys[k] as keyof FieldFiltersDoc;
    const value = doc[field];
    if (value === undefined) continue;
    const rank = FIELD_RANK.get(field);
    if (rank === undefined) continue;
    if (rank < STRING_FIELDS.length) {
      const canonical = field === "hostname" ? lowerCase : undefined;
      const match = lowerStringMatch(value as StringFilterDoc, at(pointer, field), ctx, canonical);
      out.push({ kind: "string", field: field as StringField, match });
    } else if (field === "labels") {
      lowerLabels(value as Record<string, StringFilterDoc | null>, at(pointer, "labels"), ctx, out);
    } else if (field === "trusted_ips") {
      const ips = lowerIpList(value as string[], at(pointer, "trusted_ips"), ctx);
      if (ips !== null) out.push({ kind: "ips", within: ips });
    } else if (field === "geo_ip") {
      const countries = lowerCountryList(value as string[], at(pointer, "geo_ip"), ctx);
      if (countries !== null) out.push({ kind: "countries", within: countries });
    } else {
      out.push({ kind: "boolean", field: field as BooleanField, value: value as boolean });
    }
  }
  return out;
}

/** Lowers a filter tree. */
export function lowerFilter(doc: FilterDoc, pointer: string, ctx: LowerContext): FilterIr {
  if ("AND" in doc && Array.isArray(doc.AND)) {
    return {
      kind: "and",
      children: doc.AND.map((c, i) => lowerFilter(c, at(at(pointer, "AND"), i), ctx)),
    };
  }
  if ("OR" in doc && Array.isArray(doc.OR)) {
    return {
      kind: "or",
      children: doc.OR.map((c, i) => lowerFilter(c, at(at(pointer, "OR"), i), ctx)),
    };
  }
  const fields = lowerFields(doc as FieldFiltersDoc, pointer, ctx);
  return fields.length === 1 ? (fields[0] as FilterIr) : { kind: "and", children: fields };
}
