/**
 * What the pipeline tells the request observer about a request: the tunnel, the decision
 * and, for a 500, its cause. The record rides on the response (a `TrackedResponse`, which the
 * tunnel listeners create), so the pipeline needs one call and no lookup to fill it in.
 */
import { ServerResponse } from "node:http";
import type { IncomingMessage } from "node:http";

/** One request as the access log and the metrics see it. */
export class RequestRecord {
  tunnel: string | null = null;
  outcome = "";
  stage = "";
  reason = "";
  /** Why the engine answered 500 or cut the response, when it did. */
  cause: string | null = null;
  /** The client stalled and the engine cut the request. */
  timedOut = false;
  readonly started: number;
  readonly read0: number;
  readonly written0: number;

  constructor(started: number, read0: number, written0: number) {
    this.started = started;
    this.read0 = read0;
    this.written0 = written0;
  }
}

/** Told once when a response closes (the upstream exchange writing it). */
export interface ResponseCloseHook {
  onResponseClose(): void;
}

/** A response with room for its record: one fixed shape, so setting it never reshapes. */
export class TrackedResponse<
  Request extends IncomingMessage = IncomingMessage,
> extends ServerResponse<Request> {
  record: RequestRecord | null = null;
  /**
   * Called by the request observer's own `close` listener, so a forwarded response needs no
   * second listener (issue #20). Undefined while no observer watches the response: whoever
   * needs its `close` then listens for it.
   */
  closeHook: ResponseCloseHook | null | undefined = undefined;
}

function recordOf(res: ServerResponse): RequestRecord | null {
  return (res as Partial<TrackedResponse>).record ?? null;
}

/** Notes the tunnel and decision of a request (null tunnel: refused before routing). */
export function noteDecision(
  res: ServerResponse,
  tunnel: string | null,
  outcome: string,
  stage: string,
  reason: string,
): void {
  const record = recordOf(res);
  if (record === null) return;
  record.tunnel = tunnel;
  record.outcome = outcome;
  record.stage = stage;
  record.reason = reason;
}

/** Notes why the engine answered 500 or cut a response (an upstream failure, a bug). */
export function noteCause(res: ServerResponse, cause: string): void {
  const record = recordOf(res);
  if (record !== null) record.cause = cause;
}
