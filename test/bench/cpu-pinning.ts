/**
 * One proxy core (issue #20): the contender of a side-by-side bench runs alone on one CPU, and
 * everything else the bench starts (the load generator, the upstream, the bench itself) on
 * another, so the contender never waits for the load it is measured under and the load never
 * competes with it for a core. Pinning uses util-linux's `taskset` on every thread of a
 * process (`-a`); threads a process starts later inherit its mask. It is opt-in
 * (`RAMPART_BENCH_PIN=1`): on a 2-core machine the load generator, the upstream and the bench
 * then share one CPU, and in the lead's quiet runs (BENCHMARKS.md, seventh session) that put
 * p99 latencies up 2–10× and the rounds' spread of every Δ up ~5× against an unpinned run of
 * the same tree; on a machine busy with other work a pinned process also gets a share of its
 * CPU only. Without `taskset` or with fewer than two CPUs nothing is pinned; the bench says
 * which next to its figures.
 */
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

/** The CPUs of a pinned run, or why the run is not pinned. */
export type Pinning =
  | { readonly pinned: true; readonly contenderCpu: number; readonly otherCpu: number }
  | { readonly pinned: false; readonly note: string };

function taskset(args: string[]): string {
  return execFileSync("taskset", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The affinity mask (hexadecimal, as taskset prints it) of `pid`, or null without taskset. */
function maskOf(pid: number): string | null {
  try {
    const printed = taskset(["-p", String(pid)]);
    return /:\s*([0-9a-f]+)\s*$/i.exec(printed)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Pins every thread of `pid` to `cpu`; false when the process is gone or taskset failed. */
export function pinProcess(pid: number, cpu: number): boolean {
  try {
    taskset(["-a", "-p", "-c", String(cpu), String(pid)]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pins this process (so every child it forks from now on starts there) to the last CPU but
 * one, and keeps the last CPU for the contenders. Returns the plan and what undoes it.
 */
export function pinBench(): { pinning: Pinning; restore: () => void } {
  const none = (note: string) => ({ pinning: { pinned: false, note } as const, restore: () => {} });
  if (process.env["RAMPART_BENCH_PIN"] !== "1")
    return none("not pinned (RAMPART_BENCH_PIN=1 pins the contender to one CPU)");
  const cpus = availableParallelism();
  if (cpus < 2) return none(`not pinned: ${cpus} CPU available, one proxy core needs two`);
  const mask = maskOf(process.pid);
  if (mask === null) return none("not pinned: no `taskset` (util-linux) on this machine");
  // The last two CPUs the process may use; on a 2-core machine, CPU 0 and CPU 1.
  const allowed = allowedCpus(mask);
  const contenderCpu = allowed.at(-1);
  const otherCpu = allowed.at(-2);
  if (contenderCpu === undefined || otherCpu === undefined)
    return none(`not pinned: this process may run on one CPU only (mask ${mask})`);
  if (!pinProcess(process.pid, otherCpu)) return none("not pinned: `taskset` refused");
  return {
    pinning: { pinned: true, contenderCpu, otherCpu },
    restore: () => {
      try {
        taskset(["-a", "-p", mask, String(process.pid)]);
      } catch {
        // The bench ends with its process; nothing else depends on the mask.
      }
    },
  };
}

/** The CPU numbers set in a hexadecimal affinity mask, ascending. */
export function allowedCpus(mask: string): number[] {
  const cpus: number[] = [];
  const bits = BigInt(`0x${mask}`);
  for (let cpu = 0; cpu < 1024 && bits >> BigInt(cpu) !== 0n; cpu++)
    if (((bits >> BigInt(cpu)) & 1n) === 1n) cpus.push(cpu);
  return cpus;
}

/** How a run was pinned, for the bench's load-average row. */
export function describePinning(p: Pinning): string {
  return p.pinned
    ? `contender alone on CPU ${p.contenderCpu}; load generator, upstream and bench on CPU ${p.otherCpu} (taskset)`
    : p.note;
}
