/**
 * Forwards an allowed request to its upstream with undici's `stream` (measured the cheapest
 * upstream client here: see BENCHMARKS.md), streaming bodies both ways. Upstream failures
 * become 502, timeouts 504; a body over the limit is refused with 413 before or while it
 * streams.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Transform } from "node:stream";
import type { TransformCallback } from "node:stream";
import { downstreamResponseHeaders } from "./headers.ts";
import type { Upstream } from "./upstreams.ts";

/** How a forward failed, for logs and metrics. */
export type ForwardFailure = "timeout" | "unreachable" | "body_too_large" | "aborted";

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Forwards and calls `done` once, with the failure if there was one. */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  path: string,
  headers: string[],
  maxBodyBytes: number,
  done: (failure: ForwardFailure | null, error?: unknown) => void,
): void {
  const body = requestBody(req, maxBodyBytes);
  if (body === "too_large") {
    failResponse(res, 413, "body_too_large");
    done("body_too_large");
    return;
  }
  upstream.pool.stream(
    // SAFETY: Node's server sets `method` on every request it parsed.
    { path: upstream.basePath + path, method: req.method as string, headers, body },
    ({ statusCode, headers: responseHeaders }) => {
      res.writeHead(statusCode, downstreamResponseHeaders(responseHeaders));
      return res;
    },
    (error) => {
      if (error === null) {
        done(null);
        return;
      }
      // The client went away (reset, stalled and cut): not the upstream's failure.
      const failure = clientGone(req, res) ? "aborted" : classify(error, body);
      if (failure === "aborted") res.destroy();
      else
        failResponse(
          res,
          failure === "timeout" ? 504 : failure === "body_too_large" ? 413 : 502,
          failure,
        );
      done(failure, error);
    },
  );
}

function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  return (req.destroyed && !req.complete) || (res.destroyed && !res.writableFinished);
}

function classify(error: unknown, body: unknown): ForwardFailure {
  const code = (error as { code?: string }).code ?? "";
  if (TIMEOUT_CODES.has(code)) return "timeout";
  if (body instanceof LimitedBody && body.exceeded) return "body_too_large";
  if (
    code === "UND_ERR_ABORTED" ||
    code === "ERR_STREAM_PREMATURE_CLOSE" ||
    code === "ERR_STREAM_DESTROYED"
  )
    return "aborted";
  return "unreachable";
}

/** An engine answer for a failed forward; a response already started can only be cut. */
function failResponse(res: ServerResponse, status: number, reason: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { reason } });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The body to send upstream: null when the request has none; the request stream itself when
 * its declared length is within the limit; a counting stream for chunked bodies.
 */
function requestBody(
  req: IncomingMessage,
  max: number,
): IncomingMessage | LimitedBody | null | "too_large" {
  const length = req.headers["content-length"];
  if (length !== undefined) {
    const n = Number(length);
    if (n > max) return "too_large";
    return n === 0 ? null : req;
  }
  if (req.headers["transfer-encoding"] === undefined) return null;
  const limited = new LimitedBody(max);
  req.pipe(limited);
  // A client that goes away mid-body must fail the upstream request too, or it would wait for
  // a body that never ends. (Not `pipeline`: a body over the limit must not destroy the client
  // side before its 413 is written.)
  req.once("close", () => {
    if (!req.complete) limited.destroy(new Error("the client went away mid-body"));
  });
  return limited;
}

/** Passes bytes through until more than `max` have been seen, then fails the stream. */
class LimitedBody extends Transform {
  #seen = 0;
  readonly #max: number;
  exceeded = false;

  constructor(max: number) {
    super();
    this.#max = max;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#max) {
      this.exceeded = true;
      callback(new Error("request body too large"));
      return;
    }
    callback(null, chunk);
  }
}
