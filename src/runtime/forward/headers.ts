/**
 * Request and response header rewriting for forwarding: hop-by-hop headers removed (RFC 9110
 * §7.6.1, plus whatever `Connection` names), `X-Forwarded-*` set, and edge credentials
 * stripped (S-O3): engine cookies, and `Authorization` when it carried the edge token unless
 * the tunnel forwards it.
 */
import { util } from "undici";
import { stripEngineCookies } from "../cookies.ts";
import { HOP_BY_HOP, METHOD_OVERRIDE_HEADERS } from "../http/request-headers.ts";
import type { DecidedHeaders } from "../http/request-headers.ts";

const { headerNameToString } = util;

/** Headers this proxy sets itself; any copy from the client is dropped. */
const REPLACED: ReadonlySet<string> = new Set(["host", "forwarded", "x-real-ip"]);

/**
 * Client-supplied headers an upstream framework could read as a different URL, method or
 * identity (S-R17, S-R20): never forwarded, whoever sent them. `X-Forwarded-*` and the
 * engine's own `X-Rampart-*` headers go by prefix (see `isStrippedName`).
 */
const STRIPPED: ReadonlySet<string> = new Set([
  "x-original-url",
  "x-rewrite-url",
  "x-original-uri",
  "x-original-method",
  "x-original-host",
  "x-envoy-original-path",
  ...METHOD_OVERRIDE_HEADERS,
]);

/** Every name above in one set: one lookup per forwarded field (HOT PATH). */
const NEVER_AS_SENT: ReadonlySet<string> = new Set([...HOP_BY_HOP, ...REPLACED, ...STRIPPED]);

/** True for a request header that is never forwarded as the client sent it (S-O3, S-R20). */
export function isStrippedName(lower: string): boolean {
  if (NEVER_AS_SENT.has(lower)) return true;
  // HOT PATH: both prefixes start with `x-`; most names do not, and skip the two scans.
  if (lower.charCodeAt(0) !== 120 /* x */ || lower.charCodeAt(1) !== 45 /* - */) return false;
  return lower.startsWith("x-forwarded-") || lower.startsWith("x-rampart-");
}

/** What the request rewrite needs to know. */
export interface ForwardContext {
  /** The `X-Forwarded-For` value to send (the chain is only kept from trusted proxies). */
  readonly forwardedFor: string;
  readonly proto: "http" | "https";
  readonly host: string;
  readonly upstreamHost: string;
  /** Drop `Authorization` (it carried the edge token and the tunnel does not forward it). */
  readonly dropAuthorization: boolean;
  /** Keep `Connection: upgrade` and `Upgrade` (a WebSocket handshake). */
  readonly upgrade: boolean;
}

/**
 * The upstream request headers as a flat `[name, value, …]` list built from the fields the
 * decision saw (hop-by-hop and `Connection`-listed ones already gone), which keeps repeats and
 * order, then the headers the engine sets, appended last so no client field can remove them.
 * HOT PATH: one pass, no per-header allocation but the pair; the names are the decided
 * headers' own lower-cased ones, not lower-cased again.
 */
export function upstreamRequestHeaders(
  decided: Pick<DecidedHeaders, "fields" | "lowerNames">,
  ctx: ForwardContext,
): string[] {
  const out: string[] = [];
  const { fields, lowerNames } = decided;
  for (let i = 0; i < fields.length; i += 2) {
    // SAFETY: `fields` is a flat list of name/value pairs and i + 1 < fields.length.
    const name = fields[i] as string;
    // SAFETY: as above.
    const value = fields[i + 1] as string;
    // SAFETY: `lowerNames` holds one name per pair of `fields` (DecidedHeaders).
    const lower = lowerNames[i >> 1] as string;
    if (isStrippedName(lower)) continue;
    if (lower === "authorization" && ctx.dropAuthorization) continue;
    if (lower === "cookie") {
      const kept = stripEngineCookies(value);
      if (kept !== null) out.push(name, kept);
      continue;
    }
    out.push(name, value);
  }
  out.push("host", ctx.upstreamHost);
  out.push("x-forwarded-for", ctx.forwardedFor);
  out.push("x-forwarded-proto", ctx.proto);
  out.push("x-forwarded-host", ctx.host);
  if (ctx.upgrade) out.push("connection", "upgrade", "upgrade", "websocket");
  return out;
}

/**
 * The upstream response headers for the client as a flat `[name, value, …]` list (lower-case
 * names, fields in the upstream's order), from undici's raw list, without hop-by-hop ones nor
 * those `Connection` names. HOT PATH: one pass over the raw list, no header object.
 */
export function downstreamResponseHeaders(raw: readonly Buffer[]): string[] {
  const out: string[] = [];
  let connection: string | null = null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    // SAFETY: undici's raw list is name/value pairs and i + 1 < raw.length.
    const name = headerNameToString(raw[i] as Buffer);
    if (HOP_BY_HOP.has(name)) {
      // SAFETY: as above.
      if (name === "connection") connection = (raw[i + 1] as Buffer).toString("latin1");
      continue;
    }
    // SAFETY: as above.
    out.push(name, (raw[i + 1] as Buffer).toString("latin1"));
  }
  // The usual `keep-alive` / `close` names nothing beyond the hop-by-hop set.
  if (connection === null || connection === "keep-alive" || connection === "close") return out;
  const named = new Set(connection.split(",").map((t) => t.trim().toLowerCase()));
  const kept: string[] = [];
  for (let i = 0; i < out.length; i += 2) {
    // SAFETY: `out` is name/value pairs and i + 1 < out.length.
    const name = out[i] as string;
    // SAFETY: as above.
    const value = out[i + 1] as string;
    if (!named.has(name)) kept.push(name, value);
  }
  return kept;
}
