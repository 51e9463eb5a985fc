/**
 * Lowering of tunnel filters (SPEC S-T4). A field-filter object is the conjunction of its
 * fields, in a fixed field order (so key order in the file never changes the IR); a single
 * field is that field's filter; an empty object is an empty `and`, which matches every tunnel.
 */
import type { FilterDoc, StringFilterDoc } from "../syntax/model.ts";
import type { LowerContext, SpanScope } from "./lower-context.ts";
import { lazyAt, sortUniqueInPlace } from "./lower-context.ts";
import { lowerStringMatch } from "./lower-match.ts";
import type { Canonicalize } from "./lower-match.ts";
import { lowerCountryList, lowerIpList } from "./lower-values.ts";
import { LABEL_PRESENT } from "./types.ts";
import { BOOLEAN_FIELDS, STRING_FIELDS } from "./filter-fields.ts";
import type { BooleanField, FilterIr, StringField, UndeclaredFieldValue } from "./types.ts";

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

/** Fields outside `FIELD_RANK` (a token's undeclared ones) come last, by name. */
const UNDECLARED_RANK = FIELD_RANK.size;

function byRank(a: string, b: string): number {
  const ra = FIELD_RANK.get(a) ?? UNDECLARED_RANK;
  const rb = FIELD_RANK.get(b) ?? UNDECLARED_RANK;
  if (ra !== rb || ra !== UNDECLARED_RANK) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The label filters, by key in sorted order (UTF-16 code units, as `sort()` orders them). Keys
 * are read with `for … in`, which visits them in `Object.keys` order and allocates no list on
 * objects of one shape; they are only copied and sorted when not written in order. `scope`
 * holds the spans of the labels object.
 */
function lowerLabels(
  labels: Readonly<Record<string, StringFilterDoc | null>>,
  scope: SpanScope,
  ctx: LowerContext,
  out: FilterIr[],
): void {
  let previous: string | null = null;
  let sorted = true;
  for (const key in labels) {
    if (previous !== null && !(previous < key)) {
      sorted = false;
      break;
    }
    previous = key;
  }
  if (sorted) {
    for (const key in labels) lowerLabel(labels, key, scope, ctx, out);
    return;
  }
  // Label filters name a few keys: sorted by insertion (`sort()` allocates its work state).
  const keys = sortUniqueInPlace(Object.keys(labels));
  // SAFETY: i < keys.length, the loop's bound.
  for (let i = 0; i < keys.length; i++) lowerLabel(labels, keys[i] as string, scope, ctx, out);
}

function lowerLabel(
  labels: Readonly<Record<string, StringFilterDoc | null>>,
  key: string,
  scope: SpanScope,
  ctx: LowerContext,
  out: FilterIr[],
): void {
  // SAFETY: `key` is an own key of `labels`, whose values are filters or `null`.
  const written = labels[key] as StringFilterDoc | null;
  // A token may write `null`: the label is present, whatever its value (S-T4).
  const match = written === null ? LABEL_PRESENT : lowerStringMatch(written, ctx, scope, key);
  out.push({ kind: "label", key, match });
}

/**
 * The fields of one filter object, in rank order. Driven by the object's own keys (usually a
 * few) rather than by every known field, so a filter costs what it names. Keys that are not
 * filter fields cannot reach here: the schema closed the object. `scope` holds its spans.
 */
function lowerFields(doc: FieldFiltersDoc, scope: SpanScope, ctx: LowerContext): FilterIr[] {
  const out: FilterIr[] = [];
  // HOT PATH: fields are nearly always written in rank order (most filters name one or two),
  // and then the keys are visited as they are: `for … in` allocates no key list.
  let previous = -1;
  let inOrder = true;
  for (const field in doc) {
    const rank = FIELD_RANK.get(field) ?? UNDECLARED_RANK;
    // Undeclared fields share a rank and go by name, which only the sort below orders.
    if (rank < previous || (rank === UNDECLARED_RANK && previous === UNDECLARED_RANK)) {
      inOrder = false;
      break;
    }
    previous = rank;
  }
  if (inOrder) {
    for (const field in doc) lowerField(doc, field as keyof FieldFiltersDoc, scope, ctx, out);
    return out;
  }
  // A stable sort by rank: what the visit in order above gives for keys already in order.
  const keys = Object.keys(doc).sort(byRank);
  for (let k = 0; k < keys.length; k++) {
    lowerField(doc, keys[k] as keyof FieldFiltersDoc, scope, ctx, out);
  }
  return out;
}

/** Lowers one field of a filter object into `out`. */
function lowerField(
  doc: FieldFiltersDoc,
  field: keyof FieldFiltersDoc,
  scope: SpanScope,
  ctx: LowerContext,
  out: FilterIr[],
): void {
  const value = doc[field];
  if (value === undefined) return;
  const rank = FIELD_RANK.get(field);
  if (rank === undefined) {
    lowerUndeclared(field, value as UndeclaredFieldValue, scope, ctx, out);
    return;
  }
  if (rank < STRING_FIELDS.length) {
    const canonical = field === "hostname" ? lowerCase : undefined;
    const match = lowerStringMatch(value as StringFilterDoc, ctx, scope, field, canonical);
    out.push({ kind: "string", field: field as StringField, match });
  } else if (field === "labels") {
    const labels = value as Record<string, StringFilterDoc | null>;
    lowerLabels(labels, lazyAt(scope, "labels"), ctx, out);
  } else if (field === "trusted_ips") {
    const ips = lowerIpList(value as string[], ctx, scope.at("trusted_ips"));
    if (ips !== null) out.push({ kind: "ips", within: ips });
  } else if (field === "geo_ip") {
    const countries = lowerCountryList(value as string[], ctx, scope, "geo_ip");
    if (countries !== null) out.push({ kind: "countries", within: countries });
  } else {
    out.push({ kind: "boolean", field: field as BooleanField, value: value as boolean });
  }
}

/**
 * A field of the platform's tunnel object that no Rampart tunnel declares (only a token's
 * filter can name one: its schema checked the value's type, a policy's schema refuses it). It
 * is kept as written and matches no tunnel (S-T4); a regex written for it is still held to the
 * safe subset (S-T5), as every regex of a token is.
 */
function lowerUndeclared(
  field: string,
  value: UndeclaredFieldValue,
  scope: SpanScope,
  ctx: LowerContext,
  out: FilterIr[],
): void {
  if (typeof value === "object" && !Array.isArray(value) && "regex" in value)
    lowerStringMatch(value as StringFilterDoc, ctx, scope, field);
  out.push({ kind: "undeclared", field, value });
}

/** The filters of an `AND` or `OR` list whose spans `list` holds (a loop: no closure per call). */
function lowerChildren(
  children: readonly FilterDoc[],
  list: SpanScope,
  ctx: LowerContext,
): FilterIr[] {
  const out = new Array<FilterIr>(children.length);
  for (let i = 0; i < children.length; i++) {
    out[i] = lowerFilter(children[i] as FilterDoc, ctx, lazyAt(list, i));
  }
  return out;
}

/** Lowers a filter tree; `scope` holds its spans (read only to report a problem). */
export function lowerFilter(doc: FilterDoc, ctx: LowerContext, scope: SpanScope): FilterIr {
  if ("AND" in doc && Array.isArray(doc.AND)) {
    return { kind: "and", children: lowerChildren(doc.AND, lazyAt(scope, "AND"), ctx) };
  }
  if ("OR" in doc && Array.isArray(doc.OR)) {
    return { kind: "or", children: lowerChildren(doc.OR, lazyAt(scope, "OR"), ctx) };
  }
  const fields = lowerFields(doc as FieldFiltersDoc, scope, ctx);
  return fields.length === 1 ? (fields[0] as FilterIr) : { kind: "and", children: fields };
}
