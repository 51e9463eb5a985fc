/**
 * The proxy hot path side by side (issues #5, #18, #20): proxy CPU µs per request (the
 * headline: it is what a busy, shared machine distorts least), requests/s and latency on
 * loopback for minimal Node proxies (http.request, undici Pool.stream, the latter also behind
 * node:https), `rampart serve` (open tunnel, full policy, access log on, over TLS keep-alive),
 * the floors under any Node proxy (a bare net and a bare tls server answering canned
 * responses), nginx with one worker, and nginx `auth_request` to a do-nothing Node service and
 * to `rampart serve --forward-auth`.
 *
 * Every party runs in its own process (test/bench/proxy-roles.ts, nginx, and a fresh
 * test/bench/load-generator.ts per load phase); each contender's CPU is read from /proc for
 * exactly its processes (the proxy; for auth_request, nginx and the auth service), never the
 * upstream's or the load generator's. The contenders start once and rounds interleave them,
 * so noise from other jobs hits all alike; each contender's figures are medians over rounds.
 * The Δ rows (issue #20's targets) come from windows of their two contenders loaded at once
 * (test/bench/proxy-pairs.ts), two processes started for each comparison alone after the
 * rounds: medians of per-window differences with the interval that
 * holds the median at 95 %, and whether that interval meets the target, misses it or leaves
 * it undecided. With `RAMPART_BENCH_PIN=1`, `taskset` and two CPUs, the contenders run on
 * one CPU (alone in a round, the two of a pair together) and the load generators, the
 * upstream and the bench on another (test/bench/cpu-pinning.ts says why that is not the
 * default). Reported, never asserted.
 *
 * RAMPART_BENCH_ROUNDS and RAMPART_BENCH_SECONDS change the rounds (5) and the length of each
 * load phase (2 s), RAMPART_BENCH_PAIRS the paired windows per Δ row and pace (12),
 * RAMPART_BENCH_ONE_SECONDS the one-connection window (10 s, after a warm-up of 2,000
 * requests on that connection); at the defaults a quiet 2-core machine runs the bench
 * in about 25 minutes, half of it in the paired windows.
 */
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import type { LoadResult } from "./load-generator.ts";
import { BUSY_AGAIN_REQUESTS, phase } from "./load-phase.ts";
import type { Target } from "./load-phase.ts";
import { CPU_COMPARISONS, describePairs, pairedRows, runPairs } from "./proxy-pairs.ts";
import type { PairedContenders, PairedDeltas } from "./proxy-pairs.ts";
import { pipelineCpuMicros } from "./proxy-pipeline.ts";
import { childPids } from "./process-cpu.ts";
import { describePinning, pinBench, pinProcess } from "./cpu-pinning.ts";
import { median } from "./harness.ts";
import { exampleConfig, freePort, startNginx } from "../integration/nginx-harness.ts";
import { HOSTS } from "../runtime/forward-auth-fixture.ts";
import { selfSigned, tempDir } from "../runtime/helpers/certs.ts";
import { waitFor } from "./child-message.ts";

const ROLES = join(import.meta.dirname, "proxy-roles.ts");
const BENCH_HOST = "api.bench.test";

function spawnRole(role: string, args: (string | number)[]): ChildProcess {
  return fork(ROLES, [role, ...args.map(String)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

interface Running {
  readonly target: Target;
  stop(): Promise<void>;
}

/** A role process ready to serve; `exit` over IPC stops it. */
async function role(name: string, args: (string | number)[]) {
  const child = spawnRole(name, args);
  const ready = await waitFor<{ port: number; token?: string; servePort?: number }>(
    child,
    (m) => "port" in m,
  );
  const stop = (): Promise<void> => {
    child.send({ cmd: "exit" });
    return Promise.resolve();
  };
  return { child, ready, stop };
}

/** The request the proxies see: through a trusted proxy, with the token when there is one. */
function proxyHeaders(token: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { host: BENCH_HOST, "x-forwarded-for": "81.2.69.160" };
  if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
  return headers;
}

/** A Node proxy role in front of the upstream. */
function nodeProxy(name: string, servername = ""): (upstreamPort: number) => Promise<Running> {
  return async (upstreamPort) => {
    const r = await role(name, [upstreamPort]);
    const pid = r.child.pid ?? 0;
    return {
      target: {
        port: r.ready.port,
        servername,
        path: "/api/bench",
        headers: proxyHeaders(r.ready.token),
        pids: () => [pid],
      },
      stop: r.stop,
    };
  };
}

/** nginx (one worker) with `site`; its worker's CPU counts, plus `extraPids`. */
async function nginx(site: (listenPort: number) => Promise<string>, extraPids: number[] = []) {
  const listenPort = await freePort();
  const running = await startNginx(await site(listenPort), listenPort);
  const master = await masterPid(running.prefix);
  return { listenPort, running, pids: () => [...childPids(master), ...extraPids] };
}

/** nginx's master pid from its pid file, which may appear just after the port opens (≤ 5 s). */
async function masterPid(prefix: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    try {
      const pid = Number(readFileSync(join(prefix, "nginx.pid"), "utf8").trim());
      if (pid > 0) return pid;
    } catch {
      // Not written yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx wrote no pid file under ${prefix}`);
}

/** nginx proxying straight to the upstream. */
async function nginxAlone(upstreamPort: number): Promise<Running> {
  const n = await nginx(async (listenPort) =>
    [
      `upstream app { server 127.0.0.1:${upstreamPort}; keepalive 32; }`,
      "server {",
      `  listen 127.0.0.1:${listenPort} default_server;`,
      "  location / {",
      "    proxy_pass http://app;",
      "    proxy_http_version 1.1;",
      '    proxy_set_header Connection "";',
      "    proxy_set_header Host $host;",
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  return {
    target: { port: n.listenPort, servername: "", path: "/api/bench", headers: {}, pids: n.pids },
    stop: () => n.running.stop(),
  };
}

/** nginx with the repo's `auth_request` example config, asking the auth service `authRole`. */
function nginxAuth(authRole: string, tunnel: "open" | "token") {
  return async (upstreamPort: number): Promise<Running> => {
    const auth = await role(authRole, []);
    const forwardAuthPort = auth.ready.port;
    const n = await nginx(
      (listenPort) =>
        exampleConfig({
          forwardAuthPort,
          servePort: auth.ready.servePort ?? forwardAuthPort,
          appPort: upstreamPort,
          listenPort,
        }),
      [auth.child.pid ?? 0],
    );
    const headers: Record<string, string> = {
      host: tunnel === "token" ? HOSTS.token : HOSTS.open,
    };
    if (tunnel === "token") headers["authorization"] = `Bearer ${auth.ready.token ?? ""}`;
    return {
      target: { port: n.listenPort, servername: "", path: "/api/bench", headers, pids: n.pids },
      stop: async () => {
        await n.running.stop();
        await auth.stop();
      },
    };
  };
}

/** One row: its label, how to start it, and whether to measure latency on one connection. */
interface Contender {
  readonly key: string;
  readonly label: string;
  readonly start: (upstreamPort: number) => Promise<Running>;
  readonly oneConnection?: boolean;
}

/** `RAMPART_BENCH_ROWS=key,key`: only these contenders (a quick look at a few rows). */
const onlyRows = process.env["RAMPART_BENCH_ROWS"]?.split(",");
const selected = (c: Contender): boolean => onlyRows === undefined || onlyRows.includes(c.key);

const CONTENDERS: readonly Contender[] = [
  {
    key: "plain-echo",
    label: "floor: bare net server, canned response",
    start: nodeProxy("plain-echo"),
  },
  {
    key: "tls-echo",
    label: "floor: bare tls server, canned response (TLS 1.3 keep-alive)",
    start: nodeProxy("tls-echo", BENCH_HOST),
    oneConnection: true,
  },
  {
    // Node's own HTTP server answering itself (no upstream, no policy), plain and over TLS:
    // what Node's HTTP machinery on a TLS socket costs above the bare tls floor.
    key: "node-http",
    label: "floor: node:http answering itself, canned response",
    start: nodeProxy("node-http"),
  },
  {
    key: "node-http-tls",
    label: "floor: node:https answering itself, canned response (TLS 1.3 keep-alive)",
    start: nodeProxy("node-http-tls", BENCH_HOST),
  },
  {
    key: "minimal-http",
    label: "minimal node:http + http.request proxy",
    start: nodeProxy("minimal-http"),
  },
  {
    key: "minimal-undici",
    label: "minimal node:http + undici Pool.stream proxy",
    start: nodeProxy("minimal-undici"),
  },
  {
    // Node's own HTTPS server in front of the same proxy: what HTTP over TLS costs Node beyond
    // the bare tls floor, for the TLS keep-alive row to be held against. Its one-connection
    // p99 is the same shape as rampart's (client, proxy and upstream: three processes per
    // request, where the bare tls floor has two), so rampart's TLS p99 is held against it too.
    key: "minimal-undici-tls",
    label: "minimal node:https + undici Pool.stream proxy (TLS 1.3 keep-alive)",
    start: nodeProxy("minimal-undici-tls", BENCH_HOST),
    oneConnection: true,
  },
  {
    // The request the rampart rows are sent (their token in Authorization, ~0.5 KB more to
    // parse and forward): a plain proxy's cost for that same request.
    key: "minimal-undici-token",
    label: "minimal node:http + undici Pool.stream proxy, rampart's request (with the token)",
    start: nodeProxy("minimal-undici-token"),
  },
  { key: "rampart-open", label: "rampart serve, open tunnel", start: nodeProxy("rampart-open") },
  {
    key: "rampart",
    label: "rampart serve, full policy",
    start: nodeProxy("rampart"),
    oneConnection: true,
  },
  {
    key: "rampart-access-log",
    label: "rampart serve, full policy, access log on",
    start: nodeProxy("rampart-access-log"),
  },
  {
    key: "rampart-tls",
    label: "rampart serve, full policy, TLS 1.3 keep-alive",
    start: nodeProxy("rampart-tls", BENCH_HOST),
    oneConnection: true,
  },
  { key: "nginx", label: "nginx, 1 worker, proxy_pass", start: nginxAlone },
  {
    key: "nginx-auth-nothing",
    label: "nginx auth_request → do-nothing Node service (CPU: nginx + service)",
    start: nginxAuth("auth-nothing", "open"),
  },
  {
    // The token row's request (same host, same Authorization header) to a service that
    // ignores it: what nginx and the client cost for that request without any verification.
    key: "nginx-auth-nothing-token",
    label: "nginx auth_request → do-nothing Node service, token tunnel's request",
    start: nginxAuth("auth-nothing", "token"),
  },
  {
    key: "nginx-auth-rampart",
    label: "nginx auth_request → rampart serve --forward-auth, open tunnel (CPU: nginx + rampart)",
    start: nginxAuth("rampart-forward-auth", "open"),
  },
  {
    key: "nginx-auth-rampart-token",
    label: "nginx auth_request → rampart serve --forward-auth, token tunnel",
    start: nginxAuth("rampart-forward-auth", "token"),
  },
  ...(process.env["RAMPART_BENCH_BASELINE"] === undefined
    ? []
    : [
        {
          key: "rampart-baseline",
          label: "rampart serve, full policy, RAMPART_BENCH_BASELINE tree",
          start: nodeProxy("rampart-baseline"),
        },
      ]),
].filter(selected);

/**
 * Starts two processes of its own for every comparison whose contenders are selected, each
 * passed to `pin` and added to `started` (the caller stops them).
 */
async function startPairs(
  upstreamPort: number,
  started: Running[],
  pin: (pid: number) => void,
): Promise<PairedContenders[]> {
  const contenders: PairedContenders[] = [];
  for (const comparison of CPU_COMPARISONS) {
    const a = CONTENDERS.find((c) => c.key === comparison.a);
    const b = CONTENDERS.find((c) => c.key === comparison.b);
    if (a === undefined || b === undefined) continue;
    // Each joins `started` as soon as it runs, so the caller stops `a` even if `b` fails to start.
    const startOne = async (contender: Contender): Promise<Running> => {
      const running = await contender.start(upstreamPort);
      started.push(running);
      for (const pid of running.target.pids()) pin(pid);
      return running;
    };
    const runningA = await startOne(a);
    const runningB = await startOne(b);
    contenders.push({ comparison, a: runningA.target, b: runningB.target });
  }
  return contenders;
}

/** One contender's figures in one round. */
interface Round {
  readonly max: LoadResult;
  readonly maxCpu: number;
  readonly fixed: LoadResult;
  readonly cpu: number;
  readonly oneP99: number | null;
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/** A median with the spread of the rounds it comes from: `m (lo … hi)`. */
function withSpread(values: readonly number[], unit: string, digits = 1): string {
  if (values.length === 0) return "";
  const m = `${fmt(median(values), digits)}${unit}`;
  if (values.length === 1) return m;
  return `${m} (${fmt(Math.min(...values), digits)} … ${fmt(Math.max(...values), digits)})`;
}

/** A positive whole number from the environment, or the default. */
function envCount(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** The proxy benchmark module for test/bench/run.ts. */
export const proxyBench: BenchModule = {
  name: "proxy",
  description:
    "proxy CPU µs/request (headline), requests/s and latency on loopback, side by side: minimal Node proxies, rampart serve (open, full policy, access log, TLS), net/tls floors, nginx and nginx auth_request (medians of interleaved rounds)",
  async run({ quick }) {
    const seconds = quick ? 1 : envCount("RAMPART_BENCH_SECONDS", 2);
    const rounds = quick ? 1 : envCount("RAMPART_BENCH_ROUNDS", 5);
    const pairs = quick ? 1 : envCount("RAMPART_BENCH_PAIRS", 12);
    const connections = 64;
    const rate = 2000;
    const oneRate = 200;
    // The one-connection p99 (issue #20: < 5 ms @200/s) is what a user's long-lived
    // connection sees, so it is measured on a warm one, the same way for every row: the
    // generator first sends `requests` back to back on its one connection (the handshake, its
    // own JIT and its start-up GCs, the proxy's per-connection path; ~1–3 s), then 300 ms at
    // the rate, then the window. The window holds 2,000 requests (10 s): on one connection a
    // pause of D ms anywhere (client, proxy, upstream, host) queues ~D/5 requests behind it,
    // so in a 400-request window the p99 (4th-slowest) is set by one 20 ms pause, and even
    // for independent samples the 4th-slowest of 400 lies anywhere between the true p98 and
    // p99.75 (95 %); the 20th-slowest of 2,000 lies between p98.6 and p99.4 (BENCHMARKS.md,
    // fourteenth session).
    const oneSeconds = quick ? 2 : envCount("RAMPART_BENCH_ONE_SECONDS", 10);
    const oneWarmup = { ms: 300, requests: quick ? 500 : 2000 };
    const oneColumn = `p99 ms, 1 connection @${oneRate}/s (${oneSeconds * oneRate} requests)`;
    const headline = `CPU µs/req @${rate}/s`;
    const loadBefore = loadavg();
    const certDir = tempDir();
    const cert = selfSigned(certDir, "bench", [BENCH_HOST]);
    process.env["RAMPART_BENCH_CERT"] = cert.cert;
    process.env["RAMPART_BENCH_KEY"] = cert.key;
    // Before any fork: the upstream and every load generator start on the bench's CPU.
    const { pinning, restore } = pinBench();
    const upstream = await role("upstream", []);
    const running = new Map<string, Running>();
    const rounds_ = new Map<string, Round[]>();
    const paired: PairedDeltas[] = [];
    const pairProcesses: Running[] = [];
    try {
      for (const c of CONTENDERS) {
        const started = await c.start(upstream.ready.port);
        running.set(c.key, started);
        if (pinning.pinned)
          for (const pid of started.target.pids()) pinProcess(pid, pinning.contenderCpu);
      }
      for (let r = 0; r < rounds; r++) {
        // Interleaved, and the order rotates each round.
        for (let k = 0; k < CONTENDERS.length; k++) {
          const c = CONTENDERS[(k + r) % CONTENDERS.length] as Contender;
          const target = (running.get(c.key) as Running).target;
          const warmupMs = r === 0 ? 1000 : 300;
          const max = await phase(target, {
            connections,
            seconds,
            rate: 0,
            warmup: { ms: warmupMs, requests: BUSY_AGAIN_REQUESTS },
          });
          const fixed = await phase(target, {
            connections,
            seconds,
            rate,
            warmup: { ms: 300, requests: BUSY_AGAIN_REQUESTS },
          });
          const one = c.oneConnection
            ? (
                await phase(target, {
                  connections: 1,
                  seconds: oneSeconds,
                  rate: oneRate,
                  warmup: oneWarmup,
                })
              ).result.p99
            : null;
          const round: Round = {
            max: max.result,
            maxCpu: max.cpuMicrosPerRequest,
            fixed: fixed.result,
            cpu: fixed.cpuMicrosPerRequest,
            oneP99: one,
          };
          rounds_.set(c.key, [...(rounds_.get(c.key) ?? []), round]);
        }
      }
      // The rounds' processes make way for the pairs' own (proxy-pairs.ts says why).
      for (const r of running.values()) await r.stop();
      running.clear();
      const contenders = await startPairs(upstream.ready.port, pairProcesses, (pid) => {
        if (pinning.pinned) pinProcess(pid, pinning.contenderCpu);
      });
      paired.push(...(await runPairs(contenders, { pairs, connections, seconds, rate })));
    } finally {
      for (const r of [...running.values(), ...pairProcesses])
        await r.stop().catch(() => undefined);
      await upstream.stop();
      restore();
    }
    const loadAfter = loadavg();
    const of = (key: string): Round[] => rounds_.get(key) ?? [];
    const rows: BenchRow[] = CONTENDERS.map((c) => {
      const r = of(c.key);
      const failures = r.reduce(
        (n, x) => n + x.max.errors + x.max.non200 + x.fixed.errors + x.fixed.non200,
        0,
      );
      const one = r.flatMap((x) => (x.oneP99 === null ? [] : [x.oneP99]));
      return {
        label: c.label,
        figures: {
          [headline]: fmt(median(r.map((x) => x.cpu))),
          // Below the asked rate, the machine could not keep up and the headline is inflated.
          [`achieved req/s @${rate}/s`]: fmt(median(r.map((x) => x.fixed.rps)), 0),
          "CPU µs/req at max": fmt(median(r.map((x) => x.maxCpu))),
          "max requests/s": fmt(median(r.map((x) => x.max.rps)), 0),
          [`p50 ms @${rate}/s`]: fmt(median(r.map((x) => x.fixed.p50)), 2),
          [`p99 ms @${rate}/s`]: fmt(median(r.map((x) => x.fixed.p99)), 2),
          [oneColumn]: one.length === 0 ? "" : fmt(median(one), 2),
          "errors + non-200": String(failures),
        },
      };
    });
    /** Per-round differences (both measured minutes apart at most), one per round. */
    const deltas = (a: string, b: string, pick: (x: Round) => number): number[] =>
      of(a).map((x, i) => pick(x) - pick(of(b)[i] as Round));
    const ratios = (a: string, b: string): number[] =>
      of(a).map((x, i) => (100 * x.max.rps) / Math.max(1, (of(b)[i] as Round).max.rps));
    const both = (a: string, b: string): boolean => of(a).length > 0 && of(b).length > 0;
    /** The one-connection p99 of two rows, round by round (both measured in the same round). */
    const p99Delta = (label: string, a: string, b: string, target: string): BenchRow | null =>
      !both(a, b)
        ? null
        : {
            label,
            figures: {
              [oneColumn]: withSpread(
                deltas(a, b, (x) => x.oneP99 ?? Number.NaN),
                " ms",
                2,
              ),
              target,
            },
          };
    const rpsRatio = (label: string, a: string, b: string, target: string): BenchRow | null =>
      !both(a, b)
        ? null
        : {
            label,
            figures: { "max requests/s": withSpread(ratios(a, b), "%", 0), target },
          };
    const comparisons = [
      ...pairedRows(paired, headline, "CPU µs/req at max", `@${rate}/s`),
      p99Delta(
        "Δ p99, 1 connection: rampart TLS − node:https undici proxy",
        "rampart-tls",
        "minimal-undici-tls",
        "how far the < 5 ms target is rampart's, not Node's HTTPS proxy path",
      ),
      rpsRatio(
        "nginx + rampart forward-auth / nginx + do-nothing, max requests/s",
        "nginx-auth-rampart",
        "nginx-auth-nothing",
        "≥ 90%",
      ),
      rpsRatio(
        "nginx + rampart forward-auth (token) / nginx + do-nothing, max requests/s",
        "nginx-auth-rampart-token",
        "nginx-auth-nothing",
        "≥ 90%",
      ),
      rpsRatio(
        "nginx + rampart forward-auth (token) / nginx + do-nothing, same token request, max requests/s",
        "nginx-auth-rampart-token",
        "nginx-auth-nothing-token",
        "≥ 90%",
      ),
    ].filter((row): row is BenchRow => row !== null);
    const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(" ");
    const calls = quick ? 20_000 : 100_000;
    const pipelineRows: BenchRow[] = [];
    const pipelines = [
      ["rampart pipeline alone (in-process, no sockets), full policy", "none"],
      ["rampart pipeline + request observer (in-process), access log off", "observer"],
      ["rampart pipeline + request observer (in-process), access log on", "access-log"],
    ] as const;
    for (const [label, observe] of pipelines) {
      const micros = await pipelineCpuMicros(true, calls, 3, observe);
      pipelineRows.push({ label, figures: { [headline]: `${fmt(micros, 2)} (no sockets)` } });
    }
    return [
      ...rows,
      ...comparisons,
      ...pipelineRows,
      {
        label: `load average before / after (${rounds} rounds × ${seconds} s phases, ${connections} connections; one connection: ${oneWarmup.requests} requests back to back, then ${oneSeconds} s; ${describePairs(pairs, seconds)}; ${describePinning(pinning)})`,
        figures: { [headline]: `${load(loadBefore)} / ${load(loadAfter)}` },
      },
    ];
  },
};

if (import.meta.main) {
  for (const row of await proxyBench.run({ quick: process.argv.includes("--quick") }))
    console.log(row.label, row.figures);
}
