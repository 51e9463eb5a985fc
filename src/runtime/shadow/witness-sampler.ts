/**
 * Which disagreements are logged as witness lines: the first `perMinute` of each key (a rule
 * pair on a tunnel) in each minute. The others are counted, and at the end of the minute (or at shutdown) one line
 * per pair says how many were not logged, so a log still adds up to every disagreement. The
 * pairs tracked in a minute are capped; past the cap a disagreement is counted under `other`.
 */
import type { PairRecord } from "./witness-record.ts";

/** One pair's minute. */
interface PairWindow {
  readonly pair: PairRecord;
  logged: number;
  notLogged: number;
}

/** A pair whose disagreements were not all logged in the minute that ended. */
export interface NotLogged {
  readonly pair: PairRecord;
  readonly count: number;
}

const MINUTE_MS = 60_000;
const NONE: NotLogged[] = [];

export class WitnessSampler {
  readonly #perMinute: number;
  readonly #maxPairs: number;
  readonly #now: () => number;
  #minute = -1;
  #windows = new Map<string, PairWindow>();
  #overflow = 0;

  constructor(perMinute: number, maxPairs: number, now: () => number = Date.now) {
    this.#perMinute = perMinute;
    this.#maxPairs = maxPairs;
    this.#now = now;
  }

  /**
   * The pair to log this disagreement of `key` under, or null to count it only; and what the
   * minute that just ended left unlogged (empty unless this is the minute's first).
   */
  admit(key: string, pairOf: () => PairRecord): { pair: PairRecord | null; ended: NotLogged[] } {
    const minute = Math.floor(this.#now() / MINUTE_MS);
    const ended = minute === this.#minute ? NONE : this.flush();
    this.#minute = minute;
    let window = this.#windows.get(key);
    if (window === undefined) {
      if (this.#windows.size >= this.#maxPairs) {
        this.#overflow++;
        return { pair: null, ended };
      }
      // The pair's words are built once per pair and minute, not per disagreement.
      window = { pair: pairOf(), logged: 0, notLogged: 0 };
      this.#windows.set(key, window);
    }
    if (window.logged < this.#perMinute) {
      window.logged++;
      return { pair: window.pair, ended };
    }
    window.notLogged++;
    return { pair: null, ended };
  }

  /** Ends the current minute: every pair with unlogged disagreements, then starts afresh. */
  flush(): NotLogged[] {
    const ended: NotLogged[] = [];
    for (const w of this.#windows.values())
      if (w.notLogged > 0) ended.push({ pair: w.pair, count: w.notLogged });
    if (this.#overflow > 0) ended.push({ pair: OVERFLOW_PAIR, count: this.#overflow });
    this.#windows = new Map();
    this.#overflow = 0;
    return ended;
  }
}

/** Disagreements of pairs past the per-minute cap, summed. */
const OVERFLOW_PAIR: PairRecord = {
  kind: "changed",
  change: "answered differently",
  tunnel: "other",
  runningRule: "other",
  candidateRule: "other",
  running: "other",
  candidate: "other",
};
