/**
 * Lowering of string and path matches (SPEC S-T4, S-T5): a bare string is an exact match,
 * `oneof` lists are sorted and deduplicated, regexes must be in the safe subset, path
 * literals are normalized the way request paths are, globs must compile.
 */
import type { PathFilterDoc, StringFilterDoc } from "../syntax/model.ts";
import { compileGlob, normalizePolicyPath } from "./path.ts";
import { isPlainPath } from "./path-normalize.ts";
import type { LowerContext } from "./lower-context.ts";
import { at, canonicalList, sortUniqueInPlace } from "./lower-context.ts";
import { checkSafeRegex } from "./regex-safety.ts";
import { invalidGlob, invalidPath, unsafeRegex } from "./semantic-diagnostics.ts";
import type { PathMatchIr, StringMatchIr } from "./types.ts";

/**
 * Maps each literal value to its canonical form, or reports and returns `null`. The value is
 * written at `parent` (member `key` of it, when given): the pointer is only built to report.
 */
export type Canonicalize = (
  value: string,
  ctx: LowerContext,
  parent: string,
  key?: string | number,
) => string | null;

function valuePointer(parent: string, key: string | number | undefined): string {
  return key === undefined ? parent : at(parent, key);
}

const asIs: Canonicalize = (value) => value;

function checkedRegex(source: string, pointer: string, ctx: LowerContext): StringMatchIr {
  const checked = checkSafeRegex(source);
  if (!checked.ok) ctx.report(unsafeRegex(ctx.span(pointer), source, checked.reason));
  return { kind: "regex", source };
}

function literals(
  values: readonly string[],
  pointer: string,
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
    changed = canonical(value, ctx, pointer, i);
    if (changed !== value) break;
  }
  if (i === values.length) return canonicalList(values);
  const out = values.slice(0, i);
  if (changed !== null) out.push(changed);
  for (i++; i < values.length; i++) {
    // SAFETY: i < values.length, the loop's bound.
    const value = canonical(values[i] as string, ctx, pointer, i);
    if (value !== null) out.push(value);
  }
  return sortUniqueInPlace(out);
}

/** A string field match; `canonical` normalizes literal values (lower-cases hosts …). */
export function lowerStringMatch(
  doc: StringFilterDoc,
  pointer: string,
  ctx: LowerContext,
  canonical: Canonicalize = asIs,
): StringMatchIr {
  if (typeof doc === "string") return { kind: "exact", value: canonical(doc, ctx, pointer) ?? doc };
  if ("exact" in doc)
    return { kind: "exact", value: canonical(doc.exact, ctx, pointer, "exact") ?? doc.exact };
  if ("oneof" in doc)
    return { kind: "oneof", values: literals(doc.oneof, at(pointer, "oneof"), ctx, canonical) };
  return checkedRegex(doc.regex, at(pointer, "regex"), ctx);
}

const policyPath: Canonicalize = (value, ctx, parent, key) => {
  // HOT PATH: a plain path (no dot, escape, query or `//`) is valid and canonical as written,
  // which is what `normalizePolicyPath` would say, at the cost of a result object.
  if (isPlainPath(value)) return value;
  const normalized = normalizePolicyPath(value);
  if (normalized.ok) return normalized.path;
  ctx.report(invalidPath(ctx.span(valuePointer(parent, key)), value, normalized.reason));
  return null;
};

const glob: Canonicalize = (pattern, ctx, parent, key) => {
  const compiled = compileGlob(pattern);
  if (!compiled.ok) {
    ctx.report(invalidGlob(ctx.span(valuePointer(parent, key)), pattern, compiled.reason));
    return null;
  }
  // The pattern is kept in the canonical spelling of its literal parts.
  const normalized = normalizePolicyPath(pattern);
  return normalized.ok ? normalized.path : pattern;
};

/** A request-path match (`connect.params.path`). */
export function lowerPathMatch(
  doc: PathFilterDoc,
  pointer: string,
  ctx: LowerContext,
): PathMatchIr {
  if (typeof doc === "object" && "prefix" in doc) {
    return { kind: "prefix", values: literals(doc.prefix, at(pointer, "prefix"), ctx, policyPath) };
  }
  if (typeof doc === "object" && "glob" in doc) {
    return { kind: "glob", patterns: literals(doc.glob, at(pointer, "glob"), ctx, glob) };
  }
  return lowerStringMatch(doc, pointer, ctx, policyPath);
}
