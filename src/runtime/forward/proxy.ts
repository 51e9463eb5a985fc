/**
 * Forwards an allowed request to its upstream with undici's `dispatch` (undici measured the
 * cheapest upstream client here, its bare handler cheaper than `stream`: see BENCHMARKS.md),
 * streaming bodies both ways. Upstream failures
 * become 502, timeouts 504; a body over the limit is refused with 413 before or while it
 * streams.
 */
import { IncomingMessage } from "node:http";
import type { ServerResponse } from "node:http";
import { Transform } from "node:stream";
import type { TransformCallback } from "node:stream";
import type { Dispatcher } from "undici";
import { declaredBody } from "../http/body-framing.ts";
import { downstreamResponseHeaders } from "./headers.ts";
import type { Upstream } from "./upstreams.ts";
import type { ResponseCloseHook } from "../ops/request-record.ts";

/** How a forward failed, for logs and metrics. */
export type ForwardFailure = "timeout" | "unreachable" | "body_too_large" | "aborted";

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Told once how a forward ended: null, or the failure (and its error, if any). */
export interface ForwardListener {
  forwarded(failure: ForwardFailure | null, error?: unknown): void;
}

/** Forwards and tells `done` once, with the failure if there was one. */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: Upstream,
  path: string,
  headers: string[],
  maxBodyBytes: number,
  done: ForwardListener,
): void {
  const body = requestBody(req, maxBodyBytes);
  if (body === "too_large") {
    failResponse(res, 413, "body_too_large");
    done.forwarded("body_too_large");
    return;
  }
  const exchange = new Exchange(req, res, body, done);
  // The response's `close` ends the exchange: after its end (success), or before it (the
  // client went away, even while the upstream has not answered yet: stop it then). HOT PATH:
  // the request observer's `close` listener calls it when there is one (no second listener).
  const tracked = res as { closeHook?: ResponseCloseHook | null };
  if (tracked.closeHook === null) tracked.closeHook = exchange;
  else res.on("close", () => exchange.onResponseClose());
  // A body stream that fails before undici reads it (a client gone mid-body) fails the exchange.
  if (body !== null) body.on("error", (error: Error) => exchange.onError(error));
  upstream.pool.dispatch(
    // SAFETY: Node's server sets `method` on every request it parsed.
    { path: upstream.basePath + path, method: req.method as string, headers, body },
    exchange,
  );
}

/**
 * One upstream exchange as undici's dispatch handler, writing the response straight to the
 * client's. HOT PATH: `pool.stream` did the same through an async resource, a factory call,
 * a parsed header object and `finished()` (five listeners on the response); this is one
 * object, no `close` listener of its own behind the request observer, and the response head
 * built from the raw header list in one pass (issue #20, measured in BENCHMARKS.md).
 */
class Exchange implements Dispatcher.DispatchHandler, ResponseCloseHook {
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #body: IncomingMessage | LimitedBody | null;
  readonly #done: ForwardListener;
  #abort: ((reason?: Error) => void) | null = null;
  #resume: (() => void) | null = null;
  /** `done` was called: later events change nothing. */
  #settled = false;
  /** The response head was written. */
  #streaming = false;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    body: IncomingMessage | LimitedBody | null,
    done: ForwardListener,
  ) {
    this.#req = req;
    this.#res = res;
    this.#body = body;
    this.#done = done;
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.#abort = abort;
    // The client left before undici started the exchange.
    if (this.#settled) abort(new Error("the client went away"));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx: Node's server sends its own 100-continue; other interim answers are not relayed.
    if (statusCode < 200 || this.#settled) return true;
    const res = this.#res;
    this.#resume = resume;
    // First: a head Node refuses (a bad upstream field) throws into undici, which fails the
    // exchange through onError while nothing was sent, so the client gets a 502.
    res.writeHead(statusCode, downstreamResponseHeaders(rawHeaders));
    this.#streaming = true;
    return res.writableNeedDrain !== true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#settled) return true;
    const res = this.#res;
    if (res.write(chunk)) return true;
    // Backpressure: undici pauses reading the upstream until the client drains.
    res.once("drain", this.#resume ?? noop);
    return false;
  }

  onComplete(): void {
    // The exchange ends when the response does (its `close`, once finished).
    if (!this.#settled) this.#res.end();
  }

  onError(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    const req = this.#req;
    const res = this.#res;
    const body = this.#body;
    destroyBody(body, error);
    if (this.#streaming) {
      // A response already started can only be cut; the client sees it end early.
      res.destroy();
      this.#done.forwarded("aborted", error);
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
    this.#done.forwarded(failure, error);
  }

  /** The response closed (`close` comes once). */
  onResponseClose(): void {
    if (this.#settled) return;
    if (this.#res.writableFinished) {
      this.#settle(null);
      return;
    }
    // Cut before its end: stop the upstream exchange too.
    this.#settle("aborted");
    this.#abort?.(new Error("the client went away"));
  }

  #settle(failure: ForwardFailure | null, error?: unknown): void {
    this.#settled = true;
    if (failure !== null) destroyBody(this.#body);
    this.#done.forwarded(failure, error);
  }
}

const noop = (): void => undefined;

/**
 * Stops reading a request body, as undici's own handlers do. An HTTP/1.1 request is detached
 * from its socket first, so destroying it never cuts the connection an answer may still use.
 * An HTTP/2 request (the compatibility API's, not an `IncomingMessage`) is left alone: its
 * stream ends with the response, and destroying it would reset the stream before the answer
 * (a 502 never arrived). Its `socket` is read-only: writing it threw, out of an event listener,
 * and took the process down.
 */
function destroyBody(body: IncomingMessage | LimitedBody | null, error?: Error): void {
  if (body === null || body.destroyed) return;
  if (body instanceof LimitedBody) body.destroy(error);
  else if (body instanceof IncomingMessage) {
    // SAFETY: a detached request is never read again; its socket stays the server's.
    (body as { socket: unknown }).socket = null;
    body.destroy(error);
  }
}

function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  // A request without a body field is ended and destroyed by Node from the start
  // (`optimizeEmptyRequests`), before its parse completes: that is not a client gone.
  const requestCut = req.destroyed && !req.complete && !req.readableEnded;
  return requestCut || (res.destroyed && !res.writableFinished);
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
  // Node ended a request without a body field at once (`optimizeEmptyRequests`): no body.
  if (req.readableEnded) return null;
  const declared = declaredBody(req.rawHeaders);
  if (declared === null) return null;
  if (declared !== "chunked") {
    if (declared > max) return "too_large";
    return declared === 0 ? null : req;
  }
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
