/**
 * The proxy bench's Δ rows (issue #20's targets are differences: the full policy ≤ the best
 * plain Node proxy + 1 µs, TLS keep-alive ≤ plain + 10 µs). Each comes from windows in which
 * its two contenders are loaded at once (load-phase.ts says why), at the fixed rate and at
 * maximum throughput, and is printed as the median of the per-window differences with its 95 %
 * interval (median-interval.ts) and what that interval says of the target: met, not met, or
 * not decided by this run. An A/A row (two processes of rampart's role) shows how finely the
 * run resolves a difference at all. A window in which either side answered an error or fell
 * below 95 % of the asked rate is dropped, and the row says how many were.
 *
 * Every comparison loads two processes of its own, started for it and loaded in its windows
 * only, so every process takes part in as many windows as any other: a process loaded in
 * fewer windows than its partner cost 4–9 µs more per request (BENCHMARKS.md, fifteenth
 * session), and a contender shared by several comparisons made the rows of the others, whose
 * contenders it outnumbered, read high (the access log's and TLS's).
 */
import type { BenchRow } from "./bench-module.ts";
import { BUSY_AGAIN_REQUESTS, pairedPhase, phase } from "./load-phase.ts";
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
    b: "rampart",
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

/** A comparison with the two processes that stand for it in its windows. */
export interface PairedContenders {
  readonly comparison: CpuComparison;
  readonly a: Target;
  readonly b: Target;
}

/**
 * Runs `plan.pairs` windows at the fixed rate and at max for every comparison. Each process is
 * first loaded alone once (its JIT and start-up GCs, ~1–3 s), then the comparisons interleave,
 * their order rotating each pass, and which generator starts first alternates, so no
 * comparison owns a quieter stretch of the run.
 */
export async function runPairs(
  contenders: readonly PairedContenders[],
  plan: PairPlan,
): Promise<PairedDeltas[]> {
  const warmup = { ms: 300, requests: BUSY_AGAIN_REQUESTS };
  const base = { connections: plan.connections, seconds: plan.seconds, warmup };
  for (const target of contenders.flatMap(({ a, b }) => [a, b]))
    await phase(target, { ...base, rate: 0, warmup: { ...warmup, ms: 1000 } });
  const runnable = contenders.map((c) => ({
    ...c,
    deltas: { comparison: c.comparison, fixed: [], max: [], dropped: 0 } as PairedDeltas,
  }));
  for (let pass = 0; pass < plan.pairs; pass++) {
    for (let k = 0; k < runnable.length; k++) {
      const { a, b, deltas } = runnable[(k + pass) % runnable.length] as (typeof runnable)[0];
      for (const [rate, into] of [
        [plan.rate, deltas.fixed],
        [0, deltas.max],
      ] as const) {
        const first = (pass + (rate === 0 ? 1 : 0)) % 2 === 0 ? "a" : "b";
        const [ra, rb] = await pairedPhase(a, b, { ...base, rate }, first);
        if (counts(ra.result, rate) && counts(rb.result, rate))
          into.push(ra.cpuMicrosPerRequest - rb.cpuMicrosPerRequest);
        else deltas.dropped++;
      }
    }
  }
  return runnable.map((r) => r.deltas);
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
  return `Δ rows: ${pairs} paired ${seconds} s windows per pace, both contenders loaded at once, each comparison with two processes of its own; median (interval holding the median with ${(100 * coverage).toFixed(0)} %, each end a one-sided ${(50 + 50 * coverage).toFixed(0)} % bound)`;
}
