/**
 * CPU time of other processes, in nanoseconds, from Linux's scheduler statistics: the sum of
 * `/proc/PID/task/TID/schedstat` (time on CPU) over every thread, so Node's helper threads
 * and an nginx worker are counted alike. Finer than getrusage's ticks, and it needs nothing
 * from the process measured.
 */
import { readdirSync, readFileSync } from "node:fs";

/** CPU nanoseconds used so far by every thread of `pid` (0 once it is gone). */
export function cpuNanos(pid: number): number {
  let total = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // A thread that ended while listing.
    }
  }
  return total;
}

/** CPU nanoseconds of several processes together. */
export function cpuNanosOf(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuNanos(pid), 0);
}

/** The worker processes of an nginx master (its children). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter((s) => s !== "")
      .map(Number);
  } catch {
    return [];
  }
}
