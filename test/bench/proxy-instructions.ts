/**
 * Instructions per proxied request, counted by valgrind's callgrind: a figure the load of a
 * shared machine does not move, for before/after comparisons of the hot path (issue #20).
 *
 * The upstream and the load generator run outside valgrind; only the contender (a role of
 * proxy-roles.ts) runs under it. After a warm-up, the counters are zeroed
 * (`callgrind_control -z`), a fixed number of requests is sent over keep-alive connections,
 * and the counters are dumped (`callgrind_control -d`): the dump's total over the requests.
 * Two paces: closed loop ("max": every connection sends back to back, so the proxy batches
 * many requests per wake-up) and paced (one request at a time, well under the proxy's rate
 * under valgrind, the equivalent of the moderate-rate row of the proxy bench).
 *
 *   node test/bench/proxy-instructions.ts [--roles minimal-undici,rampart-open,rampart]
 *     [--requests 20000] [--paced-requests 2000] [--paced-rate 100] [--connections 64]
 *     [--warmup 5000] [--node-flags="…"] [--keep DIR] [--windows 1] [--young-mb 32]
 *
 * `--windows K` counts K closed-loop windows of `--requests` each in the same process and
 * reports their median and each window's main-thread count: a window with more GC or a late
 * tier-up stands out. Runs of one tree still differ by ±10–20k per request on the main thread
 * (BENCHMARKS.md, ninth session), so compare several processes per tree.
 *
 * `--keep DIR` leaves each role's closed-loop dump in DIR (`ROLE.callgrind`, the main thread;
 * `ROLE.callgrind-NN` for the others) for `callgrind_annotate --inclusive=yes` (which
 * functions the instructions went to).
 *
 * Each figure is given for all threads and for the main thread alone (callgrind's
 * `--separate-threads`): V8 compiles on background threads, and under valgrind it was still
 * compiling 140k–200k instructions per request after 8,000 warm-up requests, moving the
 * all-threads figure by more than the differences sought; the event loop's work is the
 * main thread's.
 *
 * `--young-mb N` (default 32) starts each contender with V8's young generation at N MB
 * semi-spaces (`--min-semi-space-size`), the size a native proxy reaches under load; 0 leaves
 * V8's own sizing. Under valgrind a proxy allocates ~50 times slower, below the rate at which V8
 * shrinks the young generation to its 1 MB start: it then scavenged every ~60 requests where
 * the same process run natively scavenges every ~2,000, and callgrind counted 8–14k
 * instructions per request of GC that a native proxy does not spend, differing by ±7k between
 * processes (BENCHMARKS.md, twelfth session, h20-tls). Each window's scavenges are printed.
 *
 * RAMPART_BENCH_BASELINE=<checkout> adds the `rampart-baseline` role (that tree's runtime).
 *
 * The TLS roles (`rampart-tls`, `tls-echo`, `minimal-undici-tls`) are sent HTTPS to api.bench.test over keep-alive
 * connections (one handshake per connection, during the warm-up), so that
 * (rampart-tls − rampart) − (tls-echo − plain-echo) is what the HTTPS path costs beyond
 * encryption.
 */
import { execFileSync, fork } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { selfSigned, tempDir } from "../runtime/helpers/certs.ts";
import { waitFor } from "./child-message.ts";

const ROLES = join(import.meta.dirname, "proxy-roles.ts");
const BENCH_HOST = "api.bench.test";
/** The roles that listen for TLS; the others are sent plain HTTP. */
const TLS_ROLES = new Set([
  "rampart-tls",
  "tls-echo",
  "minimal-undici-tls",
  "minimal-undici-tls-token",
]);

const { values } = parseArgs({
  options: {
    roles: { type: "string", default: "minimal-undici,rampart-open,rampart" },
    requests: { type: "string", default: "20000" },
    "paced-requests": { type: "string", default: "2000" },
    "paced-rate": { type: "string", default: "100" },
    connections: { type: "string", default: "64" },
    warmup: { type: "string", default: "5000" },
    "node-flags": { type: "string", default: "" },
    keep: { type: "string" },
    windows: { type: "string", default: "1" },
    "young-mb": { type: "string", default: "32" },
  },
});

/** A role in its own process; under callgrind when `outDir` is given. */
function spawn(role: string, args: string[], outDir?: string, nodeFlags: string[] = []) {
  if (outDir === undefined)
    return fork(ROLES, [role, ...args], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return fork(ROLES, [role, ...args], {
    execPath: "valgrind",
    execArgv: [
      "--tool=callgrind",
      // Start and warm up without instrumentation (several times faster); on for the phases.
      "--instr-atstart=no",
      // One dump per thread: the main thread's count apart from V8's background compiling.
      "--separate-threads=yes",
      `--callgrind-out-file=${join(outDir, "cg.%p")}`,
      process.execPath,
      ...nodeFlags,
    ],
    // The compile cache would make the first run of a tree cheaper than the next.
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
}

/**
 * One client for a role's whole run: every phase reuses the warm-up's keep-alive connections,
 * so no phase counts connection set-up (over TLS, a handshake costs millions of instructions).
 */
function clientFor(port: number, connections: number, tls: boolean): Pool {
  return new Pool(`${tls ? "https" : "http"}://127.0.0.1:${port}`, {
    connections,
    pipelining: 1,
    // Under valgrind a phase can start seconds after the warm-up: keep idle connections.
    keepAliveTimeout: 600_000,
    keepAliveMaxTimeout: 600_000,
    // A TLS handshake under valgrind takes seconds; the warm-up opens connections a few at a time.
    connectTimeout: 120_000,
    ...(tls ? { connect: { servername: BENCH_HOST, rejectUnauthorized: false } } : {}),
  });
}

/** Sends `count` GETs over `connections` connections, back to back or at `rate` per second. */
async function send(
  pool: Pool,
  headers: Record<string, string>,
  count: number,
  connections: number,
  rate: number,
): Promise<number> {
  let failures = 0;
  const reasons = new Map<string, number>();
  const once = async (): Promise<void> => {
    try {
      const res = await pool.request({ path: "/api/bench", method: "GET", headers });
      await res.body.dump();
      if (res.statusCode !== 200) failures++;
    } catch (error) {
      // Reported with the figures: under valgrind a proxy can fall behind its client timeouts.
      failures++;
      const reason = error instanceof Error ? error.message : String(error);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  };
  let issued = 0;
  if (rate === 0) {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (issued < count) {
          issued++;
          await once();
        }
      }),
    );
  } else {
    const inflight: Promise<void>[] = [];
    const started = performance.now();
    while (issued < count) {
      const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate));
      for (; issued < due; issued++) inflight.push(once());
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(inflight);
  }
  if (reasons.size > 0) console.log(`failures by reason: ${JSON.stringify([...reasons])}`);
  return failures;
}

/** Instructions of a dump: all threads and the main thread; the main thread's scavenges. */
interface Counted {
  readonly all: number;
  readonly main: number;
  readonly scavenges: number;
}

/**
 * The newest dump callgrind wrote for `pid`, one file per thread (`cg.PID.PART-THREAD`; a
 * thread with nothing counted has none), keyed by thread number (1: the main thread).
 */
function newestDump(outDir: string, pid: number): Map<number, string> {
  const files = readdirSync(outDir).flatMap((f) => {
    const m = new RegExp(`^cg\\.${pid}\\.(\\d+)-(\\d+)$`).exec(f);
    return m === null ? [] : [{ file: f, part: Number(m[1]), thread: Number(m[2]) }];
  });
  const part = Math.max(...files.map((f) => f.part));
  const threads = new Map(
    files.filter((f) => f.part === part).map((f) => [f.thread, join(outDir, f.file)] as const),
  );
  if (!threads.has(1)) throw new Error(`no callgrind dump of the main thread of ${pid}`);
  return threads;
}

/** The instruction counts of the newest dump callgrind wrote for `pid`. */
function dumpedInstructions(outDir: string, pid: number): Counted {
  let all = 0;
  let main = 0;
  let scavenges = 0;
  for (const [thread, file] of newestDump(outDir, pid)) {
    const dump = readFileSync(file, "utf8");
    const total = /^(?:totals|summary): (\d+)/m.exec(dump);
    if (total === null) throw new Error(`no totals in ${file}`);
    all += Number(total[1]);
    if (thread === 1) {
      main = Number(total[1]);
      scavenges = callsTo(dump, "v8::internal::Heap::Scavenge()");
    }
  }
  return { all, main, scavenges };
}

/**
 * How many times a dump's code called the function named `name` (callgrind's format: a name
 * is spelled out once as `(id) name`, then referred to by `(id)`; each call site is a
 * `cfn=(id)` line followed by `calls=N …`).
 */
function callsTo(dump: string, name: string): number {
  const ids = new Set<string>();
  for (const m of dump.matchAll(/^c?fn=\((\d+)\) (.*)$/gm))
    if (m[2] === name) ids.add(m[1] as string);
  let calls = 0;
  for (const m of dump.matchAll(/^cfn=\((\d+)\).*\ncalls=(\d+)/gm))
    if (ids.has(m[1] as string)) calls += Number(m[2]);
  return calls;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Instructions per request for one contender: closed loop, then paced. */
async function measure(role: string, upstreamPort: number) {
  const outDir = mkdtempSync(join(tmpdir(), "rampart-cg-"));
  const young = Number(values["young-mb"]);
  const flags = [
    ...(young > 0 ? [`--min-semi-space-size=${young}`] : []),
    ...(values["node-flags"] === "" ? [] : values["node-flags"].split(" ")),
  ];
  const child = spawn(role, [String(upstreamPort)], outDir, flags);
  try {
    const ready = await waitFor<{ port: number; token?: string }>(child, (m) => "port" in m);
    const headers: Record<string, string> = {
      host: BENCH_HOST,
      "x-forwarded-for": "81.2.69.160",
    };
    if (ready.token !== undefined) headers["authorization"] = `Bearer ${ready.token}`;
    const connections = Number(values.connections);
    const pool = clientFor(ready.port, connections, TLS_ROLES.has(role));
    const pid = child.pid ?? 0;
    const phase = async (count: number, rate: number): Promise<Counted> => {
      execFileSync("callgrind_control", ["-i", "on", String(pid)], { stdio: "ignore" });
      // Reopens what the proxy closed while idle (its keep-alive timeout), before zeroing.
      await send(pool, headers, connections * 4, connections, 0);
      const zeroing = performance.now();
      execFileSync("callgrind_control", ["-z", String(pid)], { stdio: "ignore" });
      const gap = performance.now() - zeroing;
      if (gap > 2000) console.log(`${role}: zeroing took ${(gap / 1000).toFixed(1)} s`);
      const failures = await send(pool, headers, count, connections, rate);
      execFileSync("callgrind_control", ["-d", String(pid)], { stdio: "ignore" });
      if (failures > 0) console.log(`${role}: ${failures} of ${count} requests failed`);
      const counted = dumpedInstructions(outDir, pid);
      return { all: counted.all / count, main: counted.main / count, scavenges: counted.scavenges };
    };
    // Connections opened a few at a time (64 handshakes at once outlast the proxy's handshake
    // timeout under valgrind), then the warm-up: JIT, pools, the token cache.
    for (let open = 8; open < connections; open += 8) await send(pool, headers, open * 2, open, 0);
    await send(pool, headers, Number(values.warmup), connections, 0);
    const windows: Counted[] = [];
    for (let w = 0; w < Math.max(1, Number(values.windows)); w++)
      windows.push(await phase(Number(values.requests), 0));
    const max: Counted = {
      all: median(windows.map((x) => x.all)),
      main: median(windows.map((x) => x.main)),
      scavenges: median(windows.map((x) => x.scavenges)),
    };
    const each = (key: "all" | "main"): string =>
      windows.map((x) => (x[key] / 1000).toFixed(1)).join(" ");
    console.log(
      `${role}: closed-loop windows, main thread ${each("main")}k; all threads ${each("all")}k; main-thread scavenges ${windows.map((x) => x.scavenges).join(" ")}`,
    );
    if (values.keep !== undefined) {
      mkdirSync(values.keep, { recursive: true });
      for (const [thread, file] of newestDump(outDir, pid)) {
        const name = thread === 1 ? "" : `-${String(thread).padStart(2, "0")}`;
        copyFileSync(file, join(values.keep, `${role}.callgrind${name}`));
      }
      // With `--node-flags=--perf-basic-prof`: V8's map of JIT code, to name the dump's
      // anonymous addresses (JavaScript functions) by hand.
      const jitMap = join(tmpdir(), `perf-${pid}.map`);
      if (existsSync(jitMap)) copyFileSync(jitMap, join(values.keep, `${role}.perf.map`));
    }
    const paced = await phase(Number(values["paced-requests"]), Number(values["paced-rate"]));
    await pool.close();
    return { max, paced };
  } finally {
    child.send({ cmd: "exit" });
    await new Promise((r) => child.once("exit", r));
    rmSync(outDir, { recursive: true, force: true });
  }
}

// The TLS roles' certificate (proxy-roles.ts reads it from the environment, as in proxy.ts).
const cert = selfSigned(tempDir(), "bench", [BENCH_HOST]);
process.env["RAMPART_BENCH_CERT"] = cert.cert;
process.env["RAMPART_BENCH_KEY"] = cert.key;
const upstream = spawn("upstream", []);
const { port } = await waitFor<{ port: number }>(upstream, (m) => "port" in m);
const before = loadavg();
const k = (n: Counted): string =>
  `${(n.all / 1000).toFixed(1)}k (main thread ${(n.main / 1000).toFixed(1)}k)`;
try {
  for (const role of values.roles.split(",")) {
    const { max, paced } = await measure(role, port);
    console.log(
      `${role}: ${k(max)} instructions/request closed loop (${values.requests} requests, ${values.connections} connections); ${k(paced)} paced (${values["paced-requests"]} at ${values["paced-rate"]}/s)`,
    );
  }
} finally {
  upstream.send({ cmd: "exit" });
}
console.log(
  `load average before ${before.map((l) => l.toFixed(2)).join(" ")}, after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
