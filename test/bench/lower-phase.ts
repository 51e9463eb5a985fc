/**
 * The lower phase alone (`lowerToIr`: values, spans, semantic passes) on the parse bench's
 * 10,000-tunnel, 10,000-grant policy (issue #19), for this tree and, with
 * RAMPART_BENCH_BASELINE=<checkout root>, for that one too, in interleaved rounds. Each round
 * is a fresh process (lowering is measured cold, as a command runs it) that parses first and
 * then reports, for the lowering alone:
 *
 * - CPU time (`process.cpuUsage`, the GC's helper threads included), with the V8 flags of a
 *   batch command (`BATCH_HEAP_FLAGS`, as `rampart lint` relaunches itself);
 * - bytes allocated, in a second process whose young generation is large enough that no
 *   collection runs during lowering (so the heap's growth is what lowering allocated);
 * - bytes still live afterwards (the IR and what it holds), after a full collection.
 *
 * Allocation and live bytes do not move with the machine's load; CPU time does, somewhat.
 *
 *   node test/bench/lower-phase.ts [dsl|json] [--rounds N]
 *
 * The baseline needs its `src/` and `grammar/` and a `node_modules` (see
 * pipeline-side-by-side.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import v8 from "node:v8";
import { BATCH_HEAP_FLAGS } from "../../src/cli/batch-heap.ts";
import { writeLargePolicy } from "./large-commands.ts";
import { benchTrees, loadFrontEnd } from "./trees.ts";

const args = process.argv.slice(2);

interface Figures {
  readonly cpuMs: number;
  readonly allocatedMb: number;
  readonly liveMb: number;
  /** How many diagnostics lowering reported (none on the bench policy). */
  readonly diagnostics: number;
}

/** In the child: parse with `root`'s front end, then lower, and print the figures as JSON. */
async function measureOnce(root: string, file: string): Promise<void> {
  const { parsePolicySource, lowerToIr } = await loadFrontEnd(root);
  const name = file.endsWith(".json") ? "large.json" : "large.rampart";
  const ast = parsePolicySource({ name, text: readFileSync(file, "utf8") }).value;
  // SAFETY: the child runs with `--expose-gc`.
  const gc = (globalThis as { gc?: () => void }).gc as () => void;
  gc();
  const before = v8.getHeapStatistics().used_heap_size;
  const cpu = process.cpuUsage();
  const ir = lowerToIr(ast);
  const used = process.cpuUsage(cpu);
  const after = v8.getHeapStatistics().used_heap_size;
  gc();
  const live = v8.getHeapStatistics().used_heap_size - before;
  const figures: Figures = {
    cpuMs: (used.user + used.system) / 1000,
    allocatedMb: (after - before) / 1e6,
    liveMb: live / 1e6,
    // Read after the collection, so that the IR was live when `live` was measured.
    diagnostics: ir.diagnostics.length,
  };
  console.log(JSON.stringify(figures));
}

/** One child run of `root` on `file` with `flags`. */
function run(root: string, file: string, flags: readonly string[]): Figures {
  const child = spawnSync(
    process.execPath,
    [...flags, "--expose-gc", import.meta.filename, "--run", root, file],
    { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  );
  const line = child.stdout.trim().split("\n").at(-1) ?? "";
  if (child.status !== 0 || !line.startsWith("{")) {
    throw new Error(`lower-phase child failed: ${child.stderr.slice(-500)}`);
  }
  return JSON.parse(line) as Figures;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

/** A young generation no lowering fills: no collection runs while it allocates. */
const NO_GC_FLAGS = ["--max-semi-space-size=1024", "--min-semi-space-size=1024"];

if (args[0] === "--run") {
  await measureOnce(args[1] ?? ".", args[2] ?? "");
} else {
  const json = args.includes("json");
  const roundsAt = args.indexOf("--rounds");
  const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 5;
  const dir = mkdtempSync(join(tmpdir(), "rampart-lower-"));
  try {
    writeLargePolicy(dir);
    const file = join(dir, json ? "large.json" : "large.rampart");
    const trees = benchTrees();
    const cpu = new Map<string, number[]>(trees.map(([name]) => [name, []]));
    const memory = new Map<string, Figures>();
    for (let round = 0; round < rounds; round++) {
      for (const [name, root] of trees)
        cpu.get(name)?.push(run(root, file, BATCH_HEAP_FLAGS).cpuMs);
    }
    for (const [name, root] of trees) memory.set(name, run(root, file, NO_GC_FLAGS));
    for (const [name, root] of trees) {
      const m = memory.get(name);
      console.log(
        `${name}: lower ${median(cpu.get(name) ?? []).toFixed(0)} ms CPU (median of ${rounds}), ` +
          `allocated ${m?.allocatedMb.toFixed(1)} MB, live after ${m?.liveMb.toFixed(1)} MB, ` +
          `${m?.diagnostics} diagnostics ` +
          `(${json ? "JSON" : "DSL"}; ${root})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
