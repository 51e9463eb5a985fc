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
 *     [--warmup 5000] [--node-flags "…"] [--keep DIR]
 *
 * `--keep DIR` leaves each role's closed-loop dump in DIR (`ROLE.callgrind`) for
 * `callgrind_annotate --inclusive=yes` (which functions the instructions went to).
 *
 * RAMPART_BENCH_BASELINE=<checkout> adds the `rampart-baseline` role (that tree's runtime).
 */
import { execFileSync, fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Pool } from "undici";

const ROLES = join(import.meta.dirname, "proxy-roles.ts");

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
  },
});

function waitFor<T>(child: ChildProcess, accept: (m: Record<string, unknown>) => boolean) {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>): void => {
      if (!accept(m)) return;
      child.off("message", onMessage);
      resolve(m as T);
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new Error(`role exited with ${String(code)}`)));
  });
}

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
      `--callgrind-out-file=${join(outDir, "cg.%p")}`,
      process.execPath,
      ...nodeFlags,
    ],
    // The compile cache would make the first run of a tree cheaper than the next.
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
}

/** Sends `count` GETs over `connections` connections, back to back or at `rate` per second. */
async function send(
  port: number,
  headers: Record<string, string>,
  count: number,
  connections: number,
  rate: number,
): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 });
  let failures = 0;
  const once = async (): Promise<void> => {
    try {
      const res = await pool.request({ path: "/api/bench", method: "GET", headers });
      await res.body.dump();
      if (res.statusCode !== 200) failures++;
    } catch {
      // Reported with the figures: under valgrind a proxy can fall behind its client timeouts.
      failures++;
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
  await pool.close();
  return failures;
}

/** The newest dump callgrind wrote for `pid`. */
function newestDump(outDir: string, pid: number): string {
  const dumps = readdirSync(outDir)
    .filter((f) => f.startsWith(`cg.${pid}.`))
    .sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()));
  const last = dumps.at(-1);
  if (last === undefined) throw new Error(`no callgrind dump for ${pid}`);
  return join(outDir, last);
}

/** The total instruction count of the newest dump callgrind wrote for `pid`. */
function dumpedInstructions(outDir: string, pid: number): number {
  const last = newestDump(outDir, pid);
  const text = readFileSync(last, "utf8");
  const total = /^(?:totals|summary): (\d+)/m.exec(text);
  if (total === null) throw new Error(`no totals in ${last}`);
  return Number(total[1]);
}

/** Instructions per request for one contender: closed loop, then paced. */
async function measure(role: string, upstreamPort: number) {
  const outDir = mkdtempSync(join(tmpdir(), "rampart-cg-"));
  const flags = values["node-flags"] === "" ? [] : values["node-flags"].split(" ");
  const child = spawn(role, [String(upstreamPort)], outDir, flags);
  try {
    const ready = await waitFor<{ port: number; token?: string }>(child, (m) => "port" in m);
    const headers: Record<string, string> = {
      host: "api.bench.test",
      "x-forwarded-for": "81.2.69.160",
    };
    if (ready.token !== undefined) headers["authorization"] = `Bearer ${ready.token}`;
    const connections = Number(values.connections);
    const pid = child.pid ?? 0;
    const phase = async (count: number, rate: number): Promise<number> => {
      execFileSync("callgrind_control", ["-i", "on", String(pid)], { stdio: "ignore" });
      execFileSync("callgrind_control", ["-z", String(pid)], { stdio: "ignore" });
      const failures = await send(ready.port, headers, count, connections, rate);
      execFileSync("callgrind_control", ["-d", String(pid)], { stdio: "ignore" });
      if (failures > 0) console.log(`${role}: ${failures} of ${count} requests failed`);
      return dumpedInstructions(outDir, pid) / count;
    };
    // Warm-up: JIT, pools, the token cache.
    await send(ready.port, headers, Number(values.warmup), connections, 0);
    const max = await phase(Number(values.requests), 0);
    if (values.keep !== undefined) {
      mkdirSync(values.keep, { recursive: true });
      copyFileSync(newestDump(outDir, pid), join(values.keep, `${role}.callgrind`));
    }
    const paced = await phase(Number(values["paced-requests"]), Number(values["paced-rate"]));
    return { max, paced };
  } finally {
    child.send({ cmd: "exit" });
    await new Promise((r) => child.once("exit", r));
    rmSync(outDir, { recursive: true, force: true });
  }
}

const upstream = spawn("upstream", []);
const { port } = await waitFor<{ port: number }>(upstream, (m) => "port" in m);
const before = loadavg();
const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;
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
