/**
 * Loaded into a proxy role by proxy-tail.ts (`node --import`): records, for every request an
 * HTTP or HTTPS server of the process emits, when the server emitted it and when its response
 * finished (the last byte handed to the socket), with the process's GC pauses and event-loop
 * delay, on wall-clock time shared with the client (`performance.timeOrigin` + `now()`).
 * `{ cmd: "tail-dump" }` over IPC answers with what was recorded since the last one.
 */
import { Server as HttpServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Server as HttpsServer } from "node:https";
import { PerformanceObserver, monitorEventLoopDelay, performance } from "node:perf_hooks";

/** One request as the proxy saw it: when it was emitted, when its response finished (0: not yet). */
export interface ServedRecord {
  readonly emitted: number;
  finished: number;
}

/** One GC pause: its start and its length, in ms. */
export interface GcPause {
  readonly start: number;
  readonly ms: number;
}

/** What the probe answers to `tail-dump`. */
export interface TailDump {
  readonly served: readonly ServedRecord[];
  readonly gcs: readonly GcPause[];
  /** The proxy's event-loop delay (1 ms resolution): how late its callbacks ran, in ms. */
  readonly loopDelay: { readonly p99: number; readonly max: number };
}

const wallNow = (): number => performance.timeOrigin + performance.now();

const served: ServedRecord[] = [];
const gcs: GcPause[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    gcs.push({ start: performance.timeOrigin + entry.startTime, ms: entry.duration });
}).observe({ entryTypes: ["gc"] });

// Every server's `request` event: rampart's servers are built inside the runtime, out of reach.
for (const server of [HttpServer, HttpsServer]) {
  const emit = server.prototype.emit as (
    this: HttpServer,
    event: string | symbol,
    ...args: unknown[]
  ) => boolean;
  server.prototype.emit = function emitRecorded(
    this: HttpServer,
    event: string | symbol,
    ...args: unknown[]
  ): boolean {
    if (event === "request") {
      const record: ServedRecord = { emitted: wallNow(), finished: 0 };
      served.push(record);
      (args[1] as ServerResponse<IncomingMessage>).once("finish", () => {
        record.finished = wallNow();
      });
    }
    return emit.call(this, event, ...args);
  };
}

process.on("message", (m: { cmd?: string }) => {
  if (m.cmd !== "tail-dump") return;
  const dump: TailDump = {
    served: served.splice(0),
    gcs: gcs.splice(0),
    loopDelay: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  };
  loopDelay.reset();
  process.send?.({ tail: dump });
});
