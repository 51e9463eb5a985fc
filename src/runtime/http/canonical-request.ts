/**
 * One request, read once (SPEC S-R4, S-R19): the single function that turns what a client
 * sent (method, target, header fields) into the canonical request that the decision sees and
 * that is forwarded. `rampart serve` (HTTP/1.1 and HTTPS), the forward-auth endpoint and any
 * other front end (an HTTP/2 handler passes its pseudo-headers as method and target, and its
 * fields with `host` taken from `:authority`) call it; nothing reads the raw request after it.
 */
import { hostWithoutPort } from "../host-index.ts";
import { decidedHeaders } from "./request-headers.ts";
import type { DecidedHeaders } from "./request-headers.ts";
import { canonicalTarget } from "./request-target.ts";

/** What a front end hands over: the request as received. */
export interface RequestInput {
  /** The method token as received (upper case for the usual methods). */
  readonly method: string;
  /** The request target as received. */
  readonly target: string;
  /** `[name, value, …]` as received, repeats and order kept (Node's `rawHeaders`). */
  readonly rawHeaders: readonly string[];
}

/**
 * Where the host comes from: the `Host` field (serve; required, once), or a host the caller
 * already read elsewhere with `hostWithoutPort` (forward-auth reads the original host from the
 * proxy's headers).
 */
export type HostSource = { readonly fromHeader: true } | { readonly given: string };

/** A request refused before any decision: 400, 414 or 431 with an S-D3-style reason. */
export interface RequestRefusal {
  readonly status: 400 | 414 | 431;
  readonly reason: string;
  /** Which rule refused it, for the log only. */
  readonly detail: string;
}

/** The request every later step works on. */
export interface CanonicalRequest {
  readonly method: string;
  /** The canonical path: matched, classified and forwarded (S-R4); `*` for `OPTIONS *`. */
  readonly path: string;
  /** The forwarded query (no `?`), minus every spelling of `rstream.token`; "" for none. */
  readonly query: string;
  /** `path` plus `?query`: exactly what the upstream receives as its target. */
  readonly target: string;
  /** The query token, when exactly one `rstream.token` parameter carried one (S-R15). */
  readonly queryToken: string | null;
  /** The host the request addressed, port included, as sent (the forwarded X-Forwarded-Host). */
  readonly host: string;
  /** `host` lower-cased without port and trailing dot: what is routed and decided (S-R8). */
  readonly hostname: string;
  readonly headers: DecidedHeaders;
}

/** Reads a request, or says why it is refused. Never throws. */
export function canonicalRequest(
  input: RequestInput,
  hostSource: HostSource,
): CanonicalRequest | RequestRefusal {
  const headers = decidedHeaders(input.rawHeaders);
  if ("status" in headers) return headers;
  return canonicalRequestOf(headers, input, hostSource);
}

/**
 * The same, for a front end that has read the header fields already: forward-auth reads the
 * original request's own facts from them, so the fields are read once per sub-request.
 */
export function canonicalRequestOf(
  headers: DecidedHeaders,
  input: Omit<RequestInput, "rawHeaders">,
  hostSource: HostSource,
): CanonicalRequest | RequestRefusal {
  const target = canonicalTarget(input.target, input.method);
  if ("status" in target) return target;
  let host: string;
  let hostname: string | null;
  if ("given" in hostSource) host = hostname = hostSource.given;
  else if (headers.host === undefined || headers.host.length === 0)
    return { status: 400, reason: "missing_host", detail: "no Host field" };
  else {
    host = headers.host;
    hostname = hostWithoutPort(host);
    if (hostname === null)
      return { status: 400, reason: "bad_host", detail: "a Host that is not host[:port] (S-R8)" };
  }
  // S-R1: an absolute-form target must name the host the request is routed by.
  if (target.authority !== null && target.authority !== host.toLowerCase())
    return { status: 400, reason: "bad_request_target", detail: "absolute-form authority ≠ Host" };
  return {
    method: input.method,
    path: target.path,
    query: target.query,
    target: target.target,
    queryToken: target.queryToken,
    host,
    hostname,
    headers,
  };
}
