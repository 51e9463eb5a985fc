/**
 * Instructions per MB relayed (issue #14): the user-space instructions a relay process spends
 * per MB of a 64 KiB-write transfer, counted by valgrind's callgrind, which the load of a
 * shared machine does not move (wall-clock throughput does). For each relay, kind and size,
 * the relay's process (test/bench/stream-roles.ts) runs under callgrind while the sinks and
 * this client run natively. Start-up and a warm-up transfer run uninstrumented; then
 * instrumentation is switched on for one connection and off after it closes. Each relay runs
 * twice: a 1-byte connection, and `--mb` MiB on one connection; the difference divided by
 * the MB is the per-MB cost (the connection's own set-up and teardown cancel out).
 * Kernel work (copies, TCP) is not counted: this measures what each relay adds in user space.
 * Caveat: a relay's cost per MB also depends on how many reads a MB takes, which depends on the
 * relative speed of client, relay and sink; load can move that, so compare runs side by side.
 *
 * `node test/bench/stream-instructions.ts [--mb 64] [--only tcp,tls,passthrough]
 *  [--relays node,rampart,relay]`
 */
import { execFile, fork } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { generateSelfSignedCertificate } from "../../src/runtime/tls/self-signed.ts";
import { relayBenchOptions, transfer, warmRelay } from "./stream.ts";
import type { Kind } from "./stream.ts";

const ROLES = join(import.meta.dirname, "stream-roles.ts");
const WARM_UP = 16 * 1024 * 1024;

const { mb, kinds, roles } = relayBenchOptions();

interface Started {
  readonly ports: Record<string, number>;
  /** Turns callgrind's instrumentation on or off (a counted role only). */
  instrument(on: boolean): Promise<void>;
  stop(): Promise<number | null>;
}

/** Forks a role; under callgrind when `counted`, returning the instructions at its exit. */
function start(name: string, args: (string | number)[], counted: boolean): Promise<Started> {
  const child = fork(ROLES, [name, ...args.map(String)], {
    stdio: ["ignore", "inherit", counted ? "pipe" : "inherit", "ipc"],
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
    ...(counted
      ? {
          execPath: "valgrind",
          // Start-up and warm-up run uninstrumented; only the measured transfer is counted.
          execArgv: [
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            "--instr-atstart=no",
            process.execPath,
          ],
        }
      : {}),
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.once("message", (ports) =>
      resolve({
        ports: ports as Record<string, number>,
        instrument: async (on) => {
          const done = new Promise<void>((resolveDone, rejectDone) =>
            execFile("callgrind_control", ["-i", on ? "on" : "off", String(child.pid)], (error) =>
              error === null ? resolveDone() : rejectDone(error),
            ),
          );
          // Callgrind reads the command between system calls: wake the idle event loop.
          const wake = setInterval(() => child.send("wake"), 100);
          await done.finally(() => clearInterval(wake));
        },
        stop: async () => {
          child.send("exit");
          await exited;
          const collected = /Collected : (\d+)/.exec(stderr);
          return collected === null ? null : Number(collected[1]);
        },
      }),
    );
    child.once("exit", (code) => reject(new Error(`${name} exited with ${String(code)}`)));
  });
}

/** Instructions of one run of relay `name` for `kind`: warm-up, then `bytes` on one connection. */
async function countRun(
  name: string,
  args: (string | number)[],
  kind: Kind,
  bytes: number,
): Promise<number> {
  const relay = await start(name, args, true);
  const openMeasured = await warmRelay(relay.ports, name, kind, WARM_UP);
  await relay.instrument(true);
  const socket = await openMeasured();
  await transfer(socket, bytes);
  socket.destroy();
  await new Promise((resolve) => socket.once("close", resolve));
  await relay.instrument(false);
  const collected = await relay.stop();
  if (collected === null) throw new Error(`no instruction count from ${name}`);
  return collected;
}

const generated = generateSelfSignedCertificate(["*.bench.test"]);
if (generated.value === undefined) throw new Error("no certificate");
const cert = generated.value;
const sinks = await start("sinks", [cert.certFile, cert.keyFile], false);
const { tcp, tls } = sinks.ports as { tcp: number; tls: number };
const relays: { label: string; role: string; args: (string | number)[]; kinds: Kind[] }[] = [
  {
    label: "node pipe",
    role: "node",
    args: [tcp, tls, cert.certFile, cert.keyFile],
    kinds: ["tcp", "tls", "passthrough"],
  },
  {
    label: "rampart",
    role: "rampart",
    args: [tcp, tls, cert.certFile, cert.keyFile],
    kinds: ["tcp", "tls", "passthrough"],
  },
  { label: "relay() alone", role: "relay", args: [tcp], kinds: ["tcp"] },
];
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.log(`| case | instructions per MB | vs node pipe |`);
console.log(`| --- | --- | --- |`);
try {
  for (const kind of kinds) {
    let plain = 0;
    for (const relay of relays.filter((r) => r.kinds.includes(kind) && roles.includes(r.role))) {
      const base = await countRun(relay.role, relay.args, kind, 1);
      const full = await countRun(relay.role, relay.args, kind, mb * 1024 * 1024);
      const perMb = (full - base) / (mb * 1.048576);
      if (relay.label === "node pipe") plain = perMb;
      const ratio = plain === 0 ? "" : `${((perMb / plain) * 100).toFixed(0)}%`;
      console.log(`| ${kind} · ${relay.label} | ${(perMb / 1e6).toFixed(2)} M | ${ratio} |`);
    }
  }
} finally {
  await sinks.stop();
}
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
