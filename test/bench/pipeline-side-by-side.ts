/**
 * The in-process pipeline (full policy, `pipelineCpuMicros`) of another checkout and of this
 * tree, interleaved in one process so both run under the same machine load at the same moment:
 * `RAMPART_BENCH_BASELINE=<checkout root> node test/bench/pipeline-side-by-side.ts [rounds]`.
 * The baseline needs its `src/`, `test/` and `fixtures/geoip/` (e.g. `git archive <commit> src
 * test fixtures/geoip package.json tsconfig.json`) and a `node_modules` (a symlink to this one).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { pipelineCpuMicros } from "./proxy-pipeline.ts";

const root = process.env["RAMPART_BENCH_BASELINE"];
if (root === undefined) throw new Error("set RAMPART_BENCH_BASELINE to a checkout's root");
const baseline = (await import(pathToFileURL(join(root, "test/bench/proxy-pipeline.ts")).href)) as {
  pipelineCpuMicros: typeof pipelineCpuMicros;
};

const rounds = Number(process.argv[2] ?? 6);
const rows: Record<"baseline" | "this tree", number[]> = { baseline: [], "this tree": [] };
for (let i = 0; i < rounds; i++) {
  rows.baseline.push(await baseline.pipelineCpuMicros(true, 200_000, 5));
  rows["this tree"].push(await pipelineCpuMicros(true, 200_000, 5));
}
const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
for (const [tree, values] of Object.entries(rows)) {
  const list = values.map((v) => v.toFixed(2)).join(", ");
  process.stdout.write(`${tree}: ${list} (median ${median(values).toFixed(2)} CPU µs/req)\n`);
}
