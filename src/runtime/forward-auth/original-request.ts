/**
 * Reads the original request out of a forward-auth sub-request. The proxy describes it in
 * headers (method, target, host, scheme, client address, TLS version); those headers are
 * believed only when the sub-request comes from a configured trusted proxy, because anyone
 * else could write them. Which header carries what, per dialect:
 *
 * | fact       | nginx                         | Traefik              | Envoy                        |
 * | ---------- | ----------------------------- | -------------------- | ---------------------------- |
 * | method     | X-Original-Method             | X-Forwarded-Method   | the sub-request's method     |
 * | target     | X-Original-URI                | X-Forwarded-Uri      | the path after `/envoy`      |
 * | host       | X-Forwarded-Host, else Host   | X-Forwarded-Host     | X-Forwarded-Host, else Host  |
 * | scheme     | X-Forwarded-Proto             | X-Forwarded-Proto    | X-Forwarded-Proto            |
 * | client     | X-Real-IP (nginx only), else X-Forwarded-For: right-most address not a trusted proxy |
 * | TLS        | X-Forwarded-Tls-Version (`TLSv1.2`/`TLSv1.3`, nginx `$ssl_protocol`), optional     |
 *
 * The endpoint reads them from the sub-request's decided fields (`decidedHeaders`), the same
 * reading the decision gets, so a sub-request's fields are lower-cased and indexed once (HOT
 * PATH: Node's `req.headers` is never built). A field the proxy marks hop-by-hop (listed in its
 * `Connection`) is therefore not read: none of the documented proxy configs sends one, and a
 * missing field fails closed like an absent one.
 */
import type { TlsVersion } from "../../ir/types.ts";
import { parseIpEntry } from "../../ir/ip.ts";
import { LruCache } from "../../compile/lru.ts";
import { addressedPort } from "../../ir/origin.ts";
import { hostWithoutPort } from "../host-index.ts";
import { canonicalPeer, clientAddress } from "../http/client-ip.ts";
import type { TrustedProxies } from "../http/client-ip.ts";
import type { DialectTarget, ForwardAuthDialect } from "./dialect.ts";

/** The request the proxy is asking about. */
export interface OriginalRequest {
  readonly dialect: ForwardAuthDialect;
  /** Upper-case method. */
  readonly method: string;
  /** Path and query as the client sent them; starts with `/`. */
  readonly uri: string;
  /** Lower-case host without port. */
  readonly host: string;
  /** The port the client addressed when not the scheme's default (same-origin checks). */
  readonly port: number | null;
  /** The client reached the proxy over TLS. */
  readonly secure: boolean;
  readonly clientIp: string;
  /** The TLS version the proxy negotiated, when it says. */
  readonly tlsVersion: TlsVersion | null;
}

/** Why a sub-request cannot be read: the proxy is not trusted, or its config is incomplete. */
export interface UnreadableRequest {
  readonly status: 400 | 403;
  readonly reason: "untrusted_proxy" | "bad_original_request";
  /** For the operator's log: which header is missing or malformed. */
  readonly detail: string;
}

const METHOD = /^[A-Za-z]{1,16}$/;
/** A request target: starts with `/`, visible ASCII only (no spaces, no control characters). */
const TARGET = /^\/[\x21-\x7e]*$/;
const MAX_TARGET = 8192;

const HEADERS: Readonly<
  Record<ForwardAuthDialect, { method: string | null; uri: string | null; host: readonly string[] }>
> = {
  nginx: { method: "x-original-method", uri: "x-original-uri", host: ["x-forwarded-host", "host"] },
  traefik: { method: "x-forwarded-method", uri: "x-forwarded-uri", host: ["x-forwarded-host"] },
  envoy: { method: null, uri: null, host: ["x-forwarded-host", "host"] },
};

/**
 * Header fields by lower-case name, repeats joined: a sub-request's decided fields
 * (`DecidedHeaders.byName`), or anything shaped like Node's `req.headers`.
 */
export type FieldsByName = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The original request of a sub-request from `peer` (the socket address), or why it cannot
 * be read. `subMethod` is the sub-request's own method (Envoy keeps the original one).
 */
export function readOriginalRequest(
  target: DialectTarget,
  subMethod: string,
  headers: FieldsByName,
  peerAddress: string | undefined,
  trusted: TrustedProxies | null,
): OriginalRequest | UnreadableRequest {
  const peer = canonicalPeer(peerAddress);
  const proxies = trustedBy(peer, trusted);
  if (proxies === null) return untrustedPeer(peer);
  return readTrustedRequest(target, subMethod, headers, peer, proxies);
}

/** The trusted proxies when the canonical `peer` is one of them, else null. */
export function trustedBy(peer: string, trusted: TrustedProxies | null): TrustedProxies | null {
  return trusted !== null && trusted.has(peer) ? trusted : null;
}

/** Why a sub-request from anyone but a trusted proxy is not read: its headers would be believed. */
export function untrustedPeer(peer: string): UnreadableRequest {
  return { status: 403, reason: "untrusted_proxy", detail: `peer ${peer} is not a trusted proxy` };
}

/**
 * The original request of a sub-request whose canonical `peer` is one of the `trusted`
 * proxies (checked by the caller with `trustedBy`), or why it cannot be read.
 */
export function readTrustedRequest(
  target: DialectTarget,
  subMethod: string,
  headers: FieldsByName,
  peer: string,
  trusted: TrustedProxies,
): OriginalRequest | UnreadableRequest {
  const names = HEADERS[target.dialect];
  const method = names.method === null ? subMethod : single(headers, names.method);
  if (method === undefined || !METHOD.test(method)) return bad(names.method ?? "method");
  const uri = names.uri === null ? target.envoyUri : single(headers, names.uri);
  if (uri === undefined || uri === null || uri.length > MAX_TARGET || !TARGET.test(uri))
    return bad(names.uri ?? "path");
  const hostValue = firstHost(headers, names.host);
  if (hostValue === null) return bad(names.host.join(" or "));
  // S-R8: a host that is not host[:port] is malformed input, never routed by a prefix of it.
  const host = hostWithoutPort(hostValue);
  if (host === null) return bad(names.host.join(" or "));
  const secure = isHttps(single(headers, "x-forwarded-proto"));
  const clientIp =
    (target.dialect === "nginx" ? realIp(headers) : null) ??
    clientAddress(peer, joined(headers, "x-forwarded-for"), trusted);
  return {
    dialect: target.dialect,
    method: method.toUpperCase(),
    uri,
    host,
    port: addressedPort(hostValue, secure),
    secure,
    clientIp,
    tlsVersion: secure ? tlsVersionOf(single(headers, "x-forwarded-tls-version")) : null,
  };
}

function bad(header: string): UnreadableRequest {
  return { status: 400, reason: "bad_original_request", detail: `missing or malformed ${header}` };
}

/** A header that must occur once (a repeated one is ambiguous, so it counts as absent). */
function single(headers: FieldsByName, name: string): string | undefined {
  const v = headers[name];
  return typeof v === "string" ? v.trim() : undefined;
}

function joined(headers: FieldsByName, name: string): string | undefined {
  const v = headers[name];
  return typeof v === "string" || v === undefined ? v : v.join(", ");
}

/**
 * The first of `names` that is present. A list (`a.test, b.test`: a proxy that appends, or two
 * fields) is left whole, so it is malformed: which entry a client wrote cannot be told.
 */
function firstHost(headers: FieldsByName, names: readonly string[]): string | null {
  for (const name of names) {
    const field = single(headers, name);
    if (field !== undefined && field.length > 0) return field;
  }
  return null;
}

/** `https` in any case, without a lower-cased copy per sub-request. */
function isHttps(proto: string | undefined): boolean {
  return (
    proto !== undefined &&
    proto.length === 5 &&
    (proto === "https" || proto.toLowerCase() === "https")
  );
}

/**
 * X-Real-IP (nginx `$remote_addr`), null when absent. Present, it is the client even when it is
 * not one well-formed address: then "", which no address rule admits (fail closed), never what
 * X-Forwarded-For says instead.
 */
function realIp(headers: FieldsByName): string | null {
  const value = single(headers, "x-real-ip");
  if (value === undefined) return null;
  const address = canonicalPeer(value);
  return !value.includes("/") && wellFormed(address) ? address : "";
}

/**
 * Addresses already checked: nginx sends the same few client addresses over and over, and
 * parsing one is a good part of a sub-request's own work (HOT PATH). Bounded.
 */
const checkedAddresses = new LruCache<string, boolean>(10_000);

function wellFormed(address: string): boolean {
  let ok = checkedAddresses.get(address);
  if (ok === undefined) {
    ok = parseIpEntry(address).ok;
    checkedAddresses.set(address, ok);
  }
  return ok;
}

/** nginx and HAProxy say `TLSv1.3`, Caddy's `{http.request.tls.version}` says `tls1.3`. */
function tlsVersionOf(value: string | undefined): TlsVersion | null {
  if (value === "TLSv1.3" || value === "1.3" || value === "tls1.3") return "1.3";
  if (value === "TLSv1.2" || value === "1.2" || value === "tls1.2") return "1.2";
  return null;
}
