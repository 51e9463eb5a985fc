/**
 * System calls per MB relayed (issue #14): how many reads, writes and event-loop waits a relay
 * process makes per MB of a 64 KiB-write transfer, and the mean size of its reads, counted by
 * `strace` attached to the relay's process (test/bench/stream-roles.ts) for one connection.
 * Kernel work is what callgrind's instruction counts leave out (stream-instructions.ts); the
 * size of a read is set by the relay's input buffers, so these counts change little with load,
 * though strace slows the relay and with it the share of short reads. Reported, not asserted.
 *
 * `node test/bench/stream-syscalls.ts [--mb 64] [--only tcp,tls,passthrough]
 *  [--relays node,rampart,relay]`
 */
import { fork, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { generateSelfSignedCertificate } from "../../src/runtime/tls/self-signed.ts";
import { relayBenchOptions, transfer, warmRelay } from "./stream.ts";
import type { Kind } from "./stream.ts";

const ROLES = join(import.meta.dirname, "stream-roles.ts");
const WARM_UP = 16 * 1024 * 1024;
const TRACED = "read,write,writev,readv,epoll_wait,epoll_pwait";

const { mb, kinds, roles } = relayBenchOptions();

function start(
  name: string,
  args: (string | number)[],
): Promise<{ child: ChildProcess; ports: Record<string, number> }> {
  const child = fork(ROLES, [name, ...args.map(String)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (ports) => resolve({ child, ports: ports as Record<string, number> }));
    child.once("exit", (code) => reject(new Error(`${name} exited with ${String(code)}`)));
  });
}

interface Counts {
  reads: number;
  readBytes: number;
  writes: number;
  waits: number;
}

/** Counts the traced calls of one strace output file (one line per call, `-f`). */
function countCalls(trace: string): Counts {
  const counts: Counts = { reads: 0, readBytes: 0, writes: 0, waits: 0 };
  for (const line of trace.split("\n")) {
    const call = /^\d+\s+(\w+)\(.*\)\s+=\s+(-?\d+)/.exec(line);
    if (call === null) continue;
    const [, name, result] = call;
    const bytes = Number(result);
    if ((name === "read" || name === "readv") && bytes > 0) {
      counts.reads++;
      counts.readBytes += bytes;
    } else if ((name === "write" || name === "writev") && bytes > 0) counts.writes++;
    else if (name === "epoll_wait" || name === "epoll_pwait") counts.waits++;
  }
  return counts;
}

/** One relay process, one warm-up connection, then `bytes` on a traced connection. */
async function traceRun(
  name: string,
  args: (string | number)[],
  kind: Kind,
  bytes: number,
  dir: string,
): Promise<Counts> {
  const relay = await start(name, args);
  try {
    const openMeasured = await warmRelay(relay.ports, name, kind, WARM_UP);
    const socket = await openMeasured();
    const out = join(dir, `${name}-${kind}.trace`);
    const strace = spawn(
      "strace",
      ["-f", "-qq", "-e", `trace=${TRACED}`, "-o", out, "-p", String(relay.child.pid)],
      { stdio: "ignore" },
    );
    // strace needs a moment to attach to every thread before the measured transfer.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await transfer(socket, bytes);
    strace.kill("SIGINT");
    await new Promise((resolve) => strace.once("exit", resolve));
    socket.destroy();
    return countCalls(await readFile(out, "utf8"));
  } finally {
    relay.child.kill();
  }
}

const generated = generateSelfSignedCertificate(["*.bench.test"]);
if (generated.value === undefined) throw new Error("no certificate");
const cert = generated.value;
const sinks = await start("sinks", [cert.certFile, cert.keyFile]);
const { tcp, tls } = sinks.ports as { tcp: number; tls: number };
const relays = [
  { label: "node pipe", role: "node", args: [tcp, tls, cert.certFile, cert.keyFile] },
  { label: "rampart", role: "rampart", args: [tcp, tls, cert.certFile, cert.keyFile] },
  { label: "relay() alone", role: "relay", args: [tcp], only: "tcp" },
];
const dir = await mkdtemp(join(tmpdir(), "rampart-stream-syscalls-"));
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
console.log(`load average at start: ${load()}`);
console.log("| case | reads per MB | mean read | writes per MB | event-loop waits per MB |");
console.log("| --- | --- | --- | --- | --- |");
try {
  for (const kind of kinds) {
    for (const relay of relays) {
      if (!roles.includes(relay.role) || (relay.only !== undefined && relay.only !== kind))
        continue;
      const counts = await traceRun(relay.role, relay.args, kind, mb * 1024 * 1024, dir);
      const perMb = (n: number): string => (n / (mb * 1.048576)).toFixed(1);
      const mean = counts.reads === 0 ? 0 : counts.readBytes / counts.reads / 1024;
      console.log(
        `| ${kind} · ${relay.label} | ${perMb(counts.reads)} | ${mean.toFixed(1)} KiB | ${perMb(counts.writes)} | ${perMb(counts.waits)} |`,
      );
    }
  }
} finally {
  sinks.child.kill();
  await rm(dir, { recursive: true, force: true });
}
console.log(`load average at end: ${load()}`);
