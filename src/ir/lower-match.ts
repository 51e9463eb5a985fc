/**
 * Lowering of string and path matches (SPEC S-T4, S-T5): a bare string is an exact match,
 * `oneof` lists are sorted and deduplicated, regexes must be in the safe subset, path
 * literals are normalized the way request paths are, globs must compile.
 */
import type { PathFilterDoc, StringFilterDoc } from "../syntax/model.ts";
import { compileGlob, normalizePolicyPath } from "./path.ts";
import { isPlainPath } from "./path-normalize.ts";
import type { Span } from "../diagnostics/span.ts";
import type { LowerContext, SpanScope } from "./lower-context.ts";
import { canonicalList, lazyAt, sortUniqueInPlace } from "./lower-context.ts";
import { checkSafeRegex } from "./regex-safety.ts";
import { invalidGlob, invalidPath, unsafeRegex } from "./semantic-diagnostics.ts";
import type { PathMatchIr, StringMatchIr } from "./types.ts";

/**
 * Maps each literal value to its canonical form, or reports and returns `null`. The value is
 * member `key` of the value whose spans `parent` holds (`parent`'s own value when `key` is
 * absent): its span is only read to report.
 */
export type Canonicalize = (
  value: string,
  ctx: LowerContext,
  parent: SpanScope,
  key?: string | number,
) => string | null;

function valueSpan(parent: SpanScope, key: string | number | undefined): Span | undefined {
  return key === undefined ? parent.own() : parent.member(key);
}

const asIs: Canonicalize = (value) => value;

/** A regex match, written as member `regex` of the value whose spans `scope` holds. */
function checkedRegex(source: string, scope: SpanScope, ctx: LowerContext): StringMatchIr {
  const checked = checkSafeRegex(source);
  if (!checked.ok) ctx.report(unsafeRegex(scope.member("regex"), source, checked.reason));
  return { kind: "regex", source };
}

/** A list of literals, whose spans `list` holds. */
function literals(
  values: readonly string[],
  list: SpanScope,
  ctx: LowerContext,
  canonical: Canonicalize,
): readonly string[] {
  // HOT PATH: nearly every value is written in canonical form, and then the list is the
  // document's own (no copy); the first value that is not starts a copy.
  let i = 0;
  let changed: string | null = null;
  for (; i < values.length; i++) {
    // SAFETY: i < values.length, the loop's bound.
    const value = values[i] as string;
    changed = canonical(value, ctx, list, i);
    if (changed !== value) break;
  }
  if (i === values.length) return canonicalList(values);
  const out = values.slice(0, i);
  if (changed !== null) out.push(changed);
  for (i++; i < values.length; i++) {
    // SAFETY: i < values.length, the loop's bound.
    const value = canonical(values[i] as string, ctx, list, i);
    if (value !== null) out.push(value);
  }
  return sortUniqueInPlace(out);
}

/**
 * A string field match, written as member `key` of the value whose spans `parent` holds;
 * `canonical` normalizes literal values (lower-cases hosts …).
 */
export function lowerStringMatch(
  doc: StringFilterDoc,
  ctx: LowerContext,
  parent: SpanScope,
  key: string | number,
  canonical: Canonicalize = asIs,
): StringMatchIr {
  if (typeof doc === "string")
    return { kind: "exact", value: canonical(doc, ctx, parent, key) ?? doc };
  const scope = lazyAt(parent, key);
  if ("exact" in doc)
    return { kind: "exact", value: canonical(doc.exact, ctx, scope, "exact") ?? doc.exact };
  if ("oneof" in doc)
    return { kind: "oneof", values: literals(doc.oneof, lazyAt(scope, "oneof"), ctx, canonical) };
  return checkedRegex(doc.regex, scope, ctx);
}

const policyPath: Canonicalize = (value, ctx, parent, key) => {
  // HOT PATH: a plain path (no dot, escape, query or `//`) is valid and canonical as written,
  // which is what `normalizePolicyPath` would say, at the cost of a result object.
  if (isPlainPath(value)) return value;
  const normalized = normalizePolicyPath(value);
  if (normalized.ok) return normalized.path;
  ctx.report(invalidPath(valueSpan(parent, key), value, normalized.reason));
  return null;
};

const glob: Canonicalize = (pattern, ctx, parent, key) => {
  const compiled = compileGlob(pattern);
  if (!compiled.ok) {
    ctx.report(invalidGlob(valueSpan(parent, key), pattern, compiled.reason));
    return null;
  }
  // The pattern is kept in the canonical spelling of its literal parts.
  const normalized = normalizePolicyPath(pattern);
  return normalized.ok ? normalized.path : pattern;
};

/**
 * A request-path match (`connect.params.path`), written as member `key` of the value whose
 * spans `parent` holds.
 */
export function lowerPathMatch(
  doc: PathFilterDoc,
  ctx: LowerContext,
  parent: SpanScope,
  key: string | number,
): PathMatchIr {
  if (typeof doc === "object" && "prefix" in doc) {
    const list = lazyAt(lazyAt(parent, key), "prefix");
    return { kind: "prefix", values: literals(doc.prefix, list, ctx, policyPath) };
  }
  if (typeof doc === "object" && "glob" in doc) {
    const list = lazyAt(lazyAt(parent, key), "glob");
    return { kind: "glob", patterns: literals(doc.glob, list, ctx, glob) };
  }
  return lowerStringMatch(doc, ctx, parent, key, policyPath);
}
