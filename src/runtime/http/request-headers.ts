/**
 * The request's header fields, read once (SPEC S-R1, S-R16, S-R17, S-R18, S-R20): hop-by-hop
 * fields and every field `Connection` names are dropped before policy; a repeated `Host` or
 * `Authorization`, an upgrade other than `websocket`, or too many fields is refused. What is
 * left is both what the decision reads and the base of what is forwarded.
 */
import { METHOD_OVERRIDE_HEADERS } from "../../ir/method-override.ts";

/** More fields than this is 431 (S-R18); Node's own cap (2000) would drop the rest silently. */
export const MAX_HEADER_FIELDS = 100;

/** Fields that only concern one connection (RFC 9110 §7.6.1); never policy input, never forwarded. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Headers that ask an upstream framework to treat the request as another method (S-R17). */
export { METHOD_OVERRIDE_HEADERS };

/** A header block that cannot be served. */
export interface HeaderRefusal {
  readonly status: 400 | 431;
  readonly reason: string;
  readonly detail: string;
}

/** The header fields a request is decided on. */
export interface DecidedHeaders {
  /** `[name, value, …]` as received, minus hop-by-hop and `Connection`-listed fields. */
  readonly fields: readonly string[];
  /** The lower-case name of each pair of `fields`, in order (the forward rewrite reads them). */
  readonly lowerNames: readonly string[];
  /** The same fields by lower-case name; repeats joined (`; ` for Cookie, `, ` otherwise). */
  readonly byName: Readonly<Record<string, string>>;
  /** The one `Host` value, when there is one. */
  readonly host: string | undefined;
  /** `Upgrade: websocket` was asked for (the only upgrade forwarded, S-R16). */
  readonly websocket: boolean;
  /** A method-override header was sent (stripped before forwarding; logout refuses it, S-R12). */
  readonly methodOverride: boolean;
  /**
   * The fields every request's facts read, as `byName` has them (repeats joined the same
   * way). HOT PATH: plain properties read where `byName` is a record built per request.
   */
  readonly authorization: string | undefined;
  readonly cookie: string | undefined;
  readonly accept: string | undefined;
  readonly forwardedFor: string | undefined;
  readonly origin: string | undefined;
  readonly referer: string | undefined;
  readonly contentType: string | undefined;
}

/**
 * The by-name record's constructor. No prototype chain reaches `Object.prototype`, so a field
 * named `__proto__` or `constructor` is just a field; unlike `Object.create(null)`, whose
 * objects start as hash tables, its objects keep V8's fast shape.
 */
// SAFETY: a plain function used as a constructor; its `prototype` is replaced just below.
const FieldsByName = function FieldsByName() {} as unknown as {
  new (): Record<string, string>;
  prototype: unknown;
};
FieldsByName.prototype = Object.create(null);

/** What the reading does with a field, by its lower-case name. */
const PLAIN = 0;
const HOP = 1;
const HOST = 2;
const AUTHORIZATION = 3;
const OVERRIDE = 4;
const COOKIE = 5;
const ACCEPT = 6;
const FORWARDED_FOR = 7;
const ORIGIN = 8;
const REFERER = 9;
const CONTENT_TYPE = 10;

/** A field name the reading knows: its lower-case spelling (one shared string) and its role. */
interface KnownName {
  readonly lower: string;
  readonly role: number;
}

/**
 * Known field names by spelling: each under its lower-case name and its usual capitalised
 * one (`User-Agent`), which between them are what HTTP/1.1 clients send. HOT PATH: a known
 * name costs one Map read, no `toLowerCase` (a new string every time) and no further set
 * lookups; its lower-case name is one interned string, which later lookups hash for free.
 */
const KNOWN = new Map<string, KnownName>();

function know(lower: string, role: number): void {
  const known: KnownName = { lower, role };
  KNOWN.set(lower, known);
  KNOWN.set(
    lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()),
    known,
  );
}
for (const name of HOP_BY_HOP) know(name, HOP);
for (const name of METHOD_OVERRIDE_HEADERS) know(name, OVERRIDE);
know("host", HOST);
know("authorization", AUTHORIZATION);
know("cookie", COOKIE);
know("accept", ACCEPT);
know("x-forwarded-for", FORWARDED_FOR);
know("origin", ORIGIN);
know("referer", REFERER);
know("content-type", CONTENT_TYPE);
for (const name of [
  "user-agent",
  "accept-language",
  "accept-encoding",
  "cache-control",
  "pragma",
  "content-length",
  "if-none-match",
  "if-modified-since",
  "upgrade-insecure-requests",
  "dnt",
  "priority",
  "x-requested-with",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-real-ip",
  "forwarded",
  "sec-fetch-site",
  "sec-fetch-mode",
  "sec-fetch-user",
  "sec-fetch-dest",
  "sec-ch-ua",
  "sec-ch-ua-mobile",
  "sec-ch-ua-platform",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
])
  know(name, PLAIN);

function refuse(reason: string, detail: string, status: 400 | 431 = 400): HeaderRefusal {
  return { status, reason, detail };
}

/** `seen` and `value` joined as the by-name record joins repeats. */
function joined(seen: string | undefined, value: string, separator: string): string {
  return seen === undefined ? value : `${seen}${separator}${value}`;
}

/**
 * The decided fields; `byName` is built the first time something asks for it. Filled in by
 * `decidedHeaders` alone (its fields are read-only through `DecidedHeaders`).
 */
class Decided implements DecidedHeaders {
  readonly fields: string[] = [];
  readonly lowerNames: string[] = [];
  host: string | undefined = undefined;
  websocket = false;
  methodOverride = false;
  authorization: string | undefined = undefined;
  cookie: string | undefined = undefined;
  accept: string | undefined = undefined;
  forwardedFor: string | undefined = undefined;
  origin: string | undefined = undefined;
  referer: string | undefined = undefined;
  contentType: string | undefined = undefined;
  #byName: Record<string, string> | undefined = undefined;

  get byName(): Readonly<Record<string, string>> {
    if (this.#byName !== undefined) return this.#byName;
    const byName = new FieldsByName();
    const { fields, lowerNames } = this;
    for (let i = 0; i < lowerNames.length; i++) {
      // SAFETY: one lower-case name per pair of `fields`, i < lowerNames.length
      const lower = lowerNames[i] as string;
      // SAFETY: as above, the pair's value is at 2i + 1
      const value = fields[2 * i + 1] as string;
      byName[lower] = joined(byName[lower], value, lower === "cookie" ? "; " : ", ");
    }
    this.#byName = byName;
    return byName;
  }
}

/**
 * Reads `raw` (Node's `rawHeaders`). HOT PATH: one pass to find `Connection`, one to copy; no
 * allocation per field beyond the kept pair (and the lower-case name of an unknown spelling).
 */
// eslint-disable-next-line complexity -- one pass over the fields reads better than helpers here
export function decidedHeaders(raw: readonly string[]): DecidedHeaders | HeaderRefusal {
  if (raw.length > 2 * MAX_HEADER_FIELDS)
    return refuse("too_many_headers", `more than ${MAX_HEADER_FIELDS} header fields`, 431);
  const listed = connectionListed(raw);
  const d = new Decided();
  const { fields, lowerNames } = d;
  let hosts = 0;
  let authorizations = 0;
  let upgrade: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    // SAFETY: the list holds name/value pairs and the loop stays below its length
    const name = raw[i] as string;
    // SAFETY: as above, every name has its value at i + 1
    const value = raw[i + 1] as string;
    let lower: string;
    let role: number;
    const known = KNOWN.get(name);
    if (known !== undefined) {
      lower = known.lower;
      role = known.role;
    } else {
      lower = name.toLowerCase();
      const byLower = KNOWN.get(lower);
      role = byLower === undefined ? PLAIN : byLower.role;
    }
    if (lower === "upgrade") upgrade = joined(upgrade, value, ", ");
    if (role === HOP || (listed !== null && listed.has(lower))) continue;
    fields.push(name, value);
    lowerNames.push(lower);
    switch (role) {
      case PLAIN:
        break;
      case HOST:
        hosts++;
        d.host = joined(d.host, value, ", ");
        break;
      case AUTHORIZATION:
        authorizations++;
        d.authorization = joined(d.authorization, value, ", ");
        break;
      case OVERRIDE:
        d.methodOverride = true;
        break;
      case COOKIE:
        d.cookie = joined(d.cookie, value, "; ");
        break;
      case ACCEPT:
        d.accept = joined(d.accept, value, ", ");
        break;
      case FORWARDED_FOR:
        d.forwardedFor = joined(d.forwardedFor, value, ", ");
        break;
      case ORIGIN:
        d.origin = joined(d.origin, value, ", ");
        break;
      case REFERER:
        d.referer = joined(d.referer, value, ", ");
        break;
      case CONTENT_TYPE:
        d.contentType = joined(d.contentType, value, ", ");
        break;
    }
  }
  if (hosts > 1) return refuse("duplicate_host", "more than one Host field (S-R1)");
  if (authorizations > 1)
    return refuse("duplicate_authorization", "more than one Authorization field");
  // Only one protocol, and only WebSocket, is ever forwarded; h2c and the rest are refused.
  if (upgrade !== undefined && upgrade.trim().toLowerCase() !== "websocket")
    return refuse("upgrade_refused", "an upgrade to something other than websocket (S-R16)");
  d.websocket = upgrade !== undefined;
  return d;
}

/** The lower-case field names every `Connection` field lists, or null when there is none. */
function connectionListed(raw: readonly string[]): Set<string> | null {
  let listed: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    // SAFETY: the list holds name/value pairs and the loop stays below its length
    const name = raw[i] as string;
    // HOT PATH: the length and the first letter before a lower-case copy is made (`User-Agent`
    // and `Keep-Alive` have this length too).
    if (name.length !== 10 || (name.charCodeAt(0) | 0x20) !== 99 /* c */) continue;
    if (name.toLowerCase() !== "connection") continue;
    // SAFETY: the list holds name/value pairs and the loop stays below its length
    const value = raw[i + 1] as string;
    // HOT PATH: the usual `keep-alive` names a field that is dropped anyway; no set, no split.
    if (HOP_BY_HOP.has(value)) continue;
    for (const token of value.split(",")) {
      const t = token.trim().toLowerCase();
      if (t.length > 0) (listed ??= new Set()).add(t);
    }
  }
  return listed;
}
