/**
 * The proxy bench's Δ rows (issue #20's targets are differences: the full policy ≤ the best
 * plain Node proxy + 1 µs, TLS keep-alive ≤ plain + 10 µs). Each comes from windows in which
 * its two contenders are loaded at once (load-phase.ts says why), at the fixed rate and at
 * maximum throughput, and is printed as the median of the per-window differences with its 95 %
 * interval (median-interval.ts) and what that interval says of the target: met, not met, or
 * not decided by this run. An A/A row (rampart against a second process of the same role)
 * shows how finely the run resolves a difference at all; the two processes stand in for each
 * other in every other pass of the comparisons naming rampart, so both take part alike (a
 * process loaded in fewer windows than its twin cost 4–9 µs more per request: BENCHMARKS.md,
 * fifteenth session). A window in which either side answered an error or fell below 95 % of
 * the asked rate is dropped, and the row says how many were.
 */
import type { BenchRow } from "./bench-module.ts";
import { BUSY_AGAIN_REQUESTS, pairedPhase } from "./load-phase.ts";
import type { Target } from "./load-phase.ts";
import type { LoadResult } from "./load-generator.ts";
import { medianInterval, orderStatisticsFor, verdict } from "./median-interval.ts";

/** Two contenders (keys of proxy.ts's rows) and what their difference is held to. */
export type CpuComparison = {
  readonly label: string;
  readonly a: string;
  readonly b: string;
} & (
  | { /** The target: `a − b ≤ limit` µs. */ readonly limit: number }
  | { /** What a row without a target is for. */ readonly about: string }
);

/** The key of proxy.ts's second `rampart` process, the A/A row's other side. */
export const RAMPART_TWIN = "rampart-twin";

/** The A/A row: the one comparison in which the twin never stands in for rampart. */
const A_A: CpuComparison = {
  label: "Δ rampart − rampart, a second process of the same role (A/A)",
  a: "rampart",
  b: RAMPART_TWIN,
  about: "≈ 0: how finely this run resolves a Δ",
};

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
  A_A,
];

/** How the paired windows load: the bench's fixed rate and closed loop, `pairs` of each. */
export interface PairPlan {
  readonly pairs: number;
  readonly connections: number;
  readonly seconds: number;
  readonly rate: number;
}

/** One comparison's per-window differences, µs of CPU per request, and the windows dropped. */
export interface PairedDeltas {
  readonly comparison: CpuComparison;
  readonly fixed: number[];
  readonly max: number[];
  dropped: number;
}

/** Whether a window counts: no errors, and at a fixed `rate`, ≥ 95 % of it achieved. */
function counts(result: LoadResult, rate: number): boolean {
  return result.errors + result.non200 === 0 && (rate === 0 || result.rps >= 0.95 * rate);
}

/** The key measured for `key` in pass `pass`: rampart and its twin take turns. */
function standIn(key: string, comparison: CpuComparison, pass: number): string {
  return key === "rampart" && comparison !== A_A && pass % 2 === 1 ? RAMPART_TWIN : key;
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
  const runnable: PairedDeltas[] = comparisons
    .filter((c) => targets.has(c.a) && targets.has(c.b))
    .map((comparison) => ({ comparison, fixed: [], max: [], dropped: 0 }));
  const warmup = { ms: 300, requests: BUSY_AGAIN_REQUESTS };
  const base = { connections: plan.connections, seconds: plan.seconds, warmup };
  for (let pass = 0; pass < plan.pairs; pass++) {
    for (let k = 0; k < runnable.length; k++) {
      const entry = runnable[(k + pass) % runnable.length] as PairedDeltas;
      const { comparison } = entry;
      const target = (key: string): Target =>
        (targets.get(standIn(key, comparison, pass)) ?? targets.get(key)) as Target;
      const [a, b] = [target(comparison.a), target(comparison.b)];
      for (const [rate, into] of [
        [plan.rate, entry.fixed],
        [0, entry.max],
      ] as const) {
        const first = (pass + (rate === 0 ? 1 : 0)) % 2 === 0 ? "a" : "b";
        const [ra, rb] = await pairedPhase(a, b, { ...base, rate }, first);
        if (counts(ra.result, rate) && counts(rb.result, rate))
          into.push(ra.cpuMicrosPerRequest - rb.cpuMicrosPerRequest);
        else entry.dropped++;
      }
    }
  }
  return runnable;
}

const fmt = (n: number): string => n.toFixed(1);

/** A median with its interval, or why there is none. */
function withInterval(values: readonly number[]): string {
  if (values.length === 0) return "no window counted";
  const i = medianInterval(values);
  return `${fmt(i.median)} µs (${fmt(i.lo)} … ${fmt(i.hi)})`;
}

/** What `values` say of `a − b ≤ limit`. */
function verdictOf(values: readonly number[], limit: number): string {
  return values.length === 0 ? "not decided" : verdict(medianInterval(values), limit);
}

/** The Δ rows, in the bench's CPU columns: `fixedColumn` (its headline) and `maxColumn`. */
export function pairedRows(
  deltas: readonly PairedDeltas[],
  fixedColumn: string,
  maxColumn: string,
  rateLabel: string,
): BenchRow[] {
  return deltas.map(({ comparison, fixed, max, dropped }) => {
    const held =
      "limit" in comparison
        ? `≤ ${comparison.limit} µs: ${verdictOf(fixed, comparison.limit)} ${rateLabel}, ${verdictOf(max, comparison.limit)} at max`
        : comparison.about;
    const target = dropped === 0 ? held : `${held} (${dropped} windows dropped: errors or behind)`;
    return {
      label: comparison.label,
      figures: { [fixedColumn]: withInterval(fixed), [maxColumn]: withInterval(max), target },
    };
  });
}

/** What the Δ rows' intervals are, for the bench's closing row. */
export function describePairs(pairs: number, seconds: number): string {
  const { coverage } = orderStatisticsFor(pairs);
  return `Δ rows: ${pairs} paired ${seconds} s windows per pace, both contenders loaded at once, rampart and its twin taking turns; median (interval holding the median with ${(100 * coverage).toFixed(0)} %, each end a one-sided ${(50 + 50 * coverage).toFixed(0)} % bound)`;
}
