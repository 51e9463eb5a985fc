/**
 * Relay CPU per MB, side by side (issue #14): each relay process's user + system CPU time
 * (all its threads, so V8's concurrent GC work counts) per MiB of a 64 KiB-write transfer,
 * and its MB/s, in interleaved rounds with medians. CPU time moves less with a shared machine's
 * load than MB/s does, and unlike callgrind (stream-instructions.ts) it runs at full speed over
 * enough MB that the full GCs external buffers trigger (one every ~50 MB) are averaged in, not
 * caught or missed by one short window. `--compare DIR` adds the `rampart` role of another
 * checkout of this repository (e.g. main's worktree) to the same run.
 *
 * `node test/bench/stream-cpu.ts [--mb 128] [--rounds 7] [--only tls] [--compare DIR]`
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateSelfSignedCertificate } from "../../src/runtime/tls/self-signed.ts";
import { forkRole, open, transfer } from "./stream.ts";
import type { Kind } from "./stream.ts";

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "128" },
    rounds: { type: "string", default: "7" },
    only: { type: "string", default: "tls" },
    compare: { type: "string" },
  },
});
const bytes = Number(values.mb) * 1024 * 1024;
const rounds = Number(values.rounds);
const kinds = (values.only ?? "tls").split(",") as Kind[];
const WARM_UP = 32 * 1024 * 1024;

/** CPU time of a process and all its threads so far, in µs (from /proc, 10 ms ticks). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const median = (v: readonly number[]): number =>
  [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

const generated = generateSelfSignedCertificate(["*.bench.test"]);
if (generated.value === undefined) throw new Error("no certificate");
const cert = generated.value;
const here = join(import.meta.dirname, "stream-roles.ts");
const sinks = forkRole(here, "sinks", [cert.certFile, cert.keyFile]);
const { tcp, tls } = (await sinks.ready) as { tcp: number; tls: number };
const args = [tcp, tls, cert.certFile, cert.keyFile];
const relays: { label: string; child: ChildProcess; ports: Record<string, number> }[] = [];
const add = async (label: string, file: string, name: string): Promise<void> => {
  const started = forkRole(file, name, args);
  relays.push({ label, child: started.child, ports: await started.ready });
};
await add("node pipe", here, "node");
await add("rampart", here, "rampart");
if (values.compare !== undefined) {
  await add(
    "rampart (--compare)",
    resolve(values.compare, "test/bench/stream-roles.ts"),
    "rampart",
  );
}
console.log(`load average at start: ${load()}`);
console.log("| case | MB/s (median) | vs node pipe | relay CPU µs per MiB | vs node pipe |");
console.log("| --- | --- | --- | --- | --- |");
try {
  for (const kind of kinds) {
    const servername = kind === "tls" ? "tls.bench.test" : "pass.bench.test";
    const samples = relays.map(() => ({ mbs: [] as number[], cpu: [] as number[] }));
    for (const relay of relays) {
      const warm = await open(kind, relay.ports[kind] ?? 0, servername);
      await transfer(warm, WARM_UP);
      warm.destroy();
    }
    for (let r = 0; r < rounds; r++) {
      for (const [i, relay] of relays.entries()) {
        const pid = relay.child.pid ?? 0;
        const socket = await open(kind, relay.ports[kind] ?? 0, servername);
        const cpuBefore = cpuMicros(pid);
        const started = process.hrtime.bigint();
        await transfer(socket, bytes);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        socket.destroy();
        samples[i]?.mbs.push(bytes / 1e6 / seconds);
        samples[i]?.cpu.push((cpuMicros(pid) - cpuBefore) / (bytes / 1048576));
      }
    }
    const plainMbs = median(samples[0]?.mbs ?? []);
    const plainCpu = median(samples[0]?.cpu ?? []);
    for (const [i, relay] of relays.entries()) {
      const mbs = median(samples[i]?.mbs ?? []);
      const cpu = median(samples[i]?.cpu ?? []);
      console.log(
        `| ${kind} · ${relay.label} | ${mbs.toFixed(0)} | ${((mbs / plainMbs) * 100).toFixed(0)}% | ${cpu.toFixed(0)} | ${((cpu / plainCpu) * 100).toFixed(0)}% |`,
      );
    }
  }
} finally {
  for (const r of [...relays, { child: sinks.child }]) r.child.kill();
}
console.log(`load average at end: ${load()}`);
