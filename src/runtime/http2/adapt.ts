/**
 * Makes an HTTP/2 request look, to the shared request pipeline, like the HTTP/1.1 request it
 * stands for: `Host` from `:authority`, no pseudo-headers in the raw list that is forwarded,
 * the cookie crumbs of HTTP/2 joined into one `Cookie` field (RFC 9113 §8.2.3), which an
 * HTTP/1.1 upstream expects, and a body without `content-length` (HTTP/2 frames it itself)
 * marked as chunked (in the header object and the raw list), so the pipeline streams it under
 * the same body limit. The header objects are edited in place: the compatibility API
 * hands out the arrays and objects it keeps.
 */
import type { Http2ServerRequest } from "node:http2";

/** Rewrites the request's header views for the pipeline. */
export function adaptH2Request(req: Http2ServerRequest): void {
  const headers = req.headers as Record<string, string | string[] | undefined>;
  const authority = headers[":authority"];
  if (headers["host"] === undefined && typeof authority === "string") headers["host"] = authority;
  const unframedBody = !req.stream.endAfterHeaders && headers["content-length"] === undefined;
  if (unframedBody) headers["transfer-encoding"] = "chunked";
  const raw = req.rawHeaders;
  const kept: string[] = [];
  const cookies: string[] = [];
  let hasHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] ?? "";
    const value = raw[i + 1] ?? "";
    if (name.charCodeAt(0) === 58 /* ":" */) continue;
    if (name === "cookie") {
      cookies.push(value);
      continue;
    }
    if (name === "host") hasHost = true;
    kept.push(name, value);
  }
  if (!hasHost && typeof headers["host"] === "string") kept.push("host", headers["host"]);
  if (cookies.length > 0) kept.push("cookie", cookies.join("; "));
  // In the raw list too: the pipeline reads a body's framing from it (hop-by-hop: never forwarded).
  if (unframedBody) kept.push("transfer-encoding", "chunked");
  raw.length = 0;
  for (const item of kept) raw.push(item);
}
