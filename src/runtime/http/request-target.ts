/**
 * The request target, read once (SPEC S-R1…S-R4, S-R15): origin form (or absolute form naming
 * the Host), visible ASCII only, no fragment; the path decoded once, slashes merged and dot
 * segments removed; the query kept as sent minus every spelling of `rstream.token`. The result
 * is what the decision matches AND what is forwarded upstream: there is no second path.
 */
import { isUtf8 } from "node:buffer";
import { normalPathEnd } from "../../ir/normal-path-end.ts";

/** Longer targets are refused with 414 (S-R18); it also bounds every path matcher's work. */
export const MAX_TARGET_LENGTH = 8192;

/** The query parameter that carries an edge token (S-H1); never forwarded in any spelling. */
export const QUERY_TOKEN = "rstream.token";

/** A target that cannot be served: the status and the S-D3-style reason of the refusal. */
export interface TargetRefusal {
  readonly status: 400 | 414;
  readonly reason: string;
  /** For logs only: which rule refused it. */
  readonly detail: string;
}

/** A target read into its canonical parts. */
export interface CanonicalTarget {
  /** The canonical path (`*` for `OPTIONS *`). */
  readonly path: string;
  /** The query to forward, without `?`; "" when there is none left. */
  readonly query: string;
  /** The value of the one `rstream.token` parameter, decoded; null when absent or empty. */
  readonly queryToken: string | null;
  /** The authority of an absolute-form target (lower case), for the Host comparison; else null. */
  readonly authority: string | null;
  /** `path` plus `?query` when there is a query: exactly what the upstream receives. */
  readonly target: string;
}

const HEX = /^[0-9A-Fa-f]{2}$/;
/** Raw path characters other than `.` and `%`: such a path (with no `//`) is already canonical. */
const PLAIN_PATH = /^\/[A-Za-z0-9\-_~!$&'()*+,;=:@/]*$/;
/** Visible ASCII: anything else in a target (space, control, raw non-ASCII) is refused. */
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)(.*)$/i;
/** `%25` then an escape of `.`, `/`, `\` or NUL: a second decoding would make it one. */
const DOUBLE_ENCODED = /%25(?:2E|2F|5C|00)/i;
/** A dot segment carrying a `;` parameter (`..;x`), which Tomcat-style servers resolve as `..`. */
const DOT_WITH_PARAMETER = /^\.\.?(?:;|%3B)/i;
/** Fast exit for a query that cannot hold any spelling of `rstream.token`. */
const MAY_HOLD_TOKEN = /%|rstream\.token/i;

function refuse(reason: string, detail: string, status: 400 | 414 = 400): TargetRefusal {
  return { status, reason, detail };
}

/**
 * Reads a request target. `method` is needed for `*` (OPTIONS only, S-R1). HOT PATH: an
 * origin-form target that is already canonical costs one scan (`plainTarget`).
 */
export function canonicalTarget(target: string, method: string): CanonicalTarget | TargetRefusal {
  return plainTarget(target) ?? generalTarget(target, method);
}

const DOT = 46;
const HASH = 35;
const PERCENT = 37;

/**
 * The reading of an origin-form target that is canonical as sent, or null for any other
 * (the general reading decides those). Canonical here: visible ASCII, no fragment, a path of
 * the characters a normal path keeps raw, with no `//` and no dot segment (`.`, `..`, `.;…`, `..;…`), and a query with
 * neither `%` nor `.` (so no spelling of `rstream.token`). Such a target reads as itself,
 * which is what the general reading gives it (test/runtime/request-target-fast.test.ts checks
 * the two agree). HOT PATH: one scan, no regular expression, no new string without a query.
 */
export function plainTarget(target: string): CanonicalTarget | null {
  const n = target.length;
  if (n > MAX_TARGET_LENGTH) return null;
  const q = normalPathEnd(target);
  if (q < 0 || (q < n && target.charCodeAt(q) === HASH)) return null;
  if (q === n) return { path: target, query: "", queryToken: null, authority: null, target };
  if (!isPlainQuery(target, q + 1)) return null;
  const path = target.slice(0, q);
  if (q === n - 1) return { path, query: "", queryToken: null, authority: null, target: path };
  return { path, query: target.slice(q + 1), queryToken: null, authority: null, target };
}

/** True when `target` from `start` on is visible ASCII without `#`, `%` or `.`. */
function isPlainQuery(target: string, start: number): boolean {
  for (let j = start; j < target.length; j++) {
    const c = target.charCodeAt(j);
    if (c < 0x21 || c > 0x7e || c === HASH || c === PERCENT || c === DOT) return false;
  }
  return true;
}

/** The reading of any target (the rules themselves); `plainTarget` agrees where it answers. */
export function generalTarget(target: string, method: string): CanonicalTarget | TargetRefusal {
  if (target.length > MAX_TARGET_LENGTH)
    return refuse("uri_too_long", `the target is longer than ${MAX_TARGET_LENGTH}`, 414);
  if (!VISIBLE_ASCII.test(target))
    return refuse("bad_request_target", "a space, control or non-ASCII byte in the target");
  if (target.includes("#")) return refuse("bad_request_target", "a fragment in the target (S-R1)");
  let authority: string | null = null;
  let rest = target;
  if (target.charCodeAt(0) !== 47 /* "/" */) {
    if (target === "*") {
      return method === "OPTIONS"
        ? { path: "*", query: "", queryToken: null, authority: null, target: "*" }
        : refuse("bad_request_target", "`*` is only a target for OPTIONS (S-R1)");
    }
    const absolute = ABSOLUTE_FORM.exec(target);
    if (absolute === null) return refuse("bad_request_target", "not origin or absolute form");
    // SAFETY: both groups of ABSOLUTE_FORM always take part in a match
    authority = (absolute[1] as string).toLowerCase();
    // SAFETY: as above
    const tail = absolute[2] as string;
    rest = tail.length === 0 || tail.charCodeAt(0) === 63 /* "?" */ ? `/${tail}` : tail;
    if (rest.charCodeAt(0) !== 47) return refuse("bad_request_target", "not origin form");
  }
  const q = rest.indexOf("?");
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  const path = canonicalPath(rawPath);
  if (typeof path !== "string") return path;
  if (q < 0) return { path, query: "", queryToken: null, authority, target: path };
  const query = withoutTokens(rest.slice(q + 1));
  if (typeof query !== "string" && "status" in query) return query;
  return {
    path,
    query: query.query,
    queryToken: query.token,
    authority,
    target: query.query.length === 0 ? path : `${path}?${query.query}`,
  };
}

/** S-R2 and S-R3 on a path that starts with `/` and holds visible ASCII only. */
export function canonicalPath(raw: string): string | TargetRefusal {
  if (PLAIN_PATH.test(raw) && !raw.includes("//")) return raw;
  if (raw.includes("\\")) return refuse("bad_path", "a raw `\\` (S-R2)");
  const decoded = decodeOnce(raw);
  if (typeof decoded !== "string") return decoded;
  if (DOUBLE_ENCODED.test(decoded)) return refuse("bad_path", "a double-encoded `.`/`/`/`\\`/NUL");
  return resolveDots(decoded);
}

/**
 * S-R2: `%XX` of an unreserved character decoded, other escapes kept with upper-case hex;
 * invalid escapes, encoded `/`, `\`, controls and escapes that are not UTF-8 refused.
 */
function decodeOnce(raw: string): string | TargetRefusal {
  let decoded = "";
  let bytes: number[] | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 37 /* "%" */) {
      // SAFETY: i < raw.length
      decoded += raw[i] as string;
      bytes?.push(c);
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return refuse("bad_path", "an invalid percent-escape (S-R2)");
    const byte = Number.parseInt(hex, 16);
    if (byte === 0x2f || byte === 0x5c)
      return refuse("bad_path", "an encoded `/` or `\\` (S-R2; no tunnel keeps them opaque)");
    if (byte < 0x20 || byte === 0x7f) return refuse("bad_path", "an encoded control (S-R2)");
    bytes ??= [...decoded].map((ch) => ch.charCodeAt(0));
    bytes.push(byte);
    decoded += isUnreserved(byte) ? String.fromCharCode(byte) : `%${hex.toUpperCase()}`;
    i += 2;
  }
  if (bytes !== null && !isUtf8(Uint8Array.from(bytes)))
    return refuse("bad_path", "escapes that are not UTF-8 (S-R2)");
  return decoded;
}

/** S-R3: slashes merged, dot segments removed; `..` above the root and `..;x` refused. */
function resolveDots(decoded: string): string | TargetRefusal {
  const segments = decoded.split("/");
  const out: string[] = [];
  const last = segments.length - 1;
  // segments[0] is the empty string before the leading `/`.
  for (let s = 1; s <= last; s++) {
    // SAFETY: s <= last = segments.length - 1
    const segment = segments[s] as string;
    if (DOT_WITH_PARAMETER.test(segment))
      return refuse("bad_path", "a `;` parameter on a dot segment (S-R3)");
    const dots = segment === ".." ? 2 : segment === "." ? 1 : 0;
    if (dots === 2 && out.pop() === undefined)
      return refuse("bad_path", "`..` above the root (S-R3)");
    // Empty segments merge (`//` is `/`); a trailing one, or a trailing dot segment, leaves
    // the trailing slash.
    if (dots > 0 ? s === last : segment.length > 0 || s === last) out.push(dots > 0 ? "" : segment);
  }
  return `/${out.join("/")}`;
}

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d ||
    byte === 0x2e ||
    byte === 0x5f ||
    byte === 0x7e
  );
}

/**
 * The query without any parameter whose name, once decoded, is `rstream.token` in any case
 * (S-O3, S-R15). Both `&` and `;` separate parameters here, since some servers split on `;`:
 * stripping more is the safe side. Other parameters keep their bytes and separators.
 */
function withoutTokens(query: string): { query: string; token: string | null } | TargetRefusal {
  if (!MAY_HOLD_TOKEN.test(query)) return { query, token: null };
  let kept = "";
  let token: string | null = null;
  let found = 0;
  let any = false;
  let start = 0;
  // The separator written before the current part (none before the first).
  let before = "";
  for (let i = 0; i <= query.length; i++) {
    const c = i < query.length ? query.charCodeAt(i) : -1;
    if (c !== -1 && c !== 38 /* & */ && c !== 59 /* ; */) continue;
    const part = query.slice(start, i);
    const eq = part.indexOf("=");
    const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    if (name !== null && name.toLowerCase() === QUERY_TOKEN) {
      found++;
      if (name === QUERY_TOKEN && eq >= 0) token = decodeComponent(part.slice(eq + 1));
    } else if (name === null && /token/i.test(part)) {
      // A name that does not decode could be anything to the upstream: refuse it.
      return refuse("bad_query", "an undecodable parameter name near `token`");
    } else {
      kept = any ? kept + before + part : part;
      any = true;
    }
    before = c === -1 ? "" : String.fromCharCode(c);
    start = i + 1;
  }
  if (found > 1) return refuse("repeated_token", "`rstream.token` given more than once (S-R15)");
  return { query: kept, token: token === null || token.length === 0 ? null : token };
}

/** `application/x-www-form-urlencoded` decoding of one name or value; null when malformed. */
function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return null;
  }
}
