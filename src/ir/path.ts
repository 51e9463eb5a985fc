/**
 * Request paths for path-scoped grants (SPEC S-T5): normalization (in `path-normalize.ts`),
 * globs (in `glob.ts`) and the reference matcher that the interpreter and the tests use.
 * The rules and the reasons for them are in `docs/path-normalization.md`.
 */
import { compileGlob } from "./glob.ts";
import type { GlobResult } from "./glob.ts";
import { hasDotOrEmptySegment, normalizePath } from "./path-normalize.ts";
import { checkSafeRegex } from "./regex-safety.ts";
import type { PathMatchIr } from "./types.ts";

export { compileGlob, MAX_GLOB_LENGTH } from "./glob.ts";
export type { GlobResult } from "./glob.ts";
export { MAX_PATH_LENGTH, normalizePath, removeDotSegments } from "./path-normalize.ts";
export type { NormalizedPath } from "./path-normalize.ts";

/** The result of normalizing a literal path written in a policy (exact, oneof, prefix). */
export type PolicyPathResult =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/**
 * Normalizes a literal path from a policy (an `exact`, `oneof` or `prefix` value) into the
 * form request paths are compared in. A policy path must already be unambiguous: it may not
 * hold dot segments or empty segments, since a grant should say what it means.
 */
export function normalizePolicyPath(path: string): PolicyPathResult {
  if (!path.startsWith("/")) return { ok: false, reason: "a path starts with `/`" };
  if (hasDotOrEmptySegment(path)) {
    return { ok: false, reason: "a path has no `.`, `..` or empty segments" };
  }
  if (path.includes("?") || path.includes("#")) {
    return { ok: false, reason: "a path holds no query (`?`) or fragment (`#`)" };
  }
  return normalizePath(path);
}

/**
 * Prefix matching on segment boundaries: `/api` and `/api/` both match `/api`, `/api/` and
 * `/api/x`, never `/apix`. The prefix `/` matches every path.
 */
export function prefixMatches(prefix: string, normalizedPath: string): boolean {
  const base = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  if (base === "") return true;
  return normalizedPath === base || normalizedPath.startsWith(`${base}/`);
}

// Matchers compiled from policy text, cached by source; bounded so hostile token churn
// cannot grow them without limit.
const MAX_CACHED = 4096;
const globCache = new Map<string, GlobResult>();
const regexCache = new Map<string, RegExp | null>();

function cached<T>(cache: Map<string, T>, key: string, build: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined || cache.has(key)) return hit as T;
  const value = build();
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
  return value;
}

/** Whether a glob matches a normalized path; an invalid glob matches nothing. */
export function globMatches(pattern: string, normalizedPath: string): boolean {
  const glob = cached(globCache, pattern, () => compileGlob(pattern));
  return glob.ok && glob.regex.test(normalizedPath);
}

/** Whether a regex (searched, not anchored) matches; an unsafe or invalid regex matches nothing. */
export function regexMatches(source: string, normalizedPath: string): boolean {
  const regex = cached(regexCache, source, () => {
    const checked = checkSafeRegex(source);
    return checked.ok ? checked.regex : null;
  });
  return regex !== null && regex.test(normalizedPath);
}

/**
 * The reference path matcher: does a grant's path restriction allow a normalized path
 * (without the query string)? Policy values in `match` are normalized already (lowering does
 * it); the caller passes a path that `normalizePath` accepted. Regexes are searched (S-T5).
 */
export function pathMatches(match: PathMatchIr, normalizedPath: string): boolean {
  switch (match.kind) {
    case "exact":
      return match.value === normalizedPath;
    case "oneof":
      return match.values.includes(normalizedPath);
    case "prefix":
      return match.values.some((p) => prefixMatches(p, normalizedPath));
    case "glob":
      return match.patterns.some((p) => globMatches(p, normalizedPath));
    case "regex":
      return regexMatches(match.source, normalizedPath);
  }
}

/**
 * Whether a grant's path restriction allows a raw request path. No restriction allows every
 * path; a path that `normalizePath` refuses matches no restriction (fail closed).
 */
export function requestPathAllowed(match: PathMatchIr | null, rawPath: string): boolean {
  if (match === null) return true;
  const normalized = normalizePath(rawPath);
  return normalized.ok && pathMatches(match, normalized.path);
}
