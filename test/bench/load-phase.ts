/**
 * Load phases of the proxy bench: a fresh test/bench/load-generator.ts process loads one
 * contender, and the contender's CPU is read from /proc when the generator opens its window
 * and when it closes it (before the generator drains its last requests and its connections).
 *
 * `pairedPhase` loads two contenders at once, one generator each, both windows opened on the
 * same cue. A difference between two contenders measured one after the other carries the
 * host's drift between the two phases (a shared 2-core VM: frequency, neighbours, steal); two
 * loaded together share it, and their difference keeps only what differs between them. In
 * the lead's quiet runs (BENCHMARKS.md, fifteenth session) two processes of the same role
 * differed per 2 s window by 7–8 µs (standard deviation) measured one after the other, and by
 * 2.7–4.6 µs loaded together. Both contenders then run on a machine busier than when each runs
 * alone, so their absolute figures are higher than a phase of one alone: pairs are for
 * differences, single phases for absolute figures.
 */
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { LoadResult } from "./load-generator.ts";
import { cpuNanosOf } from "./process-cpu.ts";
import { waitFor } from "./child-message.ts";

const LOAD_GENERATOR = join(import.meta.dirname, "load-generator.ts");

/**
 * Requests sent back to back before a phase's timed warm-up, so a contender that sat idle
 * while the others were measured is busy again when its window opens. In the lead's quiet
 * runs (BENCHMARKS.md, fifteenth session), with a 300 ms warm-up only, rampart cost 42.8 µs
 * per request at max in a run of 2 contenders and 75.5 µs in a run of 19, where each waits
 * ~100 s between its phases (with these requests, 59.5 µs in a run of 11). They do not make
 * a process loaded in few paired windows the equal of one loaded in many: proxy-pairs.ts
 * gives every comparison two processes of its own for that.
 */
export const BUSY_AGAIN_REQUESTS = 4000;

/** Where a contender is loaded, and whose CPU counts. */
export interface Target {
  readonly port: number;
  /** TLS to this server name; "" for plain HTTP. */
  readonly servername: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly pids: () => number[];
}

/** How a phase loads: closed loop (`rate` 0) or at `rate` requests/s, and its warm-up. */
export interface PhasePlan {
  readonly connections: number;
  readonly seconds: number;
  readonly rate: number;
  /** Timed warm-up at the phase's pace, and requests back to back before it. */
  readonly warmup: { readonly ms: number; readonly requests?: number };
}

/** One contender's figures over one window. */
export interface PhaseResult {
  readonly result: LoadResult;
  readonly cpuMicrosPerRequest: number;
}

function startGenerator(target: Target, plan: PhasePlan, cue: boolean): ChildProcess {
  const args = [
    target.port,
    plan.connections,
    plan.seconds,
    plan.rate,
    JSON.stringify(target.headers),
    target.servername,
    target.path,
    plan.warmup.ms,
    plan.warmup.requests ?? 0,
    ...(cue ? ["cue"] : []),
  ];
  return fork(LOAD_GENERATOR, args.map(String), {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** The contender's CPU from the generator's `measuring` to its `measured`, and its figures. */
async function measured(loader: ChildProcess, target: Target): Promise<PhaseResult> {
  // Every listener first: the messages may arrive in one read.
  const opened = waitFor(loader, (m) => m["phase"] === "measuring");
  const closed = waitFor(loader, (m) => m["phase"] === "measured");
  const figures = waitFor<LoadResult>(loader, (m) => "rps" in m);
  // If the generator dies, all three reject for that one cause; the first awaited reports it.
  for (const later of [closed, figures]) later.catch(() => undefined);
  await opened;
  const pids = target.pids();
  const before = cpuNanosOf(pids);
  await closed;
  const used = cpuNanosOf(pids) - before;
  const result = await figures;
  return { result, cpuMicrosPerRequest: used / 1000 / Math.max(1, result.requests) };
}

/** One load phase on one contender. */
export async function phase(target: Target, plan: PhasePlan): Promise<PhaseResult> {
  const loader = startGenerator(target, plan, false);
  try {
    return await measured(loader, target);
  } finally {
    loader.kill();
  }
}

/** Sends `message` to a child, rejecting if its channel is gone (the child exited). */
function sendTo(child: ChildProcess, message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    child.send(message as object, (error) => (error === null ? resolve() : reject(error)));
  });
}

/**
 * One window on two contenders loaded at once. `firstForked` names whose generator is forked
 * first (callers alternate it, so neither side always gets the head start).
 */
export async function pairedPhase(
  a: Target,
  b: Target,
  plan: PhasePlan,
  firstForked: "a" | "b" = "a",
): Promise<[PhaseResult, PhaseResult]> {
  const headStart = firstForked === "b" ? startGenerator(b, plan, true) : undefined;
  const loaderA = startGenerator(a, plan, true);
  const loaderB = headStart ?? startGenerator(b, plan, true);
  try {
    const warm = [loaderA, loaderB].map((l) => waitFor(l, (m) => m["phase"] === "warm"));
    await Promise.all(warm);
    const results = Promise.all([measured(loaderA, a), measured(loaderB, b)]);
    results.catch(() => undefined); // awaited below, unless a cue cannot be sent
    await Promise.all([loaderA, loaderB].map((l) => sendTo(l, { cmd: "measure" })));
    return await results;
  } finally {
    loaderA.kill();
    loaderB.kill();
  }
}
