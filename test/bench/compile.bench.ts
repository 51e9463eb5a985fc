/**
 * Compile time and heap for 10,000 tunnels, bundle size, and bundle load time (issue #4:
 * compile < 2 s and < 300 MB; load < 500 ms). Heap is measured after a forced GC, as the
 * growth of the used heap while the compiled policy is alive. Then `rampart compile` and
 * `rampart lint` of 10,000 tunnels and 10,000 grants as whole commands (issue #19, see
 * `large-commands.ts`), with the bundle's sha-256: it must not change when compile gets faster.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { BenchModule } from "./bench-module.ts";
import { median, seededRandom } from "./harness.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { writeBundle } from "../../src/compile/bundle.ts";
import { loadBundle } from "../../src/compile/load-bundle.ts";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { manyTunnelsPolicy } from "./policies.ts";
import { commandFigures, runLargeCommands, THIS_CLI } from "./large-commands.ts";
import { requestFacts } from "../../src/testkit/index.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Touches every tunnel once so lazily built parts are counted in the heap figure. */
function warmEveryTunnel(compiled: CompiledPolicy, count: number): void {
  for (let i = 0; i < count; i++) compiled.request(requestFacts({ host: `t${i}.example.com` }));
}

interface RunFigures {
  compileMs: number;
  heapMb: number;
  writeMs: number;
  bytes: number;
  loadMs: number;
  firstRequestMs: number;
}

/**
 * One measured run, in its own call so nothing from an earlier run is still referenced from
 * a stack slot when the heap is measured.
 */
function oneRun(policy: EffectivePolicy, count: number): RunFigures {
  gc();
  const before = process.memoryUsage().heapUsed;
  let start = process.hrtime.bigint();
  const compiled = compilePolicy(policy, { eager: true });
  const compileMs = ms(start);
  warmEveryTunnel(compiled, count);
  gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  if (compiled.request(requestFacts({ host: "t1.example.com" })).stage === "route") {
    throw new Error("t1 did not route");
  }
  start = process.hrtime.bigint();
  const text = writeBundle([policy], []);
  const writeMs = ms(start);
  start = process.hrtime.bigint();
  const loaded = loadBundle(text);
  const loadMs = ms(start);
  const first = loaded.value?.[0];
  if (first === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
  start = process.hrtime.bigint();
  warmEveryTunnel(first, count);
  const firstRequestMs = ms(start);
  return { compileMs, heapMb, writeMs, bytes: Buffer.byteLength(text), loadMs, firstRequestMs };
}

/** `loadBundle` timed in fresh processes, where nothing is warmed up: a runtime's start-up. */
function coldLoadMs(policy: EffectivePolicy, runs: number): number[] {
  const dir = mkdtempSync(join(tmpdir(), "rampart-bench-"));
  try {
    const file = join(dir, "bundle.json");
    writeFileSync(file, writeBundle([policy], []));
    const script = join(import.meta.dirname, "load-once.ts");
    return Array.from({ length: runs }, () => {
      const child = spawnSync(process.execPath, [script, file], { encoding: "utf8" });
      if (child.status !== 0) throw new Error(child.stderr);
      return Number(child.stdout.trim());
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The compile and bundle benches. */
export const compileBench: BenchModule = {
  name: "compile",
  description: "compile time and heap for 10,000 tunnels; bundle write and load time",
  run({ quick }) {
    const count = 10_000;
    const runs = quick ? 1 : 5;
    const policy = manyTunnelsPolicy(seededRandom(10_000), count);
    const figures = Array.from({ length: runs }, () => oneRun(policy, count));
    const coldLoads = coldLoadMs(policy, runs);
    const fmt = (pick: (f: RunFigures) => number, unit: string) => {
      const values = figures.map(pick);
      return `${median(values).toFixed(1)} ${unit} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
    };
    const commands = runLargeCommands([THIS_CLI], quick ? 1 : 3).get(THIS_CLI) ?? new Map();
    const commandRows = [...commands].map(([name, list]) => ({
      label: `rampart ${name}, 10,000 tunnels + 10,000 grants, ${list.length} runs`,
      figures: commandFigures(list),
    }));
    return [
      {
        label: `${count.toLocaleString("en")} tunnels, ${runs} runs`,
        figures: {
          "compile, eager (median, min–max)": fmt((f) => f.compileMs, "ms"),
          "heap of the compiled policy, every tunnel used": fmt((f) => f.heapMb, "MB"),
          "write bundle": fmt((f) => f.writeMs, "ms"),
          "bundle size": `${((figures[0]?.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB`,
          "load bundle (parse, hash, validate, route)": fmt((f) => f.loadMs, "ms"),
          "then first request on every tunnel (lazy compile)": fmt((f) => f.firstRequestMs, "ms"),
          "load bundle in a fresh process": `${median(coldLoads).toFixed(1)} ms (${Math.min(...coldLoads).toFixed(1)}–${Math.max(...coldLoads).toFixed(1)})`,
        },
      },
      ...commandRows,
    ];
  },
};
