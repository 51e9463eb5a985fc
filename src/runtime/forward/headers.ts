/**
 * Request and response header rewriting for forwarding: hop-by-hop headers removed (RFC 9110
 * §7.6.1, plus whatever `Connection` names), `X-Forwarded-*` set, and edge credentials
 * stripped (S-O3): engine cookies, and `Authorization` when it carried the edge token unless
 * the tunnel forwards it.
 */
import type { IncomingHttpHeaders } from "node:http";
import { stripEngineCookies } from "../cookies.ts";

const HOP_BY_HOP: ReadonlySet<string> = new Set([
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

/** Headers this proxy sets itself; any copy from the client is dropped. */
const REPLACED: ReadonlySet<string> = new Set([
  "host",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
]);

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
 * The upstream request headers as a flat `[name, value, …]` list built from the raw headers,
 * which keeps duplicates and order. HOT PATH: one pass, no per-header allocation but the pair.
 */
export function upstreamRequestHeaders(
  raw: readonly string[],
  ctx: ForwardContext,
  connection?: string,
): string[] {
  const out: string[] = [];
  // Headers that `Connection` names are hop-by-hop too (RFC 9110 §7.6.1).
  let connectionTokens: Set<string> | null = null;
  if (connection !== undefined && connection.includes(",")) {
    connectionTokens = new Set(connection.split(",").map((t) => t.trim().toLowerCase()));
  } else if (connection !== undefined) {
    connectionTokens = new Set([connection.trim().toLowerCase()]);
  }
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || REPLACED.has(lower)) continue;
    if (connectionTokens?.has(lower) === true) continue;
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
 * The upstream response headers for the client as a flat `[name, value, …]` list, without
 * hop-by-hop ones. HOT PATH: copying beats `delete`, which would push the object into
 * dictionary mode right before Node serializes it.
 */
export function downstreamResponseHeaders(headers: IncomingHttpHeaders): string[] {
  const connection = headers["connection"];
  // The usual `keep-alive` / `close` names nothing beyond the hop-by-hop set.
  const named =
    typeof connection === "string" && connection !== "keep-alive" && connection !== "close"
      ? new Set(connection.split(",").map((t) => t.trim().toLowerCase()))
      : null;
  const out: string[] = [];
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || named?.has(name) === true) continue;
    const value = headers[name];
    if (typeof value === "string") out.push(name, value);
    else if (Array.isArray(value)) for (const v of value) out.push(name, v);
  }
  return out;
}

/** The path and query to forward: `rstream.token` removed from the query (S-O3). */
export function forwardedPath(url: string): string {
  const q = url.indexOf("?");
  if (q < 0 || !url.includes("rstream.token", q)) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  params.delete("rstream.token");
  const rest = params.toString();
  return rest.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${rest}`;
}
