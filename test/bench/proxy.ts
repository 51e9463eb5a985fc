/**
 * Proxy throughput (issue #5): requests/s, p50/p99 latency and proxy CPU µs per request on
 * loopback, `rampart serve` with a full policy side by side with minimal node:http reverse
 * proxies (http.request, and an undici Pool — the upstream client the runtime uses). Every
 * party runs in its own process (test/bench/proxy-roles.ts); the load generator is an undici
 * client with a fixed number of connections. Targets: ≥ 85% of the minimal proxy's requests/s,
 * p99 overhead under 1 ms. Reported, never asserted.
 */
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { pipelineCpuMicros } from "./proxy-pipeline.ts";
import { startRedis } from "../integration/redis-harness.ts";

const ROLES = join(import.meta.dirname, "proxy-roles.ts");

/** What the load generator reports. */
interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non200: number;
}

function spawnRole(role: string, args: (string | number)[]): ChildProcess {
  return fork(ROLES, [role, ...args.map(String)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

function nextMessage<T>(
  child: ChildProcess,
  accept: (m: Record<string, unknown>) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>): void => {
      if (!accept(m)) return;
      child.off("message", onMessage);
      resolve(m as T);
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new Error(`bench process exited with ${String(code)}`)));
  });
}

/** One load phase against a running proxy, with the proxy's CPU time over the measured window. */
async function phase(
  proxy: ChildProcess,
  port: number,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
  rate: number,
): Promise<{ result: LoadResult; cpuMicros: number }> {
  const loader = spawnRole("load", [port, connections, seconds, rate, JSON.stringify(headers)]);
  try {
    await nextMessage(loader, (m) => m["phase"] === "measuring");
    proxy.send({ cmd: "start" });
    const result = await nextMessage<LoadResult>(loader, (m) => "rps" in m);
    proxy.send({ cmd: "stop" });
    const { cpuMicros } = await nextMessage<{ cpuMicros: number }>(proxy, (m) => "cpuMicros" in m);
    return { result, cpuMicros };
  } finally {
    loader.kill();
  }
}

/** What a proxy process reports once it listens. */
interface Ready {
  readonly port: number;
  readonly token?: string;
}

/** The request every load generator sends: through a trusted proxy, with a token if any. */
function requestHeaders(ready: Ready): Record<string, string> {
  const headers: Record<string, string> = {
    host: "api.bench.test",
    "x-forwarded-for": "81.2.69.160",
  };
  if (ready.token !== undefined) headers["authorization"] = `Bearer ${ready.token}`;
  return headers;
}

/**
 * Two proxies loaded at the same time, each by its own closed-loop generator: noise from
 * other jobs then hits both alike, so the ratio of their requests/s (median of `rounds`) is
 * far steadier than either figure alone. Returns `second / first`.
 */
async function pairedRatio(
  roles: readonly [string, string],
  upstreamPort: number,
  connections: number,
  seconds: number,
  rounds: number,
): Promise<number> {
  const proxies = roles.map((role) => spawnRole(role, [upstreamPort]));
  try {
    const ready = await Promise.all(proxies.map((p) => nextMessage<Ready>(p, (m) => "port" in m)));
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const [first, second] = await Promise.all(
        ready.map(async (r) => {
          const args = [r.port, connections, seconds, 0, JSON.stringify(requestHeaders(r))];
          const loader = spawnRole("load", args);
          try {
            return (await nextMessage<LoadResult>(loader, (m) => "rps" in m)).rps;
          } finally {
            loader.kill();
          }
        }),
      );
      ratios.push((second ?? 0) / Math.max(1, first ?? 0));
    }
    return middle(ratios);
  } finally {
    for (const p of proxies) p.send({ cmd: "exit" });
  }
}

/** RAMPART_BENCH_BASELINE names another checkout to measure side by side (issue #18). */
const BASELINE = process.env["RAMPART_BENCH_BASELINE"] !== undefined;

/** Pairs run side by side: [label, first role, second role]. */
const PAIRS: readonly (readonly [string, string, string])[] = [
  ["rampart full policy / minimal http.request, side by side", "minimal-http", "rampart"],
  ["rampart full policy / minimal undici Pool, side by side", "minimal-undici", "rampart"],
  ["rampart full policy / rampart open tunnel, side by side", "rampart-open", "rampart"],
  ["rampart full policy, access log on / off, side by side", "rampart", "rampart-access-log"],
  ...(BASELINE
    ? [
        [
          "rampart full policy, this tree / RAMPART_BENCH_BASELINE tree, side by side",
          "rampart-baseline",
          "rampart",
        ] as const,
      ]
    : []),
  ["rampart full policy --state redis / in-memory store, side by side", "rampart", "rampart-redis"],
];

/** A contender's figures: maximum throughput (closed loop) and behaviour at a fixed rate. */
interface Measured {
  readonly max: LoadResult;
  readonly fixed: LoadResult;
  readonly cpuPerRequest: number;
}

async function measure(
  proxyRole: string,
  upstreamPort: number,
  connections: number,
  seconds: number,
  rate: number,
): Promise<Measured> {
  const proxy = spawnRole(proxyRole, [upstreamPort]);
  try {
    const ready = await nextMessage<Ready>(proxy, (m) => "port" in m);
    const headers = requestHeaders(ready);
    const max = await phase(proxy, ready.port, headers, connections, seconds, 0);
    const fixed = await phase(proxy, ready.port, headers, connections, seconds, rate);
    return {
      max: max.result,
      fixed: fixed.result,
      cpuPerRequest: fixed.cpuMicros / Math.max(1, fixed.result.requests),
    };
  } finally {
    proxy.send({ cmd: "exit" });
  }
}

const CONTENDERS: readonly (readonly [string, string])[] = [
  ["minimal node:http + http.request", "minimal-http"],
  ["minimal node:http + undici Pool", "minimal-undici"],
  ["rampart serve, open tunnel", "rampart-open"],
  ["rampart serve, full policy", "rampart"],
  ["rampart serve, full policy, access log on", "rampart-access-log"],
  ...(BASELINE
    ? [["rampart serve, full policy, RAMPART_BENCH_BASELINE tree", "rampart-baseline"] as const]
    : []),
  ["rampart serve, full policy, --state redis://", "rampart-redis"],
];

/** The median (upper middle for an even count). */
const middle = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
};

/** The proxy benchmark module for test/bench/run.ts. */
export const proxyBench: BenchModule = {
  name: "proxy",
  description:
    "requests/s, latency and proxy CPU per request on loopback: rampart serve (full policy) vs minimal node:http proxies (medians of interleaved rounds)",
  async run({ quick }) {
    const seconds = quick ? 1 : 3;
    const rounds = quick ? 1 : 5;
    const connections = 32;
    const rate = 1000;
    // The shared store of the `rampart-redis` contender: a local redis-server of its own.
    const redis = await startRedis();
    process.env["RAMPART_BENCH_STATE_URL"] = redis.url;
    const upstream = spawnRole("upstream", []);
    const { port } = await nextMessage<{ port: number }>(upstream, (m) => "port" in m);
    const runs = new Map<string, Measured[]>();
    const paired: BenchRow[] = [];
    try {
      // Rounds interleave the contenders, so machine noise hits them alike.
      for (let round = 0; round < rounds; round++) {
        for (const [, role] of CONTENDERS) {
          const run = await measure(role, port, connections, seconds, rate);
          runs.set(role, [...(runs.get(role) ?? []), run]);
        }
      }
      for (const [label, first, second] of PAIRS) {
        // Half the connections each, so the two together load the machine like one contender.
        const ratio = await pairedRatio([first, second], port, connections / 2, seconds, rounds);
        paired.push({ label, figures: { "requests/s ratio": `${(ratio * 100).toFixed(0)}%` } });
      }
    } finally {
      upstream.send({ cmd: "exit" });
    }
    const summary = (role: string) => {
      const r = runs.get(role) ?? [];
      return {
        rps: middle(r.map((x) => x.max.rps)),
        rpsLow: Math.min(...r.map((x) => x.max.rps)),
        rpsHigh: Math.max(...r.map((x) => x.max.rps)),
        p99Max: middle(r.map((x) => x.max.p99)),
        p50: middle(r.map((x) => x.fixed.p50)),
        p99: middle(r.map((x) => x.fixed.p99)),
        cpu: middle(r.map((x) => x.cpuPerRequest)),
        failures: r.reduce(
          (n, x) => n + x.max.errors + x.max.non200 + x.fixed.errors + x.fixed.non200,
          0,
        ),
      };
    };
    const baseline = summary("minimal-http");
    const calls = quick ? 20_000 : 200_000;
    const stateCpu = (url?: string): Promise<number> =>
      pipelineCpuMicros(true, calls, 5, "none", url);
    let alone: (readonly [string, number])[];
    try {
      alone = [
        [
          "rampart pipeline alone (in-process), open tunnel",
          await pipelineCpuMicros(false, calls, 5),
        ],
        ["rampart pipeline alone (in-process), full policy", await stateCpu()],
        [
          "rampart pipeline + request observer (in-process), full policy, access log off",
          await pipelineCpuMicros(true, calls, 5, "observer"),
        ],
        [
          "rampart pipeline + request observer (in-process), full policy, access log on",
          await pipelineCpuMicros(true, calls, 5, "access-log"),
        ],
        [
          "rampart pipeline alone (in-process), full policy, Redis store, 10,000 revocations held",
          await stateCpu(redis.url),
        ],
      ];
    } finally {
      await redis.stop();
    }
    const pipelineRows = alone.map(([label, micros]): BenchRow => ({
      label,
      figures: { [`CPU µs/req @${rate}/s`]: `${micros.toFixed(2)} (no sockets)` },
    }));
    const socketRows = CONTENDERS.map(([label, role]): BenchRow => {
      const s = summary(role);
      return {
        label,
        figures: {
          "max requests/s": s.rps.toFixed(0),
          // The spread across rounds: on a busy machine it often exceeds the gaps between rows.
          "max requests/s, lowest–highest round": `${s.rpsLow.toFixed(0)}–${s.rpsHigh.toFixed(0)}`,
          "vs http.request": `${((s.rps / baseline.rps) * 100).toFixed(0)}%`,
          "p99 ms at max": s.p99Max.toFixed(2),
          [`p50 ms @${rate}/s`]: s.p50.toFixed(2),
          [`p99 ms @${rate}/s`]: s.p99.toFixed(2),
          [`p99 Δ ms @${rate}/s`]: (s.p99 - baseline.p99).toFixed(2),
          [`CPU µs/req @${rate}/s`]: s.cpu.toFixed(1),
          "errors + non-200": String(s.failures),
        },
      };
    });
    return [...socketRows, ...paired, ...pipelineRows];
  },
};

if (import.meta.main) {
  for (const row of await proxyBench.run({ quick: process.argv.includes("--quick") }))
    console.log(row.label, row.figures);
}
