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
}

/**
 * The by-name record's constructor. No prototype chain reaches `Object.prototype`, so a field
 * named `__proto__` or `constructor` is just a field; unlike `Object.create(null)`, whose
 * objects start as hash tables, its objects keep V8's fast shape. HOT PATH (issue #20).
 */
// SAFETY: a plain function used as a constructor; its `prototype` is replaced just below.
const FieldsByName = function FieldsByName() {} as unknown as {
  new (): Record<string, string>;
  prototype: unknown;
};
FieldsByName.prototype = Object.create(null);

function refuse(reason: string, detail: string, status: 400 | 431 = 400): HeaderRefusal {
  return { status, reason, detail };
}

/**
 * Reads `raw` (Node's `rawHeaders`). HOT PATH: one pass to find `Connection`, one to copy; no
 * allocation per field beyond the kept pair.
 */
export function decidedHeaders(raw: readonly string[]): DecidedHeaders | HeaderRefusal {
  if (raw.length > 2 * MAX_HEADER_FIELDS)
    return refuse("too_many_headers", `more than ${MAX_HEADER_FIELDS} header fields`, 431);
  const listed = connectionListed(raw);
  const fields: string[] = [];
  const lowerNames: string[] = [];
  const byName = new FieldsByName();
  let hosts = 0;
  let authorizations = 0;
  let upgrade: string | undefined;
  let methodOverride = false;
  for (let i = 0; i < raw.length; i += 2) {
    // SAFETY: the list holds name/value pairs and the loop stays below its length
    const name = raw[i] as string;
    // SAFETY: as above, every name has its value at i + 1
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === "upgrade") upgrade = upgrade === undefined ? value : `${upgrade}, ${value}`;
    if (HOP_BY_HOP.has(lower) || listed?.has(lower) === true) continue;
    if (lower === "host") hosts++;
    else if (lower === "authorization") authorizations++;
    else if (METHOD_OVERRIDE_HEADERS.has(lower)) methodOverride = true;
    fields.push(name, value);
    lowerNames.push(lower);
    const seen = byName[lower];
    byName[lower] =
      seen === undefined ? value : `${seen}${lower === "cookie" ? "; " : ", "}${value}`;
  }
  if (hosts > 1) return refuse("duplicate_host", "more than one Host field (S-R1)");
  if (authorizations > 1)
    return refuse("duplicate_authorization", "more than one Authorization field");
  // Only one protocol, and only WebSocket, is ever forwarded; h2c and the rest are refused.
  const websocket = upgrade !== undefined;
  if (upgrade !== undefined && upgrade.trim().toLowerCase() !== "websocket")
    return refuse("upgrade_refused", "an upgrade to something other than websocket (S-R16)");
  return { fields, lowerNames, byName, host: byName["host"], websocket, methodOverride };
}

/** The lower-case field names every `Connection` field lists, or null when there is none. */
function connectionListed(raw: readonly string[]): Set<string> | null {
  let listed: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    // SAFETY: the list holds name/value pairs and the loop stays below its length
    const name = raw[i] as string;
    if (name.length !== 10 || name.toLowerCase() !== "connection") continue;
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
