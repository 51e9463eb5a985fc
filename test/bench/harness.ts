/**
 * Benchmark helpers: a seeded PRNG, side-by-side timing of several contenders (rounds
 * interleave them, so machine noise hits all alike) and medians. Timing is reported, never
 * asserted.
 */

/** A deterministic 32-bit PRNG (mulberry32), so every run sees the same inputs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One contender: a function called once per input. */
export interface Contender<I> {
  readonly name: string;
  readonly run: (input: I) => unknown;
  /** Calls per round for this contender (slow reference code gets fewer); default from options. */
  readonly calls?: number;
}

/** Median and spread of one contender's nanoseconds per call. */
export interface Timing {
  readonly name: string;
  readonly medianNs: number;
  readonly minNs: number;
  readonly maxNs: number;
}

/** Keeps results alive so the optimizer cannot drop the calls. */
let sink: unknown;

/** Returns the last result seen, so benches can print it and the work stays observable. */
export function lastSink(): unknown {
  return sink;
}

function timeOnce<I>(c: Contender<I>, inputs: readonly I[], calls: number): number {
  const n = inputs.length;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink = c.run(inputs[i % n] as I);
  return Number(process.hrtime.bigint() - start) / calls;
}

/**
 * Times contenders side by side: a warm-up, then `rounds` rounds in which each contender
 * makes `callsPerRound` calls over the inputs (the order rotates each round).
 */
export function compare<I>(
  contenders: readonly Contender<I>[],
  inputs: readonly I[],
  options: { rounds?: number; callsPerRound?: number; warmupCalls?: number } = {},
): Timing[] {
  const rounds = options.rounds ?? 7;
  const calls = options.callsPerRound ?? 100_000;
  for (const c of contenders) timeOnce(c, inputs, options.warmupCalls ?? c.calls ?? calls);
  const samples = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const idx = (k + r) % contenders.length;
      const c = contenders[idx] as Contender<I>;
      samples[idx]?.push(timeOnce(c, inputs, c.calls ?? calls));
    }
  }
  return contenders.map((c, i) => {
    const s = samples[i] ?? [];
    return { name: c.name, medianNs: median(s), minNs: Math.min(...s), maxNs: Math.max(...s) };
  });
}

/** Formats a nanosecond figure for tables. */
export function ns(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} µs` : `${value.toFixed(1)} ns`;
}
