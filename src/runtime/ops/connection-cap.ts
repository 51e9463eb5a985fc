/**
 * The global cap on client connections across the tunnel listeners. A connection past the cap
 * is closed at accept, counted, and logged — at most one line per LOG_INTERVAL_MS with the
 * number refused since the last one, so an attack cannot flood the log. The admin listener is
 * not counted, so `/healthz`, `/readyz` and `/metrics` stay reachable at the cap.
 */
import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { TrafficMetrics } from "./traffic-metrics.ts";

const LOG_INTERVAL_MS = 10_000;

export class ConnectionCap {
  readonly #max: number;
  readonly #metrics: TrafficMetrics;
  readonly #log: Logger;
  readonly #open = new Set<Socket>();
  #refusedSinceLog = 0;
  #lastLog = -Infinity;

  constructor(max: number, metrics: TrafficMetrics, log: Logger) {
    this.#max = max;
    this.#metrics = metrics;
    this.#log = log;
  }

  /** The open connections (shutdown ends what outlives the grace period). */
  get open(): ReadonlySet<Socket> {
    return this.#open;
  }

  /** Admits `socket`, or closes it and returns false when the cap is reached. */
  admit(socket: Socket): boolean {
    if (this.#open.size >= this.#max) {
      socket.destroy();
      this.#refused();
      return false;
    }
    this.#open.add(socket);
    this.#metrics.openConnections.inc();
    socket.once("close", () => {
      this.#open.delete(socket);
      this.#metrics.openConnections.dec();
    });
    return true;
  }

  #refused(): void {
    this.#metrics.connectionsRefused.inc();
    this.#refusedSinceLog++;
    const now = performance.now();
    if (now - this.#lastLog < LOG_INTERVAL_MS) return;
    this.#log.warn(
      { max: this.#max, refused: this.#refusedSinceLog },
      "connection cap reached; new connections are closed",
    );
    this.#lastLog = now;
    this.#refusedSinceLog = 0;
  }
}
