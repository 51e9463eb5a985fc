/**
 * The proxy bench's Δ rows (issue #20's targets are differences: the full policy ≤ the best
 * plain Node proxy + 1 µs, TLS keep-alive ≤ plain + 10 µs). Each comes from windows in which
 * its two contenders are loaded at once (load-phase.ts says why), at the fixed rate and at
 * maximum throughput, and is printed as the median of the per-window differences with its 95 %
 * interval (median-interval.ts) and what that interval says of the target: met, not met, or
 * not decided by this run. An A/A row (rampart against a second process of the same role)
 * shows how finely the run resolves a difference at all.
 */
import type { BenchRow } from "./bench-module.ts";
import { BUSY_AGAIN_REQUESTS, pairedPhase } from "./load-phase.ts";
import type { Target } from "./load-phase.ts";
import { medianInterval, verdict } from "./median-interval.ts";
import type { MedianInterval } from "./median-interval.ts";

/** Two contenders (keys of proxy.ts's rows) and what their difference is held to. */
export interface CpuComparison {
  readonly label: string;
  readonly a: string;
  readonly b: string;
  /** The target `a − b ≤ limit` µs; without one, `about` says what the row is for. */
  readonly limit?: number;
  readonly about?: string;
}

/** The key of proxy.ts's second `rampart` process, the A/A row's other side. */
export const RAMPART_TWIN = "rampart-twin";

export const CPU_COMPARISONS: readonly CpuComparison[] = [
  {
    label: "Δ rampart full policy − undici Pool.stream proxy",
    a: "rampart",
    b: "minimal-undici",
    limit: 1,
  },
  {
    label: "Δ rampart open tunnel − undici Pool.stream proxy",
    a: "rampart-open",
    b: "minimal-undici",
    limit: 0,
  },
  {
    label: "Δ rampart full policy − undici proxy, same request (with the token)",
    a: "rampart",
    b: "minimal-undici-token",
    limit: 1,
  },
  {
    label: "Δ rampart open tunnel − undici proxy, same request (with the token)",
    a: "rampart-open",
    b: "minimal-undici-token",
    limit: 0,
  },
  { label: "Δ rampart access log on − off", a: "rampart-access-log", b: "rampart", limit: 3 },
  { label: "Δ rampart TLS keep-alive − plain", a: "rampart-tls", b: "rampart", limit: 10 },
  {
    label: "Δ node:https − node:http, undici proxy (what HTTP over TLS costs Node)",
    a: "minimal-undici-tls",
    b: "minimal-undici",
    about: "the row rampart's TLS Δ is held against",
  },
  {
    label: "Δ node:https − node:http answering themselves (Node's HTTP server over TLS)",
    a: "node-http-tls",
    b: "node-http",
    about: "what Node's HTTP server adds over TLS, above the floor below",
  },
  {
    label: "Δ bare tls − bare net (what encryption costs Node)",
    a: "tls-echo",
    b: "plain-echo",
    about: "the floor of the row above",
  },
  {
    label: "Δ rampart − rampart, a second process of the same role (A/A)",
    a: "rampart",
    b: RAMPART_TWIN,
    about: "≈ 0: how finely this run resolves a Δ",
  },
];

/** How the paired windows load: the bench's fixed rate and closed loop, `pairs` of each. */
export interface PairPlan {
  readonly pairs: number;
  readonly connections: number;
  readonly seconds: number;
  readonly rate: number;
}

/** One comparison's per-window differences, µs of CPU per request. */
export interface PairedDeltas {
  readonly comparison: CpuComparison;
  readonly fixed: number[];
  readonly max: number[];
}

/**
 * Runs `plan.pairs` windows at the fixed rate and at max for every comparison whose two
 * contenders are in `targets`. Comparisons interleave, their order rotating each pass, and
 * which generator starts first alternates, so no comparison owns a quieter stretch of the run.
 */
export async function runPairs(
  targets: ReadonlyMap<string, Target>,
  plan: PairPlan,
  comparisons: readonly CpuComparison[] = CPU_COMPARISONS,
): Promise<PairedDeltas[]> {
  const runnable = comparisons
    .filter((c) => targets.has(c.a) && targets.has(c.b))
    .map((comparison) => ({ comparison, fixed: [] as number[], max: [] as number[] }));
  const warmup = { ms: 300, requests: BUSY_AGAIN_REQUESTS };
  const base = { connections: plan.connections, seconds: plan.seconds, warmup };
  for (let w = 0; w < plan.pairs; w++) {
    for (let k = 0; k < runnable.length; k++) {
      const entry = runnable[(k + w) % runnable.length] as PairedDeltas;
      const a = targets.get(entry.comparison.a) as Target;
      const b = targets.get(entry.comparison.b) as Target;
      const firstB = w % 2 === 1;
      const [fa, fb] = await pairedPhase(a, b, { ...base, rate: plan.rate }, firstB);
      entry.fixed.push(fa.cpuMicrosPerRequest - fb.cpuMicrosPerRequest);
      const [ma, mb] = await pairedPhase(a, b, { ...base, rate: 0 }, !firstB);
      entry.max.push(ma.cpuMicrosPerRequest - mb.cpuMicrosPerRequest);
    }
  }
  return runnable;
}

const fmt = (n: number): string => n.toFixed(1);

function withInterval(i: MedianInterval): string {
  return `${fmt(i.median)} µs (${fmt(i.lo)} … ${fmt(i.hi)})`;
}

/** The Δ rows, in the bench's CPU columns: `fixedColumn` (its headline) and `maxColumn`. */
export function pairedRows(
  deltas: readonly PairedDeltas[],
  fixedColumn: string,
  maxColumn: string,
  rateLabel: string,
): BenchRow[] {
  return deltas.map(({ comparison, fixed, max }) => {
    const atRate = medianInterval(fixed);
    const atMax = medianInterval(max);
    const { limit } = comparison;
    const target =
      limit === undefined
        ? (comparison.about ?? "")
        : `≤ ${limit} µs: ${verdict(atRate, limit)} ${rateLabel}, ${verdict(atMax, limit)} at max`;
    return {
      label: comparison.label,
      figures: { [fixedColumn]: withInterval(atRate), [maxColumn]: withInterval(atMax), target },
    };
  });
}

/** What the Δ rows' intervals are, for the bench's closing row. */
export function describePairs(pairs: number, seconds: number): string {
  const coverage =
    pairs > 0 ? medianInterval(Array.from({ length: pairs }, (_, i) => i)).coverage : 0;
  return `Δ rows: ${pairs} paired ${seconds} s windows per pace, both contenders loaded at once; median (interval holding the median with ${(100 * coverage).toFixed(0)} %)`;
}
