/**
 * Stream relays (issue #14): throughput (MB/s, one connection, 64 KiB writes) and new
 * connections/s for `tcp`, `tls` (terminated) and `tls-passthrough` tunnels, side by side with
 * a plain Node relay (`net` pipe; `tls.createServer` + pipe for terminated TLS) and nginx's
 * `stream` module (`proxy_pass`; `ssl_preread` for passthrough; `ssl` for termination). Every
 * party runs in its own process (test/bench/stream-roles.ts); the client runs here. For `tcp`,
 * rampart's relay function alone (no runtime around it) runs beside them, which isolates the
 * relay from the serving process. Also the compiled connection decision's own cost per call,
 * and the whole admission of a connection (what it pays before its relay starts). Reported,
 * never asserted. Targets: ≥ 90% of the plain relay's throughput; the decision adds < 50 µs
 * per connection.
 */
import { fork, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect as netConnect } from "node:net";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { RuntimeMetrics } from "../../src/runtime/ops/metrics.ts";
import { admitConnection } from "../../src/runtime/stream/admit.ts";
import type { StreamDeps } from "../../src/runtime/stream/admit.ts";
import type { StreamRoute } from "../../src/runtime/stream/routes.ts";
import { generateSelfSignedCertificate } from "../../src/runtime/tls/self-signed.ts";
import { freePort } from "../integration/nginx-harness.ts";
import { ensureNginx } from "../setup/nginx.ts";
import { effectivePolicy, tunnel, withTrustedIps } from "../runtime/helpers/policy.ts";
import type { BenchModule, BenchRow } from "./bench-module.ts";

const ROLES = join(import.meta.dirname, "stream-roles.ts");
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";

export type Kind = "tcp" | "tls" | "passthrough";
type Ports = Record<Kind, number>;

/** The bench's own roles (stream-roles.ts). */
const role = (name: string, args: (string | number)[]): ForkedRole => forkRole(ROLES, name, args);

/** A role process and the ports it reports once listening. */
export interface ForkedRole {
  readonly child: ChildProcess;
  readonly ready: Promise<Record<string, number>>;
}

/** Forks `file` as role `name`; `ready` resolves with the ports its first message reports. */
export function forkRole(file: string, name: string, args: (string | number)[]): ForkedRole {
  const child = fork(file, [name, ...args.map(String)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = new Promise<Record<string, number>>((resolve, reject) => {
    child.once("message", (m) => resolve(m as Record<string, number>));
    child.once("exit", (code) => reject(new Error(`${name} exited with ${String(code)}`)));
  });
  return { child, ready };
}

/**
 * The command line of the per-MB relay benches (stream-instructions.ts, stream-syscalls.ts):
 * `--mb` MiB per run, `--only` the tunnel kinds, `--relays` the roles of stream-roles.ts.
 */
export function relayBenchOptions(): { mb: number; kinds: Kind[]; roles: string[] } {
  const { values } = parseArgs({
    options: {
      mb: { type: "string", default: "64" },
      only: { type: "string", default: "tcp,tls,passthrough" },
      relays: { type: "string", default: "node,rampart,relay" },
    },
  });
  return {
    mb: Number(values.mb),
    kinds: (values.only ?? "").split(",") as Kind[],
    roles: (values.relays ?? "").split(","),
  };
}

/**
 * For the per-MB relay benches: the `kind` port of relay role `name`, warmed by one connection
 * carrying `warmUpBytes`; returns how to open the connection to measure.
 */
export async function warmRelay(
  ports: Record<string, number>,
  name: string,
  kind: Kind,
  warmUpBytes: number,
): Promise<() => Promise<Socket>> {
  const port = ports[kind];
  if (port === undefined) throw new Error(`${name} does not serve ${kind}`);
  const servername = kind === "tls" ? "tls.bench.test" : "pass.bench.test";
  const warm = await open(kind, port, servername);
  await transfer(warm, warmUpBytes);
  warm.destroy();
  return () => open(kind, port, servername);
}

/** Opens a connection of `kind`; TLS ones complete a full handshake (no session reuse). */
export function open(kind: Kind, port: number, servername: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      kind === "tcp"
        ? netConnect({ host: "127.0.0.1", port, noDelay: true }, () => resolve(socket))
        : tlsConnect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false }, () =>
            resolve(socket),
          );
    socket.once("error", reject);
  });
}

/** Sends `bytes` after the length header (in 64 KiB writes, with backpressure); waits for "ok". */
export function transfer(socket: Socket, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("data", () => resolve());
    socket.once("error", reject);
    const header = Buffer.alloc(8);
    header.writeBigUInt64BE(BigInt(bytes));
    socket.write(header);
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const part = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= part.length;
        if (!socket.write(part)) {
          socket.once("drain", pump);
          return;
        }
      }
    };
    pump();
  });
}

async function throughput(
  kind: Kind,
  port: number,
  servername: string,
  bytes: number,
): Promise<number> {
  const socket = await open(kind, port, servername);
  const started = process.hrtime.bigint();
  await transfer(socket, bytes);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  socket.destroy();
  return bytes / 1e6 / seconds;
}

async function connectionRate(
  kind: Kind,
  port: number,
  servername: string,
  seconds: number,
  concurrency: number,
): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const loop = async (): Promise<void> => {
    while (Date.now() < until) {
      const socket = await open(kind, port, servername);
      await transfer(socket, 1);
      socket.destroy();
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return done / ((Date.now() - started) / 1000);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** nginx with a `stream` block: one server per kind. */
async function startNginxStream(
  sinks: { tcp: number; tls: number },
  cert: { certFile: string; keyFile: string },
): Promise<{ ports: Ports; stop(): Promise<void> }> {
  const binary = await ensureNginx();
  const prefix = await mkdtemp(join(tmpdir(), "rampart-nginx-stream-"));
  const ports: Ports = {
    tcp: await freePort(),
    tls: await freePort(),
    passthrough: await freePort(),
  };
  const config = [
    `load_module ${STREAM_MODULE};`,
    "worker_processes 1;",
    `pid ${join(prefix, "nginx.pid")};`,
    `error_log ${join(prefix, "error.log")} warn;`,
    "events { worker_connections 4096; }",
    "stream {",
    `  server { listen 127.0.0.1:${ports.tcp}; proxy_pass 127.0.0.1:${sinks.tcp}; }`,
    `  server { listen 127.0.0.1:${ports.passthrough}; ssl_preread on; proxy_pass 127.0.0.1:${sinks.tls}; }`,
    `  server { listen 127.0.0.1:${ports.tls} ssl; ssl_certificate ${cert.certFile}; ssl_certificate_key ${cert.keyFile}; proxy_pass 127.0.0.1:${sinks.tcp}; }`,
    "}",
    "",
  ].join("\n");
  await writeFile(join(prefix, "nginx.conf"), config);
  const child = spawn(
    binary,
    [
      "-p",
      prefix,
      "-c",
      join(prefix, "nginx.conf"),
      "-e",
      join(prefix, "error.log"),
      "-g",
      "daemon off;",
    ],
    { stdio: "ignore" },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = netConnect({ host: "127.0.0.1", port: ports.tcp }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error("nginx stream did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    ports,
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      await rm(prefix, { recursive: true, force: true });
    },
  };
}

/** The compiled connection decision alone: ns per call, a trusted-IP list and a GeoIP list. */
function decisionNanos(calls: number): number {
  const t = withTrustedIps(tunnel({ id: "tcp", hosts: [], protocol: "tcp" }), [
    "127.0.0.0/8",
    "10.0.0.0/8",
    "192.0.2.0/24",
    "2001:db8::/32",
  ]);
  const policy = compilePolicy(effectivePolicy([{ ...t, tls: { ...t.tls, terminated: false } }]), {
    eager: true,
  });
  const decide = policy.tunnelById("tcp");
  if (decide === null) throw new Error("no tunnel");
  const facts = [
    { clientIp: "127.0.0.1", country: null, clientCredential: null },
    { clientIp: "198.51.100.7", country: "DE", clientCredential: null },
  ];
  let allowed = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++)
    if (decide.connection(facts[i & 1] as (typeof facts)[0]).allow) allowed++;
  const nanos = Number(process.hrtime.bigint() - started) / calls;
  if (allowed !== calls / 2) throw new Error("unexpected decisions");
  return nanos;
}

/**
 * What a connection pays before its relay starts, isolated: `admitConnection` as the `tcp`
 * listener calls it (peer address canonicalized, facts built, the compiled decision, the
 * outcome counted in the runtime's metrics), on an admitted and a refused address in turn
 * (the refusal also writes its log line, to a silent logger). ns per connection.
 */
export function admissionNanos(calls: number): number {
  const t = withTrustedIps(tunnel({ id: "tcp", hosts: [], protocol: "tcp" }), [
    "127.0.0.0/8",
    "10.0.0.0/8",
    "192.0.2.0/24",
    "2001:db8::/32",
  ]);
  const policy = compilePolicy(effectivePolicy([{ ...t, tls: { ...t.tls, terminated: false } }]), {
    eager: true,
  });
  const compiled = policy.tunnelById("tcp");
  if (compiled === null) throw new Error("no tunnel");
  const route: StreamRoute = {
    kind: "tcp",
    label: "tcp",
    tunnel: compiled.tunnel,
    compiled,
    upstream: { host: "127.0.0.1", port: 9 },
    tls: null,
    credentials: [],
    needsCountry: false,
  };
  const deps: StreamDeps = {
    state: () => {
      throw new Error("not read by admission");
    },
    geo: { path: "", builtAt: null, country: () => null },
    log: pino({ level: "info" }, new Writable({ write: (_c, _e, done) => done() })),
    metrics: new RuntimeMetrics(false),
    bounds: { connectTimeoutMs: 5_000, idleTimeoutMs: 300_000 },
  };
  // Peer addresses as a socket reports them: IPv4-mapped on a dual-stack listener.
  const peers = ["::ffff:127.0.0.1", "::ffff:198.51.100.7"];
  let allowed = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++)
    if (admitConnection(route, peers[i & 1], null, deps, "bench", null)?.allow === true) allowed++;
  const nanos = Number(process.hrtime.bigint() - started) / calls;
  if (allowed !== calls / 2) throw new Error("unexpected admissions");
  return nanos;
}

/** Throughput and connection rate of `kind` through every relay serving it, interleaved. */
async function measureKind(
  kind: Kind,
  relays: readonly { label: string; ports: Partial<Ports> }[],
  sizes: { bytes: number; rounds: number; seconds: number },
): Promise<BenchRow[]> {
  const { bytes, rounds, seconds } = sizes;
  const rows: BenchRow[] = [];
  const servername = kind === "tls" ? "tls.bench.test" : "pass.bench.test";
  // Rounds interleave the relays, so machine noise hits them alike; medians per relay.
  const samples = new Map<string, { mbs: number[]; cps: number[] }>();
  const here = relays.filter((relay) => relay.ports[kind] !== undefined);
  for (const relay of here) {
    await throughput(kind, relay.ports[kind] ?? 0, servername, 1024 * 1024); // warm-up
    samples.set(relay.label, { mbs: [], cps: [] });
  }
  for (let r = 0; r < rounds; r++) {
    for (const relay of here) {
      const port = relay.ports[kind] ?? 0;
      const sample = samples.get(relay.label);
      sample?.mbs.push(await throughput(kind, port, servername, bytes));
      sample?.cps.push(await connectionRate(kind, port, servername, seconds, 8));
    }
  }
  const measured = here.map((relay) => {
    const sample = samples.get(relay.label) ?? { mbs: [], cps: [] };
    return { label: relay.label, mbs: median(sample.mbs), cps: median(sample.cps) };
  });
  const plain = measured.find((m) => m.label === "node pipe") ?? measured[0];
  for (const m of measured) {
    rows.push({
      // Like with like: the `tls` rows' plain reference terminates TLS in Node too.
      label: `${kind} · ${m.label === "node pipe" && kind === "tls" ? "node pipe (Node TLS terminating)" : m.label}`,
      figures: {
        "MB/s (median)": m.mbs.toFixed(0),
        "vs node pipe": `${((m.mbs / (plain?.mbs ?? 1)) * 100).toFixed(0)}%`,
        "new conn/s": m.cps.toFixed(0),
        "conn/s vs node pipe": `${((m.cps / (plain?.cps ?? 1)) * 100).toFixed(0)}%`,
      },
    });
  }
  return rows;
}

export const streamBench: BenchModule = {
  name: "stream",
  description: "tcp / tls / tls-passthrough relays vs a plain Node relay and nginx stream",
  async run({ quick }): Promise<readonly BenchRow[]> {
    const generated = generateSelfSignedCertificate(["*.bench.test"]);
    if (generated.value === undefined) throw new Error("no certificate");
    const cert = generated.value;
    const sinkRole = role("sinks", [cert.certFile, cert.keyFile]);
    const sinks = (await sinkRole.ready) as { tcp: number; tls: number };
    const nodeRole = role("node", [sinks.tcp, sinks.tls, cert.certFile, cert.keyFile]);
    const rampartRole = role("rampart", [sinks.tcp, sinks.tls, cert.certFile, cert.keyFile]);
    // Rampart's relay function alone, as the tcp listener calls it, without the runtime around
    // it: isolates what the relay costs from what the serving process does besides.
    const relayRole = role("relay", [sinks.tcp]);
    const nginx = await startNginxStream(sinks, cert);
    const relays: { label: string; ports: Partial<Ports> }[] = [
      { label: "rampart", ports: (await rampartRole.ready) as Ports },
      { label: "relay() alone", ports: (await relayRole.ready) as Partial<Ports> },
      { label: "node pipe", ports: (await nodeRole.ready) as Ports },
      { label: "nginx stream", ports: nginx.ports },
    ];
    const bytes = (quick ? 32 : 128) * 1024 * 1024;
    const rounds = quick ? 1 : 5;
    const seconds = quick ? 1 : 2;
    const rows: BenchRow[] = [];
    try {
      for (const kind of ["tcp", "tls", "passthrough"] as const)
        rows.push(...(await measureKind(kind, relays, { bytes, rounds, seconds })));
      const ns = decisionNanos(quick ? 200_000 : 2_000_000);
      rows.push({
        label: "compiled connection decision (4 trusted-IP ranges), per call",
        figures: { "decision µs/call": (ns / 1000).toFixed(3) },
      });
      const admission = admissionNanos(quick ? 20_000 : 200_000);
      rows.push({
        label: "admission per connection (peer, facts, decision, metric; refusals logged)",
        figures: { "decision µs/call": (admission / 1000).toFixed(3) },
      });
    } finally {
      await nginx.stop();
      for (const r of [sinkRole, nodeRole, rampartRole, relayRole]) r.child.kill();
    }
    return rows;
  },
};
