/**
 * HTTP/2 request checks the HTTP/1.1 parser makes on its own and HTTP/2 needs spelled out,
 * before a request joins the shared pipeline: `:authority` and `Host` must agree (RFC 9113
 * §8.3.1; a disagreement could route by one and forward the other), only the four request
 * pseudo-headers, `https` as the scheme, no CONNECT (no tunnelling through the edge), and the
 * header list within the same byte limit as HTTP/1.1 (RFC 9113 §6.5.2 counts 32 bytes a field).
 */
import type { IncomingHttpHeaders } from "node:http2";

/** Why an HTTP/2 request is refused before the pipeline: a status and a fixed reason. */
export interface H2Refusal {
  readonly status: 400 | 431;
  readonly reason: string;
}

const REQUEST_PSEUDO: ReadonlySet<string> = new Set([":method", ":scheme", ":path", ":authority"]);

/** The refusal for a request, or null when it may go on. */
export function h2RequestProblem(
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
  maxHeaderBytes: number,
): H2Refusal | null {
  let size = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? "";
    size += name.length + (rawHeaders[i + 1] ?? "").length + 32;
    if (name.charCodeAt(0) === 58 /* ":" */ && !REQUEST_PSEUDO.has(name))
      return { status: 400, reason: "bad_pseudo_header" };
  }
  if (size > maxHeaderBytes) return { status: 431, reason: "headers_too_large" };
  const method = headers[":method"];
  if (method === undefined || method === "CONNECT") return { status: 400, reason: "bad_method" };
  if (headers[":scheme"] !== "https") return { status: 400, reason: "bad_scheme" };
  const path = headers[":path"];
  if (path === undefined || path.length === 0) return { status: 400, reason: "bad_request_target" };
  const authority = headers[":authority"];
  const host = headers.host;
  if (authority === undefined && host === undefined) return { status: 400, reason: "missing_host" };
  if (
    authority !== undefined &&
    host !== undefined &&
    authority.toLowerCase() !== host.toLowerCase()
  )
    return { status: 400, reason: "authority_host_mismatch" };
  return null;
}
