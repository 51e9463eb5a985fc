/**
 * Compile time and heap for 10,000 tunnels, bundle size, and bundle load time (issue #4:
 * compile < 2 s and < 300 MB; load < 500 ms). Heap is measured after a forced GC, as the
 * growth of the used heap while the compiled policy is alive.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { BenchModule } from "./bench-module.ts";
import { median, seededRandom } from "./harness.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { writeBundle } from "../../src/compile/bundle.ts";
import { loadBundle } from "../../src/compile/load-bundle.ts";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import { manyTunnelsPolicy } from "./policies.ts";
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

/** The compile and bundle benches. */
export const compileBench: BenchModule = {
  name: "compile",
  description: "compile time and heap for 10,000 tunnels; bundle write and load time",
  run({ quick }) {
    const count = 10_000;
    const runs = quick ? 1 : 5;
    const policy = manyTunnelsPolicy(seededRandom(10_000), count);
    const compileMs: number[] = [];
    const heapMb: number[] = [];
    const writeMs: number[] = [];
    const loadMs: number[] = [];
    const firstRequestMs: number[] = [];
    let bytes = 0;
    for (let r = 0; r < runs; r++) {
      gc();
      const before = process.memoryUsage().heapUsed;
      let start = process.hrtime.bigint();
      const compiled = compilePolicy(policy, { eager: true });
      compileMs.push(ms(start));
      warmEveryTunnel(compiled, count);
      gc();
      heapMb.push((process.memoryUsage().heapUsed - before) / 2 ** 20);
      start = process.hrtime.bigint();
      const text = writeBundle([policy], []);
      writeMs.push(ms(start));
      bytes = Buffer.byteLength(text);
      start = process.hrtime.bigint();
      const loaded = loadBundle(text);
      loadMs.push(ms(start));
      if (loaded.value === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
      start = process.hrtime.bigint();
      warmEveryTunnel(loaded.value[0] as CompiledPolicy, count);
      firstRequestMs.push(ms(start));
      if (compiled.request(requestFacts({ host: "t1.example.com" })).stage === "route") throw new Error("t1 did not route");
    }
    const fmt = (values: number[], unit: string) => `${median(values).toFixed(1)} ${unit} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
    return [
      {
        label: `${count.toLocaleString("en")} tunnels, ${runs} runs`,
        figures: {
          "compile, eager (median, min–max)": fmt(compileMs, "ms"),
          "heap after compile + first request per tunnel": fmt(heapMb, "MB"),
          "write bundle": fmt(writeMs, "ms"),
          "bundle size": `${(bytes / 2 ** 20).toFixed(1)} MiB`,
          "load bundle (parse, hash, validate, route)": fmt(loadMs, "ms"),
          "then first request on every tunnel (lazy compile)": fmt(firstRequestMs, "ms"),
        },
      },
    ];
  },
};
