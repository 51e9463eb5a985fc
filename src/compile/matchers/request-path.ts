/**
 * The request path, normalized once per request for every path matcher (SPEC S-T5). The
 * rules are the IR's `normalizePath` (see docs/path-normalization.md); this module only adds
 * a fast path: a path made of characters a path may hold raw, without `%`, `//`, dot segments
 * or `;` on a dot segment, is already in normal form, so it is returned as it is (up to `?`
 * or `#`). Everything else goes through `normalizePath`.
 */
import { MAX_PATH_LENGTH, normalizePath } from "../../ir/path.ts";

/** RFC 3986 `pchar` minus escapes, plus `/`: the characters `normalizePath` keeps raw. */
const RAW_SAFE = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/") {
  RAW_SAFE[c.charCodeAt(0)] = 1;
}

const SLASH = 47;
const DOT = 46;
const SEMICOLON = 59;
const QUESTION = 63;
const HASH = 35;

/** Whether the segment `raw[start, start + length)`, which starts with `.`, is `.`, `..`, `.;…` or `..;…`. */
function isDotSegment(raw: string, start: number, length: number): boolean {
  const second = length > 1 ? raw.charCodeAt(start + 1) : SLASH;
  if (length === 1 || second === SEMICOLON) return true;
  return second === DOT && (length === 2 || raw.charCodeAt(start + 2) === SEMICOLON);
}

/**
 * Where the path part of `raw` ends (at the first `?` or `#`, else at its length) when that
 * part is already normal: raw-safe characters only, no `//`, no `.` or `..` segment, no
 * segment starting `.;` or `..;`; else -1. One pass. HOT PATH.
 */
function normalPathEnd(raw: string): number {
  const n = raw.length;
  if (n === 0 || raw.charCodeAt(0) !== SLASH) return -1;
  let segmentStart = 1;
  for (let i = 1; i <= n; i++) {
    const c = i < n ? raw.charCodeAt(i) : QUESTION;
    const last = c === QUESTION || c === HASH;
    if (c === SLASH || last) {
      const length = i - segmentStart;
      if (length === 0 && !last) return -1; // `//`
      if (
        length > 0 &&
        raw.charCodeAt(segmentStart) === DOT &&
        isDotSegment(raw, segmentStart, length)
      )
        return -1;
      if (last) return i > MAX_PATH_LENGTH ? -1 : i;
      segmentStart = i + 1;
    } else if (c >= 128 || RAW_SAFE[c] !== 1) {
      return -1;
    }
  }
  return -1;
}

/**
 * The normalized path, or `null` when `normalizePath` refuses it (such a path matches no
 * path restriction: fail closed). Equal to `normalizePath(raw)` in every case.
 */
export function normalizeRequestPath(raw: string): string | null {
  const end = normalPathEnd(raw);
  if (end >= 0) return end === raw.length ? raw : raw.slice(0, end);
  const normalized = normalizePath(raw);
  return normalized.ok ? normalized.path : null;
}
