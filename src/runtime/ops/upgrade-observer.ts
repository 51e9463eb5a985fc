/**
 * Wraps the tunnel listeners' `upgrade` handler as `request-observer.ts` wraps the request
 * handler (issue #18): every upgrade gets one access-log line when its connection closes, with
 * the status the client got (101 for an opened WebSocket), how long the connection lived and
 * the bytes it carried each way. Upgrades are few and long, so each is logged, never sampled.
 */
import type { IncomingMessage } from "node:http";
// Node's global `performance` is a lazy accessor that runs a getter on every read (~0.3k
// instructions a request on the hot path); the module's binding is a plain object.
import { performance } from "node:perf_hooks";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { AccessLogOptions } from "../options.ts";
import { AccessLog } from "./access-log.ts";
import { UpgradeRecord, trackUpgrade } from "./upgrade-record.ts";

export interface UpgradeObserverOptions {
  readonly log: Logger;
  readonly accessLog: AccessLogOptions;
  /** Receives the access log writer, to flush it on shutdown. */
  readonly onAccessLog?: (log: AccessLog) => void;
}

type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The wrapped handler. */
export function observeUpgrades(
  handler: UpgradeHandler,
  o: UpgradeObserverOptions,
): UpgradeHandler {
  if (!o.accessLog.enabled) return handler;
  const access = new AccessLog(o.log);
  o.onAccessLog?.(access);
  return (req, socket, head) => {
    // SAFETY: the HTTP servers hand their `upgrade` listeners the connection's net.Socket
    const tcp = socket as Socket;
    const record = new UpgradeRecord(performance.now(), tcp.bytesRead, tcp.bytesWritten);
    trackUpgrade(req, record);
    tcp.once("close", () => {
      const seconds = (performance.now() - record.started) / 1000;
      access.writeUpgrade(record, req, tcp, seconds);
    });
    handler(req, socket, head);
  };
}
