/**
 * What the pipeline tells the upgrade observer about an HTTP upgrade (WebSocket): the tunnel,
 * the decision and the status the client got (101, or the refusal). An upgrade has no
 * response object to carry a record, so the record is kept by request, weakly.
 */
import type { IncomingMessage } from "node:http";
import { RequestRecord } from "./request-record.ts";

/** One upgrade as the access log sees it; `status` 0 until the client was answered. */
export class UpgradeRecord extends RequestRecord {
  status = 0;
}

const records = new WeakMap<IncomingMessage, UpgradeRecord>();

/** Starts tracking `req`'s upgrade (the observer does, before the pipeline runs). */
export function trackUpgrade(req: IncomingMessage, record: UpgradeRecord): void {
  records.set(req, record);
}

/** Notes the tunnel and decision of an upgrade (null tunnel: refused before routing). */
export function noteUpgradeDecision(
  req: IncomingMessage,
  tunnel: string | null,
  outcome: string,
  stage: string,
  reason: string,
): void {
  const record = records.get(req);
  if (record === undefined) return;
  record.tunnel = tunnel;
  record.outcome = outcome;
  record.stage = stage;
  record.reason = reason;
}

/** Notes the status the client was answered with (101 when the tunnel opened). */
export function noteUpgradeStatus(req: IncomingMessage, status: number): void {
  const record = records.get(req);
  if (record !== undefined && record.status === 0) record.status = status;
}

/** Notes why the engine refused or cut the upgrade (tunnel busy, upstream failure). */
export function noteUpgradeCause(req: IncomingMessage, cause: string): void {
  const record = records.get(req);
  if (record !== undefined) record.cause = cause;
}
