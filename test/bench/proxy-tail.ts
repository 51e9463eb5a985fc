/**
 * Where the slow requests of the one-connection latency row go (issue #20: TLS p99 < 5 ms at
 * one connection @200/s). The proxy bench gives a p99; this says, for every request slower
 * than `--slow-ms`, which part of its time was largest: before the proxy's server emitted it
 * (the client's send, the kernel, the proxy's wake-up, TLS and the parser), inside the proxy
 * (request to finished response, the upstream's round trip included), or after the response
 * finished (the way back and the client's wake-up), and how many overlapped a GC pause of the
 * proxy. A tail outside the proxy is the host's, not the proxy's, and no change to the proxy
 * moves it.
 *
 * Each role (a proxy of proxy-roles.ts with an HTTP server: rampart, rampart-tls,
 * minimal-undici, minimal-undici-tls, …) runs with proxy-tail-probe.ts loaded, which records
 * when its server emitted each request and finished its response, its GC pauses and its
 * event-loop delay. This process is the client: one keep-alive connection, open loop at
 * `--rate`, after a closed-loop warm-up; roles alternate round by round.
 *
 *   node test/bench/proxy-tail.ts [--roles rampart-tls,minimal-undici-tls,rampart]
 *     [--seconds 10] [--rate 200] [--rounds 2] [--warmup 3000] [--slow-ms 5]
 */
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { selfSigned, tempDir } from "../runtime/helpers/certs.ts";
import { waitFor } from "./child-message.ts";
import type { ServedRecord, TailDump } from "./proxy-tail-probe.ts";

const ROLES = join(import.meta.dirname, "proxy-roles.ts");
const PROBE = join(import.meta.dirname, "proxy-tail-probe.ts");
const BENCH_HOST = "api.bench.test";
const TLS_ROLES = new Set(["rampart-tls", "minimal-undici-tls", "minimal-undici-tls-token"]);

const { values } = parseArgs({
  options: {
    roles: { type: "string", default: "rampart-tls,minimal-undici-tls,rampart" },
    seconds: { type: "string", default: "10" },
    rate: { type: "string", default: "200" },
    rounds: { type: "string", default: "2" },
    warmup: { type: "string", default: "3000" },
    "slow-ms": { type: "string", default: "5" },
  },
});

/** One request as the client saw it: when it was issued and how long until its body ended. */
interface Sent {
  readonly issued: number;
  readonly ms: number;
}

/** A running role and the client to it. */
interface Contender {
  readonly role: string;
  readonly child: ChildProcess;
  readonly pool: Pool;
  readonly headers: Record<string, string>;
}

const wallNow = (): number => performance.timeOrigin + performance.now();

async function start(role: string, upstreamPort: number): Promise<Contender> {
  const child = fork(ROLES, [role, String(upstreamPort)], {
    execArgv: ["--import", PROBE],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await waitFor<{ port: number; token?: string }>(child, (m) => "port" in m);
  const headers: Record<string, string> = { host: BENCH_HOST, "x-forwarded-for": "81.2.69.160" };
  if (ready.token !== undefined) headers["authorization"] = `Bearer ${ready.token}`;
  const tls = TLS_ROLES.has(role);
  const pool = new Pool(`${tls ? "https" : "http"}://127.0.0.1:${ready.port}`, {
    connections: 1,
    pipelining: 1,
    ...(tls ? { connect: { servername: BENCH_HOST, rejectUnauthorized: false } } : {}),
  });
  return { role, child, pool, headers };
}

async function request(c: Contender, into: Sent[] | null): Promise<void> {
  const issued = wallNow();
  const res = await c.pool.request({ path: "/api/bench", method: "GET", headers: c.headers });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`${c.role}: status ${res.statusCode}`);
  into?.push({ issued, ms: wallNow() - issued });
}

function dump(c: Contender): Promise<TailDump> {
  c.child.send({ cmd: "tail-dump" });
  return waitFor<{ tail: TailDump }>(c.child, (m) => "tail" in m).then((m) => m.tail);
}

/** Requests at `rate` per second for `seconds`, as the bench's one-connection row sends them. */
async function openLoop(c: Contender, seconds: number, rate: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const inflight = new Set<Promise<void>>();
  const started = performance.now();
  let issued = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; issued < due; issued++) {
      const p = request(c, sent).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  return sent;
}

type Part = "before" | "inside" | "after" | "unmatched";

/** Which part of a slow request's time was largest, by the proxy's record of it. */
function largestPart(s: Sent, served: readonly ServedRecord[]): Part {
  const end = s.issued + s.ms;
  const r = served.find((x) => x.emitted >= s.issued && x.emitted <= end && x.finished > 0);
  if (r === undefined) return "unmatched";
  const parts: [Part, number][] = [
    ["before", r.emitted - s.issued],
    ["inside", r.finished - r.emitted],
    ["after", end - r.finished],
  ];
  return parts.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

function report(role: string, round: number, sent: readonly Sent[], tail: TailDump): void {
  const slowMs = Number(values["slow-ms"]);
  const ms = sent.map((s) => s.ms).sort((a, b) => a - b);
  const slow = sent.filter((s) => s.ms > slowMs);
  const parts: Record<Part, number> = { before: 0, inside: 0, after: 0, unmatched: 0 };
  for (const s of slow) parts[largestPart(s, tail.served)]++;
  const inside = tail.served
    .filter((r) => r.finished > 0)
    .map((r) => r.finished - r.emitted)
    .sort((a, b) => a - b);
  const gcMax = Math.max(0, ...tail.gcs.map((g) => g.ms));
  // A slow request during which the proxy paused for GC (the pause may explain part of it).
  const duringGc = slow.filter((s) =>
    tail.gcs.some((g) => g.start < s.issued + s.ms && g.start + g.ms > s.issued),
  ).length;
  const f = (n: number): string => n.toFixed(2);
  console.log(
    `${role} round ${round}: ${sent.length} requests, p50 ${f(quantile(ms, 0.5))} p99 ${f(quantile(ms, 0.99))} max ${f(ms.at(-1) ?? 0)} ms; ` +
      `${slow.length} over ${slowMs} ms, largest part before the proxy's request event ${parts.before}, ` +
      `inside the proxy ${parts.inside}, after its response finished ${parts.after}, unmatched ${parts.unmatched}; ` +
      `proxy request-to-finish p50 ${f(quantile(inside, 0.5))} p99 ${f(quantile(inside, 0.99))} ms; ` +
      `proxy loop delay p99 ${f(tail.loopDelay.p99)} max ${f(tail.loopDelay.max)} ms; ` +
      `${tail.gcs.length} GC pauses (longest ${f(gcMax)} ms), ${duringGc} slow requests during one`,
  );
}

// The TLS roles' certificate (proxy-roles.ts reads it from the environment, as in proxy.ts).
const cert = selfSigned(tempDir(), "bench", [BENCH_HOST]);
process.env["RAMPART_BENCH_CERT"] = cert.cert;
process.env["RAMPART_BENCH_KEY"] = cert.key;
const upstream = fork(ROLES, ["upstream"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
const { port } = await waitFor<{ port: number }>(upstream, (m) => "port" in m);
const before = loadavg();
const contenders: Contender[] = [];
try {
  for (const role of values.roles.split(",")) contenders.push(await start(role, port));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const c of contenders) {
      // Closed loop: JIT, the upstream pool, the token cache; then what it recorded is dropped.
      for (let i = 0; i < Number(values.warmup); i++) await request(c, null);
      await dump(c);
      const sent = await openLoop(c, Number(values.seconds), Number(values.rate));
      report(c.role, round, sent, await dump(c));
    }
  }
} finally {
  for (const c of contenders) {
    await c.pool.close();
    c.child.send({ cmd: "exit" });
  }
  upstream.send({ cmd: "exit" });
}
console.log(
  `load average before ${before.map((l) => l.toFixed(2)).join(" ")}, after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
