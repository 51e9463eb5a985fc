/**
 * Relays one admitted stream connection to its upstream: connect (bounded), send the bytes
 * already read (a passthrough ClientHello), then pipe both ways with backpressure. An error or
 * an idle period on either side closes both; a half-close is passed on.
 */
import { Socket as NetSocket, connect } from "node:net";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { forwardPooled } from "./pooled-reads.ts";
import type { StreamUpstream } from "./upstream-address.ts";

/** How a relay ended, for logs and metrics. */
export type RelayEnd = "closed" | "connect_failed" | "connect_timeout" | "idle";

export interface RelayBounds {
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

/**
 * Pipes `client` to `upstream` (after `first`, when given) and calls `done` once at the end.
 * `pooledReadBytes`: the client's bytes go through reused buffers of that size
 * (pooled-reads.ts) instead of a new buffer per read; null: piped as is.
 */
export function relay(
  client: Duplex & { setTimeout?: Socket["setTimeout"] },
  upstream: StreamUpstream,
  first: Buffer | null,
  bounds: RelayBounds,
  done: (end: RelayEnd) => void,
  pooledReadBytes: number | null = null,
): void {
  // Hold what the client sends until the upstream is there: a TLS socket may already be
  // flowing, and bytes emitted before the pipe exists would be lost.
  client.pause();
  let ended = false;
  const finish = (end: RelayEnd): void => {
    if (ended) return;
    ended = true;
    client.destroy();
    server.destroy();
    done(end);
  };
  const server = connect({ host: upstream.host, port: upstream.port, allowHalfOpen: true });
  server.setNoDelay(true);
  const connectTimer = setTimeout(() => finish("connect_timeout"), bounds.connectTimeoutMs);
  connectTimer.unref();
  client.on("error", () => finish("closed"));
  client.on("close", () => finish("closed"));
  server.on("error", () => finish(connected ? "closed" : "connect_failed"));
  server.on("close", () => finish("closed"));
  let connected = false;
  server.once("connect", () => {
    connected = true;
    clearTimeout(connectTimer);
    if (first !== null && first.length > 0) server.write(first);
    const pooled =
      pooledReadBytes !== null &&
      client instanceof NetSocket &&
      forwardPooled(client, server, pooledReadBytes);
    if (!pooled) client.pipe(server);
    server.pipe(client);
    client.resume();
    // Idle time is watched on both sides: traffic either way keeps the relay open.
    server.setTimeout(bounds.idleTimeoutMs, () => finish("idle"));
    client.setTimeout?.(bounds.idleTimeoutMs, () => finish("idle"));
  });
}
