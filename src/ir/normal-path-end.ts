/**
 * The one-pass check that a path is already in normal form (what `normalizePath` would return
 * unchanged), shared by the compiled path matcher and the runtime's reading of a request
 * target: both take the fast path only where this says the text reads as itself.
 */

/**
 * RFC 3986 `pchar` minus escapes, plus `/`: the characters `normalizePath` keeps raw (1 each,
 * by code below 128; `isPlainPath` reads it too).
 */
export const RAW_SAFE = new Uint8Array(128);
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
 * Where the path part of `raw` ends (at its first `?` or `#`, else at its length) when that
 * part starts with `/` and is already normal: raw-safe characters only, no `//`, no `.` or
 * `..` segment, no segment starting `.;` or `..;`; else -1. The caller bounds the length.
 * HOT PATH: one scan, no allocation.
 */
export function normalPathEnd(raw: string): number {
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
      if (last) return i;
      segmentStart = i + 1;
    } else if (c >= 128 || RAW_SAFE[c] !== 1) {
      return -1;
    }
  }
  return -1;
}
