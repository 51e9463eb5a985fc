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

function lowerFields(doc: FieldFiltersDoc, pointer: string, ctx: LowerContext): FilterIr[] {
  const out: FilterIr[] = [];
  // Index loops here and below: this runs for every filter, mostly before the JIT has
  // optimized it, and a `for … of` allocates an iterator and a result per step until then.
  for (let f = 0; f < STRING_FIELDS.length; f++) {
    const field = STRING_FIELDS[f] as StringField;
    const value = doc[field];
    if (value === undefined) continue;
    const canonical = field === "hostname" ? lowerCase : undefined;
    out.push({
      kind: "string",
      field,
      match: lowerStringMatch(value, at(pointer, field), ctx, canonical),
    });
  }
  if (doc.labels !== undefined) {
    const labels = at(pointer, "labels");
    for (const [key, value] of Object.entries(doc.labels).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )) {
      // A token may write `null`: the label is present, whatever its value (S-T4).
      const written = value as StringFilterDoc | null;
      const match =
        written === null ? LABEL_PRESENT : lowerStringMatch(written, at(labels, key), ctx);
      out.push({ kind: "label", key, match });
    }
  }
  for (let f = 0; f < BOOLEAN_FIELDS.length; f++) {
    const field = BOOLEAN_FIELDS[f] as BooleanField;
    const value = doc[field];
    if (value !== undefined) out.push({ kind: "boolean", field, value });
  }
  // Absent lists are skipped here, so that no pointer is built for them.
  if (doc.trusted_ips !== undefined) {
    const ips = lowerIpList(doc.trusted_ips, at(pointer, "trusted_ips"), ctx);
    if (ips !== null) out.push({ kind: "ips", within: ips });
  }
  if (doc.geo_ip !== undefined) {
    const countries = lowerCountryList(doc.geo_ip, at(pointer, "geo_ip"), ctx);
    if (countries !== null) out.push({ kind: "countries", within: countries });
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
