/**
 * The access log's writer: one JSON line per request in the logger's own format (level,
 * time, the logger's bindings, `msg: "request"`), appended to a batch that goes to the
 * logger's destination in one write every FLUSH_MS (or sooner past BATCH_BYTES) and on close,
 * like nginx's buffered access log. Going through `log.info` per request costs several
 * microseconds of object walking and a write per line (BENCHMARKS.md, issue #18); a line
 * built from known fields and a shared write cost a fraction of that. A destination that needs
 * per-line metadata (pino.multistream) gets `log.info` per line instead.
 */
import { pino } from "pino";
import type { Logger } from "pino";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { RequestRecord } from "./request-record.ts";
import type { UpgradeRecord } from "./upgrade-record.ts";

const FLUSH_MS = 100;
const BATCH_BYTES = 64 * 1024;
const INFO = 30;

interface Destination {
  write(chunk: string): unknown;
}

const str = (v: string | null | undefined): string => (v == null ? "null" : JSON.stringify(v));

/**
 * Quoted forms of values from a small vocabulary (tunnel labels, outcomes, stages, reasons,
 * methods), made once: quoting them on every line was a good part of the line's cost.
 */
class Quoted {
  readonly #cache = new Map<string, string>();

  of(v: string | null | undefined): string {
    if (v == null) return "null";
    let q = this.#cache.get(v);
    if (q === undefined) {
      q = JSON.stringify(v);
      // Bounded: a flood of odd values falls back to quoting each time.
      if (this.#cache.size < 4096) this.#cache.set(v, q);
    }
    return q;
  }
}

export class AccessLog {
  readonly #log: Logger;
  readonly #stream: Destination | null;
  readonly #bindings: string;
  #batch = "";
  readonly #quoted = new Quoted();
  #timer: NodeJS.Timeout | null = null;

  constructor(log: Logger) {
    this.#log = log;
    const raw = log as unknown as Record<symbol, unknown>;
    const stream = raw[pino.symbols.streamSym] as
      (Destination & Record<symbol, unknown>) | undefined;
    const needsMetadata = stream?.[pino.symbols.needsMetadataGsym] === true;
    this.#stream = stream === undefined || needsMetadata ? null : stream;
    const bindings = raw[pino.symbols.chindingsSym];
    this.#bindings = typeof bindings === "string" ? bindings : "";
  }

  /**
   * Appends the line of a finished request: its record, the response, how long it took and
   * whether the client went away. HOT PATH when the access log is on: it reads the fields
   * straight into the line, with no intermediate object.
   */
  write(record: RequestRecord, res: ServerResponse, seconds: number, aborted: boolean): void {
    if (this.#log.levelVal > INFO) return;
    const req = res.req;
    const socket = req.socket;
    const path = pathOf(req.url);
    if (this.#stream === null) {
      this.#log.info({ tunnel: record.tunnel, status: res.statusCode, path }, "request");
      return;
    }
    const q = this.#quoted;
    let line = `{"level":${INFO},"time":${Date.now()}${this.#bindings},"tunnel":${q.of(record.tunnel)},"outcome":${q.of(record.outcome || null)},"stage":${q.of(record.stage || null)},"reason":${q.of(record.reason || null)},"status":${res.statusCode},"ms":${Math.round(seconds * 1e6) / 1e3},"bytesIn":${socket.bytesRead - record.read0},"bytesOut":${socket.bytesWritten - record.written0},"method":${q.of(req.method)},"host":${q.of(req.headers.host)},"path":${str(path)}`;
    if (record.cause !== null) line += `,"cause":${str(record.cause)}`;
    if (aborted) line += `,"aborted":true`;
    if (record.timedOut) line += `,"timedOut":true`;
    this.#batch += `${line},"msg":"request"}\n`;
    if (this.#batch.length >= BATCH_BYTES) this.flush();
    else if (this.#timer === null) this.#timer = setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /**
   * Appends the line of a closed upgrade (issue #18): the same fields as a request's, with the
   * status the client got (101 for an opened tunnel) and `"upgrade":true`; the duration and
   * bytes cover the whole life of the connection.
   */
  writeUpgrade(record: UpgradeRecord, req: IncomingMessage, socket: Socket, seconds: number): void {
    if (this.#log.levelVal > INFO) return;
    const fields = {
      tunnel: record.tunnel,
      outcome: record.outcome || null,
      stage: record.stage || null,
      reason: record.reason || null,
      status: record.status,
      ms: Math.round(seconds * 1e6) / 1e3,
      bytesIn: socket.bytesRead - record.read0,
      bytesOut: socket.bytesWritten - record.written0,
      method: req.method ?? null,
      host: req.headers.host ?? null,
      path: pathOf(req.url),
      ...(record.cause === null ? {} : { cause: record.cause }),
      upgrade: true,
    };
    if (this.#stream === null) {
      this.#log.info(fields, "request");
      return;
    }
    const body = JSON.stringify(fields).slice(1, -1);
    this.#batch += `{"level":${INFO},"time":${Date.now()}${this.#bindings},${body},"msg":"request"}\n`;
    if (this.#batch.length >= BATCH_BYTES) this.flush();
    else if (this.#timer === null) this.#timer = setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Writes what is batched (also on shutdown). */
  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#batch === "" || this.#stream === null) return;
    const chunk = this.#batch;
    this.#batch = "";
    this.#stream.write(chunk);
  }
}

/** The path without the query: a query may carry a token (S-H7), never logged. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return "";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}
