/**
 * Instructions of the static pipeline's stages after parsing (lower, bounds, lint) on the
 * parse bench's 10,000-tunnel, 10,000-grant policy (issue #19), counted by callgrind for this
 * tree and, with RAMPART_BENCH_BASELINE=<checkout root>, for that one too. A machine shared
 * with other work moves wall and CPU times by tens of percent; instruction counts hardly move.
 *
 * Each tree runs twice under valgrind: parsing alone, then parsing and every later stage; the
 * difference is the later stages, their JIT compilation and their garbage collection
 * included. The process runs with the V8 flags of a batch command (`BATCH_HEAP_FLAGS`, as
 * `rampart lint` relaunches itself) and reads the sources with Node's type stripping (the same
 * for both trees). Both runs take a few minutes each on a loaded machine.
 *
 *   node test/bench/stage-instructions.ts [dsl|json] [--stages]
 *
 * With `--stages`, each tree runs four times (parsing, then up to lower, bounds and lint) and
 * each of the three later stages is counted alone, as the difference of two runs. Garbage
 * collection lands in the stage that fills the young generation, so compare a stage's figure
 * side by side with the baseline's and read bounds + lint together too.
 *
 * The baseline needs its `src/` and `grammar/` and a `node_modules` (see
 * pipeline-side-by-side.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BATCH_HEAP_FLAGS } from "../../src/cli/batch-heap.ts";
import type { CheckedPolicy, PipelineOptions, StageName } from "../../src/pipeline.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";
import { writeLargePolicy } from "./large-commands.ts";
import { benchTrees } from "./trees.ts";

const [first, ...rest] = process.argv.slice(2);

/**
 * The pipeline's stages in order (`STAGE_NAMES`, written out: importing the pipeline here would
 * load this tree's modules into the baseline's measured process too).
 */
const STAGE_NAMES: readonly StageName[] = ["parse", "lower", "bounds", "lint"];

/** Inside valgrind: parse the file with `root`'s pipeline, then run the stages up to `until`. */
async function runOnce(root: string, file: string, until: StageName): Promise<void> {
  const { runPipeline } = (await import(pathToFileURL(join(root, "src/pipeline.ts")).href)) as {
    runPipeline: (source: SourceFile, options: PipelineOptions) => CheckedPolicy;
  };
  const name = file.endsWith(".json") ? "large.json" : "large.rampart";
  runPipeline({ name, text: readFileSync(file, "utf8") }, { until });
}

/** The "Collected" total of one run under callgrind. */
function collected(root: string, file: string, until: StageName): number {
  const run = spawnSync(
    "valgrind",
    [
      "--tool=callgrind",
      "--callgrind-out-file=/dev/null",
      process.execPath,
      ...BATCH_HEAP_FLAGS,
      import.meta.filename,
      "--run",
      root,
      file,
      until,
    ],
    {
      encoding: "utf8",
      env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const total = /Collected : (\d+)/.exec(run.stderr)?.[1];
  if (total === undefined) throw new Error(`callgrind printed no total: ${run.stderr.slice(-500)}`);
  return Number(total);
}

if (first === "--run") {
  const [root, file, until] = rest;
  const stage = STAGE_NAMES.find((name) => name === until) ?? "lint";
  await runOnce(root ?? ".", file ?? "", stage);
} else {
  const json = first === "json";
  const stages = rest.includes("--stages") || first === "--stages";
  const dir = mkdtempSync(join(tmpdir(), "rampart-stages-"));
  try {
    writeLargePolicy(dir);
    const file = join(dir, json ? "large.json" : "large.rampart");
    const trees = benchTrees();
    for (const [name, root] of trees) {
      if (stages) {
        const counts = STAGE_NAMES.map((stage) => collected(root, file, stage));
        const each = STAGE_NAMES.slice(1).map(
          (stage, i) =>
            `${stage} ${(((counts[i + 1] ?? 0) - (counts[i] ?? 0)) / 1e9).toFixed(3)} G`,
        );
        console.log(`${name}: ${each.join(", ")} instructions (${json ? "JSON" : "DSL"}; ${root})`);
        continue;
      }
      const parse = collected(root, file, "parse");
      const all = collected(root, file, "lint");
      const later = (all - parse) / 1e9;
      console.log(
        `${name}: lower + bounds + lint ${later.toFixed(3)} G instructions ` +
          `(parse ${(parse / 1e9).toFixed(3)} G, all ${(all / 1e9).toFixed(3)} G; ${json ? "JSON" : "DSL"}; ${root})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
