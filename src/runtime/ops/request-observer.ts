/**
 * Wraps the tunnel listeners' request handler: times every request for the duration
 * histogram and the per-tunnel counters, writes the access log line, cuts a request whose body
 * goes silent (408), tells client aborts from upstream failures, and turns a throw into a
 * logged 500. The pipeline only notes what it decided (`request-record.ts`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
// Node's global `performance` is a lazy accessor that runs a getter on every read (~0.3k
// instructions a request on the hot path); the module's binding is a plain object.
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import type { AccessLogOptions } from "../options.ts";
import { sendError } from "../http/respond.ts";
import { declaredBody } from "../http/body-framing.ts";
import type { TrafficMetrics } from "./traffic-metrics.ts";
import { AccessLog, pathOf } from "./access-log.ts";
import { RequestRecord } from "./request-record.ts";
import type { TrackedResponse } from "./request-record.ts";

export interface ObserverOptions {
  readonly metrics: TrafficMetrics;
  readonly log: Logger;
  readonly accessLog: AccessLogOptions;
  readonly bodyIdleTimeoutMs: number;
  /** Receives the access log writer, to flush it on shutdown. */
  readonly onAccessLog?: (log: AccessLog) => void;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The wrapped handler. */
export function observeRequests(handler: Handler, o: ObserverOptions): Handler {
  const { metrics, log, accessLog } = o;
  const logAll = accessLog.enabled && accessLog.sampleRate >= 1;
  const logNotable = accessLog.enabled;
  const access = new AccessLog(log);
  o.onAccessLog?.(access);

  // One shared listener per server (no closure per request): `this` is the response.
  function onClose(this: TrackedResponse): void {
    const hook = this.closeHook;
    if (hook !== null && hook !== undefined) {
      this.closeHook = null;
      hook.onResponseClose();
    }
    const record = this.record;
    if (record === null) return;
    this.record = null;
    const req = this.req;
    const seconds = (performance.now() - record.started) / 1000;
    const aborted = !this.writableFinished && record.cause === null && !record.timedOut;
    metrics.observe(record.tunnel, record.outcome === "" ? "none" : record.outcome, seconds);
    if (aborted) {
      const phase = req.complete ? "response" : "request";
      metrics.clientAborts.labels(phase).inc();
      log.info(
        { tunnel: record.tunnel, phase, method: req.method, path: pathOf(req.url) },
        "client aborted the request",
      );
    }
    if (!logNotable) return;
    const notable = aborted || record.cause !== null || record.timedOut;
    if (!logAll && !notable && Math.random() >= accessLog.sampleRate) return;
    access.write(record, this, seconds, aborted);
  }

  function bodyIdle(req: IncomingMessage, res: TrackedResponse): void {
    if (res.record !== null) res.record.timedOut = true;
    metrics.clientTimeouts.labels("body").inc();
    log.info(
      { method: req.method, host: req.headers.host ?? null, path: pathOf(req.url) },
      "request body stalled; the request is cut",
    );
    // Ending the request with an error (not just its socket) also aborts an upstream exchange
    // that is still waiting for the rest of the body.
    req.on("error", ignore);
    if (res.headersSent) {
      req.destroy(new ClientTimeout());
      return;
    }
    res.shouldKeepAlive = false;
    res.once("finish", () => req.destroy(new ClientTimeout()));
    sendError(res, 408, "request_timeout", null, false, { connection: "close" });
  }

  /** Cuts the request when its socket is silent for `bodyIdleTimeoutMs` before the body ends. */
  function watchBody(req: IncomingMessage, res: TrackedResponse): void {
    const onIdle = (): void => bodyIdle(req, res);
    // Socket inactivity while the body is still coming: Node emits `timeout` on the request.
    req.socket.setTimeout(o.bodyIdleTimeoutMs);
    req.once("timeout", onIdle);
    req.once("end", () => {
      req.off("timeout", onIdle);
      // Past the body the response may take its time; Node sets keep-alive timeouts itself.
      if (!res.writableFinished) req.socket.setTimeout(0);
    });
  }

  return (req, res) => {
    const socket = req.socket;
    const tracked = res as TrackedResponse;
    // Byte counts are for the access log only: `bytesWritten` copies the socket's write queue.
    tracked.record = logNotable
      ? new RequestRecord(performance.now(), socket.bytesRead, socket.bytesWritten)
      : new RequestRecord(performance.now(), 0, 0);
    res.on("close", onClose);
    // Null, not undefined: this listener calls whatever hook the pipeline sets.
    tracked.closeHook = null;
    if (hasBody(req)) watchBody(req, tracked);
    try {
      handler(req, res);
    } catch (error) {
      internalError(res, log, metrics, "handler_threw", error);
    }
  };
}

/** Logs a 500's cause, counts it, and answers it if nothing was sent yet. */
export function internalError(
  res: ServerResponse,
  log: Logger,
  metrics: TrafficMetrics,
  cause: string,
  error: unknown,
): void {
  const record = (res as Partial<TrackedResponse>).record;
  if (record !== null && record !== undefined) record.cause = cause;
  metrics.internalErrors.labels(cause).inc();
  log.error(
    { err: error, cause, tunnel: record?.tunnel ?? null, path: pathOf(res.req.url) },
    "internal error; answered 500",
  );
  if (res.headersSent) res.destroy();
  else sendError(res, 500, "internal_error", null, false);
}

class ClientTimeout extends Error {
  readonly code = "RAMPART_CLIENT_BODY_TIMEOUT";
  constructor() {
    super("the client's request body went silent");
  }
}

const ignore = (): void => undefined;

function hasBody(req: IncomingMessage): boolean {
  // HOT PATH: Node ended a request without a body field at once (`optimizeEmptyRequests`).
  if (req.readableEnded) return false;
  const declared = declaredBody(req.rawHeaders);
  return declared !== null && declared !== 0;
}
