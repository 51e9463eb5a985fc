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

/**
 * True when `raw[0, end)` is already normal: raw-safe characters only, no `//`, no `.` or
 * `..` segment, no segment starting `.;` or `..;`. HOT PATH.
 */
function alreadyNormal(raw: string, end: number): boolean {
  if (end === 0 || raw.charCodeAt(0) !== SLASH || end > MAX_PATH_LENGTH) return false;
  let segmentStart = 1;
  for (let i = 1; i <= end; i++) {
    const c = i < end ? raw.charCodeAt(i) : SLASH;
    if (c === SLASH) {
      const length = i - segmentStart;
      if (length === 0 && i < end) return false; // `//`
      if (raw.charCodeAt(segmentStart) === DOT) {
        // `.`, `..`, `.;…`, `..;…`: dot segments are for the slow path.
        const second = length > 1 ? raw.charCodeAt(segmentStart + 1) : SLASH;
        if (length === 1 || second === SEMICOLON) return false;
        if (second === DOT && (length === 2 || raw.charCodeAt(segmentStart + 2) === SEMICOLON)) {
          return false;
        }
      }
      segmentStart = i + 1;
    } else if (c >= 128 || RAW_SAFE[c] !== 1) {
      return false;
    }
  }
  return true;
}

/** Where the path ends: at the first `?` or `#`, else at its length. */
function pathEnd(raw: string): number {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === QUESTION || c === HASH) return i;
  }
  return raw.length;
}

/**
 * The normalized path, or `null` when `normalizePath` refuses it (such a path matches no
 * path restriction: fail closed). Equal to `normalizePath(raw)` in every case.
 */
export function normalizeRequestPath(raw: string): string | null {
  const end = pathEnd(raw);
  if (alreadyNormal(raw, end)) return end === raw.length ? raw : raw.slice(0, end);
  const normalized = normalizePath(raw);
  return normalized.ok ? normalized.path : null;
}
