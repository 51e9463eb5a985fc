/**
 * The embedded store for one instance: claims in a bounded ReplayCache, revocations in the
 * view itself. Nothing is shared: with several instances, use the Redis store (S-M1).
 */
import { ReplayCache } from "../challenge/replay-cache.ts";
import type { StateStoreMetrics } from "./metrics.ts";
import { RevocationView } from "./revocation-view.ts";
import type { ClaimResult, Revocation, SharedStateStore } from "./store.ts";

export class MemoryStore implements SharedStateStore {
  readonly kind = "memory";
  readonly view = new RevocationView();
  readonly metrics: StateStoreMetrics;
  readonly #claims: ReplayCache;

  constructor(maxClaims: number, metrics: StateStoreMetrics) {
    this.#claims = new ReplayCache(maxClaims);
    this.metrics = metrics;
    metrics.up.set(1);
  }

  available(): boolean {
    return true;
  }

  claimOnce(key: string, expiresAtSeconds: number): Promise<ClaimResult> {
    return Promise.resolve(this.#claims.claim(key, expiresAtSeconds) ? "claimed" : "replayed");
  }

  revoke(revocation: Revocation): Promise<boolean> {
    this.view.prune();
    this.view.apply(revocation);
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
