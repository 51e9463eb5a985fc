/**
 * Picks the shared store from the `state` option: absent, the embedded memory store (one
 * instance); `redis://` or `rediss://`, the Redis store (a fleet, S-M1).
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { MemoryStore } from "./memory-store.ts";
import { StateStoreMetrics } from "./metrics.ts";
import { RedisStore } from "./redis-store.ts";
import type { SharedStateStore } from "./store.ts";

export interface StateOptions {
  /** `redis://…` or `rediss://…`; absent: in memory. */
  readonly url?: string | undefined;
  /** Key and channel prefix, so several fleets can share one Redis. */
  readonly prefix: string;
  /** How long start-up waits for the first connection before serving without it. */
  readonly connectWaitMs: number;
  /** Claims the memory store remembers at most. */
  readonly memoryClaims: number;
}

export async function createStateStore(
  options: StateOptions,
  registry: Registry,
  log: Logger,
): Promise<SharedStateStore> {
  const metrics = new StateStoreMetrics(registry);
  if (options.url === undefined) return new MemoryStore(options.memoryClaims, metrics);
  const store = new RedisStore({
    url: options.url,
    prefix: options.prefix,
    log: log.child({ component: "state" }),
    metrics,
  });
  await store.start(options.connectWaitMs);
  return store;
}
