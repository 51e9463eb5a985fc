/**
 * Instructions per request of the in-process pipeline (full policy, request observer on,
 * access log off: `pipelineCpuMicros`), counted by callgrind for this tree and, with
 * RAMPART_BENCH_BASELINE=<checkout root>, for that one too (issue #20). Each tree runs twice
 * under valgrind, with `calls` and 3 × `calls` requests; the difference of the two totals over
 * 2 × `calls` cancels start-up out. Start-up still varies by a few hundred million
 * instructions between runs, so a figure is good to about ±5k at the default 20,000 calls.
 * Callgrind counts each thread apart (`--separate-threads=yes`); the figure is the main
 * thread's (the pipeline itself, its GC's young generation), then the whole process's, whose
 * background compile and GC threads move from run to run.
 *
 *   node test/bench/pipeline-instructions.ts [calls]
 *
 * The baseline needs its `src/`, `test/` and `fixtures/geoip/` and a `node_modules` (see
 * pipeline-side-by-side.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { benchTrees } from "./trees.ts";

const [first, second] = process.argv.slice(2);

/** Inside valgrind: one run of the pipeline from `root`. */
async function runOnce(root: string, calls: number): Promise<void> {
  const mod = (await import(pathToFileURL(join(root, "test/bench/proxy-pipeline.ts")).href)) as {
    pipelineCpuMicros: (full: boolean, calls: number, rounds: number, observe: string) => unknown;
  };
  await mod.pipelineCpuMicros(true, calls, 1, "observer");
}

/** The main thread's and the whole process's totals of one run of `root` with `calls` requests. */
function collected(root: string, calls: number): { main: number; all: number } {
  const dir = mkdtempSync(join(tmpdir(), "rampart-pipeline-cg-"));
  const run = spawnSync(
    "valgrind",
    [
      "--tool=callgrind",
      "--separate-threads=yes",
      `--callgrind-out-file=${join(dir, "cg")}`,
      process.execPath,
      import.meta.filename,
      "--run",
      root,
      String(calls),
    ],
    {
      encoding: "utf8",
      env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  try {
    const total = /Collected : (\d+)/.exec(run.stderr)?.[1];
    if (total === undefined)
      throw new Error(`callgrind printed no total: ${run.stderr.slice(-500)}`);
    // `cg-01` is the main thread's file (one per thread: `cg-TT`).
    const text = readFileSync(
      join(dir, readdirSync(dir).find((f) => f.endsWith("-01")) ?? "cg-01"),
      "utf8",
    );
    const main = /^(?:totals|summary): (\d+)/m.exec(text)?.[1];
    if (main === undefined) throw new Error("no main-thread total");
    return { main: Number(main), all: Number(total) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (first === "--run") {
  await runOnce(second ?? ".", Number(process.argv[4]));
} else {
  const calls = Number(first ?? 20_000);
  const trees = benchTrees();
  for (const [name, root] of trees) {
    const few = collected(root, calls);
    const many = collected(root, 3 * calls);
    const per = (key: "main" | "all"): string =>
      `${((many[key] - few[key]) / (2 * calls) / 1000).toFixed(1)}k`;
    console.log(
      `${name}: ${per("main")} instructions/request, main thread (${per("all")} all threads) (${root})`,
    );
  }
}
