/**
 * The proxy benchmarks' load generator, a process of its own that imports undici and nothing
 * else: a client that loaded the runtime, pino and the bench's roles (proxy-roles.ts) was
 * still collecting that start-up garbage (scavenges copying ~9–23 MB of survivors and a first
 * mark-compact) during the one-connection phase it measured, and each of those pauses landed
 * on the requests in flight (BENCHMARKS.md, fourteenth session).
 *
 * `rate` 0: closed loop, `connections` workers back to back (maximum throughput). `rate` > 0:
 * open loop at that many requests per second (latency and CPU at an equal load for every
 * contender, so batching effects do not favour the faster one). Before the timed warm-up,
 * `warmupRequests` requests back to back (closed loop) on the pool's connections: they open
 * the connections (TLS handshake included), compile the client's hot path and settle its heap.
 * The parent hears `{ phase: "measuring" }` when the measured window starts, `{ phase:
 * "measured" }` when it ends (before the requests still in flight drain and the connections
 * close, which the window does not count), and then the figures. With `cue`, it says `{ phase: "warm" }` after the timed warm-up instead and keeps
 * the load going until the parent sends `{ cmd: "measure" }`: two generators loading two
 * contenders at once then open their windows together (test/bench/load-phase.ts).
 * `RAMPART_BENCH_SAMPLES=1` adds every request's issue time (ms from the
 * window's start) and latency, and the client's GC pauses in the window, to see where the
 * slow requests lie.
 *
 *   node test/bench/load-generator.ts <port> <connections> <seconds> <rate> <headers JSON>
 *     <servername or ""> <path> <warm-up ms> [<warm-up requests>] [cue]
 */
import { PerformanceObserver } from "node:perf_hooks";
import { Pool } from "undici";

/** What the load generator reports. */
export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non200: number;
  /** With RAMPART_BENCH_SAMPLES=1: [issued ms from the window's start, latency ms] each. */
  readonly samples?: readonly (readonly [number, number])[];
  /** With RAMPART_BENCH_SAMPLES=1: the client's GC pauses in the window, [start ms, ms]. */
  readonly clientGcs?: readonly (readonly [number, number])[];
}

/** Where and how to load. */
export interface LoadPlan {
  readonly port: number;
  readonly connections: number;
  readonly seconds: number;
  readonly rate: number;
  readonly headers: Record<string, string>;
  /** TLS (keep-alive, one handshake per connection) to this server name; "" for plain HTTP. */
  readonly servername: string;
  readonly path: string;
  readonly warmupMs: number;
  readonly warmupRequests: number;
  /** Open the window on the parent's `{ cmd: "measure" }`, not right after the warm-up. */
  readonly startOnCue: boolean;
}

const send = (message: unknown): void => {
  process.send?.(message);
};

/** Says the warm-up is over and resolves on the parent's `{ cmd: "measure" }`. */
function cue(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: { cmd?: string }): void => {
      if (message.cmd !== "measure") return;
      process.off("message", onMessage);
      resolve();
    };
    process.on("message", onMessage);
    send({ phase: "warm" });
  });
}

/** Runs one load phase as `plan` says and sends its figures to the parent. */
export async function runLoad(plan: LoadPlan): Promise<void> {
  const tls = plan.servername !== "";
  const pool = new Pool(`${tls ? "https" : "http"}://127.0.0.1:${plan.port}`, {
    connections: plan.connections,
    pipelining: 1,
    ...(tls ? { connect: { servername: plan.servername, rejectUnauthorized: false } } : {}),
  });
  const keepSamples = process.env["RAMPART_BENCH_SAMPLES"] === "1";
  const latencies: number[] = [];
  const samples: [number, number][] = [];
  const clientGcs: [number, number][] = [];
  const counts = { errors: 0, non200: 0, measuring: false, running: true, windowStart: 0 };
  const once = async (): Promise<void> => {
    const t0 = performance.now();
    try {
      const res = await pool.request({ path: plan.path, method: "GET", headers: plan.headers });
      await res.body.dump();
      if (res.statusCode !== 200) counts.non200++;
    } catch {
      counts.errors++;
    }
    if (!counts.measuring) return;
    const ms = performance.now() - t0;
    latencies.push(ms);
    if (keepSamples) samples.push([t0 - counts.windowStart, ms]);
  };
  await Promise.all(
    Array.from({ length: plan.connections }, async (_, worker) => {
      for (let i = worker; i < plan.warmupRequests; i += plan.connections) await once();
    }),
  );
  const gcObserver = new PerformanceObserver((list) => {
    if (!counts.measuring) return;
    for (const e of list.getEntries())
      clientGcs.push([e.startTime - counts.windowStart, e.duration]);
  });
  if (keepSamples) gcObserver.observe({ entryTypes: ["gc"] });
  const inflight = new Set<Promise<void>>();
  let driver: Promise<unknown>;
  if (plan.rate > 0) {
    driver = (async () => {
      const started = performance.now();
      let sent = 0;
      while (counts.running) {
        const due = Math.floor(((performance.now() - started) / 1000) * plan.rate);
        for (; sent < due; sent++) {
          const p = once().finally(() => inflight.delete(p));
          inflight.add(p);
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
  } else {
    driver = Promise.all(
      Array.from({ length: plan.connections }, async () => {
        while (counts.running) await once();
      }),
    );
  }
  await new Promise((r) => setTimeout(r, plan.warmupMs));
  if (plan.startOnCue) await cue();
  send({ phase: "measuring" });
  counts.windowStart = performance.now();
  counts.measuring = true;
  await new Promise((r) => setTimeout(r, plan.seconds * 1000));
  counts.measuring = false;
  const elapsed = (performance.now() - counts.windowStart) / 1000;
  send({ phase: "measured" });
  counts.running = false;
  await driver;
  await Promise.all(inflight);
  await pool.close();
  gcObserver.disconnect();
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const result: LoadResult = {
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    errors: counts.errors,
    non200: counts.non200,
    ...(keepSamples ? { samples, clientGcs } : {}),
  };
  send(result);
}

/** The plan from this process's arguments (the usage line above). */
export function planFromArgs(args: readonly string[]): LoadPlan {
  return {
    port: Number(args[0]),
    connections: Number(args[1]),
    seconds: Number(args[2]),
    rate: Number(args[3]),
    headers: JSON.parse(args[4] ?? "{}") as Record<string, string>,
    servername: args[5] ?? "",
    path: args[6] ?? "/api/bench",
    warmupMs: args[7] === undefined ? 1000 : Number(args[7]),
    warmupRequests: args[8] === undefined ? 0 : Number(args[8]),
    startOnCue: args[9] === "cue",
  };
}

if (import.meta.main) {
  // A generator whose bench is gone (killed, crashed) stops instead of loading on.
  process.once("disconnect", () => process.exit(1));
  await runLoad(planFromArgs(process.argv.slice(2)));
}
