/**
 * Lowering of string and path matches (SPEC S-T4, S-T5): a bare string is an exact match,
 * `oneof` lists are sorted and deduplicated, regexes must be in the safe subset, path
 * literals are normalized the way request paths are, globs must compile.
 */
import type { PathFilterDoc, StringFilterDoc } from "../syntax/model.ts";
import { compileGlob, normalizePolicyPath } from "./path.ts";
import type { LowerContext } from "./lower-context.ts";
import { at, sortedUnique } from "./lower-context.ts";
import { checkSafeRegex } from "./regex-safety.ts";
import { invalidGlob, invalidPath, unsafeRegex } from "./semantic-diagnostics.ts";
import type { PathMatchIr, StringMatchIr } from "./types.ts";

/** Maps each literal value to its canonical form, or reports and returns `null`. */
type Canonicalize = (value: string, pointer: string) => string | null;

const asIs: Canonicalize = (value) => value;

function checkedRegex(source: string, pointer: string, ctx: LowerContext): StringMatchIr {
  const checked = checkSafeRegex(source);
  if (!checked.ok) ctx.report(unsafeRegex(ctx.span(pointer), source, checked.reason));
  return { kind: "regex", source };
}

function literals(values: readonly string[], pointer: string, canonical: Canonicalize): string[] {
  return sortedUnique(
    values.map((v, i) => canonical(v, at(pointer, i))).filter((v): v is string => v !== null),
  );
}

/** A string field match; `canonical` normalizes literal values (lower-cases hosts …). */
export function lowerStringMatch(
  doc: StringFilterDoc,
  pointer: string,
  ctx: LowerContext,
  canonical: Canonicalize = asIs,
): StringMatchIr {
  if (typeof doc === "string") return { kind: "exact", value: canonical(doc, pointer) ?? doc };
  if ("exact" in doc)
    return { kind: "exact", value: canonical(doc.exact, at(pointer, "exact")) ?? doc.exact };
  if ("oneof" in doc)
    return { kind: "oneof", values: literals(doc.oneof, at(pointer, "oneof"), canonical) };
  return checkedRegex(doc.regex, at(pointer, "regex"), ctx);
}

function policyPath(ctx: LowerContext): Canonicalize {
  return (value, pointer) => {
    const normalized = normalizePolicyPath(value);
    if (normalized.ok) return normalized.path;
    ctx.report(invalidPath(ctx.span(pointer), value, normalized.reason));
    return null;
  };
}

function glob(ctx: LowerContext): Canonicalize {
  return (pattern, pointer) => {
    const compiled = compileGlob(pattern);
    if (!compiled.ok) {
      ctx.report(invalidGlob(ctx.span(pointer), pattern, compiled.reason));
      return null;
    }
    // The pattern is kept in the canonical spelling of its literal parts.
    const normalized = normalizePolicyPath(pattern);
    return normalized.ok ? normalized.path : pattern;
  };
}

/** A request-path match (`connect.params.path`). */
export function lowerPathMatch(
  doc: PathFilterDoc,
  pointer: string,
  ctx: LowerContext,
): PathMatchIr {
  if (typeof doc === "object" && "prefix" in doc) {
    return { kind: "prefix", values: literals(doc.prefix, at(pointer, "prefix"), policyPath(ctx)) };
  }
  if (typeof doc === "object" && "glob" in doc) {
    return { kind: "glob", patterns: literals(doc.glob, at(pointer, "glob"), glob(ctx)) };
  }
  return lowerStringMatch(doc, pointer, ctx, policyPath(ctx));
}
