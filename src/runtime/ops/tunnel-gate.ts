/**
 * Per-tunnel admission to the upstream: at most `concurrency` requests of one tunnel are at
 * its upstream at once, up to `queue` more wait (first in, first out) for at most
 * `queueTimeoutMs`, and the rest are refused at once. Slow clients of one tunnel thus hold
 * that tunnel's slots only, never another tunnel's nor the engine's own endpoints (which are
 * answered without an upstream). Gates are keyed by tunnel label, so they survive reloads.
 */
import type { TunnelLimitOptions } from "../options.ts";

/** Why a request was refused a slot. */
export type BusyReason = "queue_full" | "queue_timeout";

/** What asks for a slot: started with a `release` once it has one, or told it is busy. */
export interface GateEntrant {
  start(release: () => void): void;
  busy(reason: BusyReason): void;
}

/** A request waiting for a slot. */
interface Waiter {
  readonly entrant: GateEntrant;
  timer: NodeJS.Timeout | null;
  settled: boolean;
}

class Gate {
  active = 0;
  /** Waiters not yet settled (the array also holds settled ones until they are shifted). */
  live = 0;
  readonly waiting: Waiter[] = [];
  head = 0;

  get queued(): number {
    return this.waiting.length - this.head;
  }

  shift(): Waiter | undefined {
    const w = this.waiting[this.head++];
    // Compact now and then instead of shifting the array on every release.
    if (this.head > 64 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    return w;
  }
}

/** Every tunnel's gate. */
export class TunnelGates {
  readonly #gates = new Map<string, Gate>();
  readonly #limits: TunnelLimitOptions;

  constructor(limits: TunnelLimitOptions) {
    this.#limits = limits;
  }

  /**
   * Calls `entrant.start` with a `release` to call once the upstream exchange is over (extra
   * calls do nothing), at once or when a slot frees; or `entrant.busy` when the queue is full
   * or the wait too long. Returns null, or, when the request waits, a function that cancels
   * the wait (for a request that goes away meanwhile).
   */
  enter(tunnel: string, entrant: GateEntrant): (() => void) | null {
    let gate = this.#gates.get(tunnel);
    if (gate === undefined) {
      gate = new Gate();
      this.#gates.set(tunnel, gate);
    }
    // HOT PATH: a free slot is a counter check and one closure.
    if (gate.active < this.#limits.concurrency) {
      gate.active++;
      entrant.start(this.#releaser(gate));
      return null;
    }
    if (gate.live >= this.#limits.queue) {
      entrant.busy("queue_full");
      return null;
    }
    const waiter: Waiter = { entrant, timer: null, settled: false };
    const g = gate;
    waiter.timer = setTimeout(() => {
      if (waiter.settled) return;
      waiter.settled = true;
      g.live--;
      entrant.busy("queue_timeout");
    }, this.#limits.queueTimeoutMs);
    gate.waiting.push(waiter);
    gate.live++;
    return () => {
      if (waiter.settled) return;
      waiter.settled = true;
      g.live--;
      if (waiter.timer !== null) clearTimeout(waiter.timer);
    };
  }

  /** Requests of `tunnel` at its upstream and waiting (tests, metrics). */
  load(tunnel: string): { active: number; queued: number } {
    const gate = this.#gates.get(tunnel);
    return { active: gate?.active ?? 0, queued: gate?.live ?? 0 };
  }

  #releaser(gate: Gate): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      gate.active--;
      this.#admitWaiting(gate);
    };
  }

  #admitWaiting(gate: Gate): void {
    while (gate.active < this.#limits.concurrency && gate.queued > 0) {
      const next = gate.shift();
      if (next === undefined || next.settled) continue;
      next.settled = true;
      gate.live--;
      if (next.timer !== null) clearTimeout(next.timer);
      gate.active++;
      next.entrant.start(this.#releaser(gate));
    }
  }
}
