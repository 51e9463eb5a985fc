/**
 * Our own path-glob → RegExp translator (STYLE 9.4 rule 6: policy text never becomes a regex
 * raw). A glob is a path whose segments may be wildcards:
 *
 * - a segment that is exactly `*` matches one non-empty segment;
 * - `*` inside a segment (`*.json`, `v*`) matches any run of characters other than `/`;
 * - a segment that is exactly `**` matches zero or more whole segments;
 * - everything else is literal (escaped), in the same canonical form as `normalizePath`.
 *
 * Limits keep matching linear-ish on hostile paths: at most two `**` segments and two `*` in
 * one segment, and a bounded pattern length.
 */
import { hasDotOrEmptySegment, normalizePath } from "./path-normalize.ts";

/** The result of compiling a glob. */
export type GlobResult =
  { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly reason: string };

export const MAX_GLOB_LENGTH = 512;
const MAX_GLOBSTARS = 2;
const MAX_STARS_PER_SEGMENT = 2;

/** Escapes every character that has a meaning in a `u`-flag RegExp. */
function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

function segmentSource(segment: string): string | { reason: string } {
  if (segment === "*") return "/[^/]+";
  if (segment.includes("**")) return { reason: "`**` must be a whole segment, as in `/api/**`" };
  const parts = segment.split("*");
  if (parts.length - 1 > MAX_STARS_PER_SEGMENT) {
    return { reason: `a segment may hold at most ${MAX_STARS_PER_SEGMENT} \`*\`` };
  }
  return `/${parts.map(escapeRegex).join("[^/]*")}`;
}

function fail(reason: string): GlobResult {
  return { ok: false, reason };
}

/** Translates a glob pattern into an anchored RegExp over normalized paths. */
export function compileGlob(pattern: string): GlobResult {
  if (!pattern.startsWith("/")) return fail("a path glob starts with `/`");
  if (pattern.length > MAX_GLOB_LENGTH)
    return fail(`a path glob is at most ${MAX_GLOB_LENGTH} characters`);
  if (/[?#]/.test(pattern)) return fail("a path glob holds no query (`?`) or fragment (`#`)");
  if (hasDotOrEmptySegment(pattern)) return fail("a path glob has no `.`, `..` or empty segments");
  const normalized = normalizePath(pattern);
  if (!normalized.ok) return fail(normalized.reason);
  // Consecutive `**` segments mean the same as one.
  const segments = normalized.path
    .split("/")
    .slice(1)
    .filter((s, i, all) => !(s === "**" && all[i - 1] === "**"));
  if (segments.filter((s) => s === "**").length > MAX_GLOBSTARS) {
    return fail(`a path glob may hold at most ${MAX_GLOBSTARS} \`**\` segments`);
  }
  let source = "";
  for (const [index, segment] of segments.entries()) {
    if (segment === "**") {
      source += index === segments.length - 1 ? "(?:/.*)?" : "(?:/[^/]+)*";
      continue;
    }
    const part = segmentSource(segment);
    if (typeof part !== "string") return fail(part.reason);
    source += part;
  }
  return { ok: true, regex: new RegExp(`^${source}$`, "u") };
}
