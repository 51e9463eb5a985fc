/**
 * Request path normalization for path-scoped grants (SPEC S-T5). Decided and explained in
 * `docs/path-normalization.md`: one canonical form that grants are matched against, and a
 * refusal (`ok: false`) for every path that an upstream server could resolve to a different
 * resource than the one we matched. A refused path matches no path grant: fail closed.
 */
import { RAW_SAFE } from "./normal-path-end.ts";

/** The result of normalizing a request path. */
export type NormalizedPath =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/** Longer paths are refused; it also bounds the work of every path matcher. */
export const MAX_PATH_LENGTH = 8192;

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
/** RFC 3986 unreserved characters: decoding them never changes what a server sees. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** Characters a path segment may hold raw (RFC 3986 `pchar` minus escapes), plus `/`. */
const PATH_RAW = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/;
/** `%25` followed by an escape of a character we refuse or resolve: a double encoding. */
const DOUBLE_ENCODED = /%25(?:2E|2F|5C|00)/i;
/** A dot segment with a `;` parameter (`..;`), which servers such as Tomcat resolve as `..`. */
const DOT_WITH_PARAMETER = /^\.\.?(?:;|%3B)/i;
/**
 * A path of raw characters other than `.` (`RAW_SAFE` less `.`: no `%` either) and no `//`
 * has no escape to canonicalize, no dot segment and no slashes to merge, so it is already
 * normal. A table read in one loop rather than a regular expression and a search for `//`:
 * lowering asks it of every path of every grant, and a regular expression's call costs more
 * than the few characters of such a path.
 */
const SLASH = 0x2f;
const DOT = 0x2e;

function fail(reason: string): NormalizedPath {
  return { ok: false, reason };
}

function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

/** Pass 1: one spelling per character: unreserved decoded, other escapes upper-case. */
function canonicalEscapes(path: string): NormalizedPath {
  let out = "";
  let i = 0;
  while (i < path.length) {
    const c = path.charAt(i);
    if (c === "%") {
      const hex = path.slice(i + 1, i + 3);
      if (!HEX_PAIR.test(hex)) return fail(`\`%${hex}\` is not a valid percent-escape`);
      const byte = Number.parseInt(hex, 16);
      if (byte === 0x2f) return fail("an encoded `/` (`%2F`) is resolved differently by servers");
      if (byte === 0x5c) return fail("an encoded `\\` (`%5C`) is resolved differently by servers");
      if (isControl(byte)) return fail(`an encoded control character (\`%${hex}\`) is not allowed`);
      const decoded = String.fromCharCode(byte);
      out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
      i += 3;
      continue;
    }
    const codePoint = path.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(codePoint);
    if (c === "\\") return fail("a `\\` is read as `/` by some servers");
    if (isControl(codePoint)) return fail("a control character is not allowed");
    out += PATH_RAW.test(char) ? char : encodeURIComponent(char);
    i += char.length;
  }
  return { ok: true, path: out };
}

/** RFC 3986 section 5.2.4 on a path that starts with `/` and has no empty segments. */
export function removeDotSegments(path: string): string {
  const segments = path.split("/").slice(1);
  const stack: string[] = [];
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "." || segment === "..") {
      if (segment === "..") stack.pop();
      // A trailing dot segment leaves the path ending in `/` (`/a/b/..` → `/a/`).
      if (last) stack.push("");
    } else {
      stack.push(segment);
    }
  });
  return `/${stack.join("/")}`;
}

/**
 * Normalizes a raw request path (anything from `?` or `#` on is ignored): percent-decodes
 * unreserved characters only, upper-cases other escapes, percent-encodes raw characters that
 * a path may not hold, collapses repeated slashes and removes dot segments. Refuses encoded
 * `/` and `\`, raw `\`, control characters, invalid escapes, double-encoded dots and slashes,
 * `;` parameters on dot segments, and `//` together with a dot segment.
 * Idempotent: normalizing a normalized path returns it unchanged.
 */
export function normalizePath(raw: string): NormalizedPath {
  // HOT PATH: most request paths and every plain policy path take this exit.
  if (isPlainPath(raw)) return { ok: true, path: raw };
  const end = raw.search(/[?#]/);
  const path = end === -1 ? raw : raw.slice(0, end);
  if (!path.startsWith("/")) return fail("the path does not start with `/`");
  if (path.length > MAX_PATH_LENGTH)
    return fail(`the path is longer than ${MAX_PATH_LENGTH} characters`);
  if (!path.isWellFormed()) return fail("the path is not well-formed unicode");
  const escaped = canonicalEscapes(path);
  if (!escaped.ok) return escaped;
  // Checked after decoding, so that `%252%45` (which decodes to `%252E`) is caught too.
  if (DOUBLE_ENCODED.test(escaped.path))
    return fail("a double-encoded `.`, `/`, `\\` or NUL is not allowed");
  const segments = escaped.path.split("/").slice(1);
  if (segments.some((s) => DOT_WITH_PARAMETER.test(s))) {
    return fail("a `;` parameter on a dot segment (`..;`) is resolved as `..` by some servers");
  }
  const hasDot = segments.some((s) => s === "." || s === "..");
  const collapsed = escaped.path.replace(/\/{2,}/g, "/");
  if (hasDot && collapsed !== escaped.path) {
    return fail("`//` before a dot segment resolves differently on servers that merge slashes");
  }
  return { ok: true, path: hasDot ? removeDotSegments(collapsed) : collapsed };
}

/**
 * True when `raw` is a path with nothing to normalize (`normalizePath` returns it as it is):
 * it starts with `/`, holds only raw path characters other than `.` and `%`, and no `//`.
 */
export function isPlainPath(raw: string): boolean {
  const length = raw.length;
  if (length > MAX_PATH_LENGTH || raw.charCodeAt(0) !== SLASH) return false;
  let previous = 0;
  for (let i = 0; i < length; i++) {
    const code = raw.charCodeAt(i);
    if (code >= 128 || code === DOT || RAW_SAFE[code] === 0) return false;
    if (code === SLASH && previous === SLASH) return false;
    previous = code;
  }
  return true;
}

/** True when a pattern or prefix, as written, holds a dot segment or an empty segment. */
export function hasDotOrEmptySegment(path: string): boolean {
  // An empty segment before the last needs `//`; a dot segment needs `.` or `%2E`.
  if (!path.includes("//") && !path.includes(".") && !path.includes("%2")) return false;
  const segments = path.split("/").slice(1);
  return segments.some((segment, index) => {
    const decoded = segment.replace(/%2e/gi, ".");
    // A trailing empty segment is just a trailing slash.
    return decoded === "." || decoded === ".." || (segment === "" && index < segments.length - 1);
  });
}
