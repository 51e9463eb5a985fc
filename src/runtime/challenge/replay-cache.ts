/**
 * Solved challenges this instance has already accepted, so that one solution earns one
 * cookie (replays are refused). Entries live until their challenge expires; the map is
 * bounded, and when it is full the oldest entry goes first.
 *
 * Per instance only: with N instances behind a load balancer a solution could be redeemed
 * once on each of them within its short lifetime. That only earns more challenge cookies,
 * which identify nobody and grant nothing by themselves (S-C3); a shared store (or sticky
 * routing of the verification POST) closes the gap where that matters.
 */

/** A bounded set of keys, each remembered until its own expiry. */
export class ReplayCache {
  readonly #maxSize: number;
  // Insertion order is close to expiry order (every challenge lives the same time), so
  // pruning from the front is cheap.
  readonly #expiries = new Map<string, number>();

  constructor(maxSize: number) {
    this.#maxSize = maxSize;
  }

  /**
   * Records `key` until `expiresAtSeconds`; false when it was already recorded (a replay).
   * Synchronous, so two concurrent submissions of one solution cannot both win.
   */
  claim(key: string, expiresAtSeconds: number, nowSeconds: number = Date.now() / 1000): boolean {
    this.#prune(nowSeconds);
    const known = this.#expiries.get(key);
    if (known !== undefined && known > nowSeconds) return false;
    if (this.#expiries.size >= this.#maxSize) {
      const oldest = this.#expiries.keys().next();
      if (oldest.done !== true) this.#expiries.delete(oldest.value);
    }
    this.#expiries.set(key, expiresAtSeconds);
    return true;
  }

  /** Entries currently held. */
  get size(): number {
    return this.#expiries.size;
  }

  #prune(nowSeconds: number): void {
    for (const [key, expiry] of this.#expiries) {
      if (expiry > nowSeconds) return;
      this.#expiries.delete(key);
    }
  }
}
