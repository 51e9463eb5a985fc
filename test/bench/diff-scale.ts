/**
 * `rampart diff` at the scale of real platforms (issue #19): the parse bench's policy with N
 * tunnels and N grants (`parse-policy.ts`), one edit of each kind a pull request makes, and
 * 100 mixed edits (`diff-edits.ts`), for N = 100, 1,000 and 10,000. Each case runs in its own
 * child process, so its memory figures are its own: both versions are checked as `rampart
 * diff` checks them, then `diffPolicies` runs `runs` times (median) and the peak RSS it added
 * over the two checked policies is read from the kernel's high-water mark. Every witness
 * must be confirmed, so a fast wrong answer cannot pass. The whole command is also run
 * start to exit on the 10,000 cases (`--command-runs` times): wall time, CPU time, peak RSS.
 *
 * `node test/bench/diff-scale.ts [--sizes 100,1000] [--cases LABEL,…] [--runs N] [--root DIR]
 * [--budget SECONDS] [--command-runs N]` prints the rows; `--root` runs the children on another
 * checkout's sources (the before/after comparison). Each diff stops after `--budget` seconds
 * (default 60) as `rampart diff --max-time` does, and the row says how many host classes it
 * compared of how many: a case that does not finish is reported as such, never as a time.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { BATCH_HEAP_FLAGS } from "../../src/cli/batch-heap.ts";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import type { EditKind } from "./diff-edits.ts";
import { applyEdits, EDIT_KINDS } from "./diff-edits.ts";
import { median } from "./harness.ts";
import { largePolicyDsl } from "./parse-policy.ts";

const HERE = fileURLToPath(import.meta.url);
const REPO = resolve(HERE, "../../..");
const MIXED: readonly EditKind[] = [
  "grant path widened",
  "grant filter widened",
  "tunnel CIDR widened",
];

/**
 * The cases of one size: a label, the edit kinds and how many edits. A 100-tunnel policy has
 * too few tunnels with a trusted-IP list for 100 edits: it gets 25.
 */
function casesOf(n: number): { label: string; kinds: readonly EditKind[]; count: number }[] {
  const mixed = n >= 1_000 ? 100 : 25;
  return [
    ...EDIT_KINDS.map((k) => ({ label: k, kinds: [k], count: 1 })),
    { label: `${mixed} mixed edits`, kinds: MIXED, count: mixed },
  ];
}

/** What a child reports on stdout. */
interface ChildReport {
  readonly diffMs: number[];
  /** CPU time of the process (every thread, so the collector's too) during each diff. */
  readonly diffCpuMs: number[];
  /** Host classes compared, of how many, in the last run (fewer when the budget ran out). */
  readonly explored: number;
  readonly total: number;
  readonly checkMs: number;
  readonly rssBeforeMb: number;
  readonly peakRssMb: number;
  readonly regions: number;
  /** Regions that group tunnels changed alike, and how many tunnels they list. */
  readonly groups: number;
  readonly grouped: number;
}

async function child(
  root: string,
  oldPath: string,
  newPath: string,
  runs: number,
  budgetS: number,
): Promise<ChildReport> {
  const { readFileSync } = await import("node:fs");
  const load = (await import(pathToFileURL(join(root, "src/cli/load-policy.ts")).href)) as {
    checkPolicySource: (s: { name: string; text: string }, o?: object) => { effective?: unknown };
  };
  const { diffPolicies } = (await import(
    pathToFileURL(join(root, "src/analysis/diff/diff-policies.ts")).href
  )) as {
    diffPolicies: (
      a: unknown,
      b: unknown,
      o: { shouldStop: () => boolean },
    ) => {
      regions: {
        witness: { confirmed: boolean };
        conditions: { dimension: string; atoms: unknown[] }[];
      }[];
      stopped?: { explored: number; total: number };
    };
  };
  const started = performance.now();
  const [before, after] = [oldPath, newPath].map(
    (p) =>
      load.checkPolicySource({ name: p, text: readFileSync(p, "utf8") }, { lint: false }).effective,
  );
  const checkMs = performance.now() - started;
  if (before === undefined || after === undefined)
    throw new Error("a bench version does not check");
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
  const diffMs: number[] = [];
  const diffCpuMs: number[] = [];
  let regions = 0;
  let groups = 0;
  let grouped = 0;
  let stopped: { explored: number; total: number } | undefined;
  for (let r = 0; r < runs && stopped === undefined; r++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    const deadline = start + budgetS * 1000;
    const result = diffPolicies(before, after, { shouldStop: () => performance.now() > deadline });
    diffMs.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    diffCpuMs.push((used.user + used.system) / 1000);
    if (result.regions.some((x) => !x.witness.confirmed)) throw new Error("unconfirmed witness");
    regions = result.regions.length;
    // Regions that stand for several tunnels changed alike (their host condition lists them).
    const hostCounts = result.regions.map(
      (x) => x.conditions.find((c) => c.dimension === "host")?.atoms.length ?? 1,
    );
    groups = hostCounts.filter((h) => h > 1).length;
    grouped = hostCounts.filter((h) => h > 1).reduce((a, b) => a + b, 0);
    stopped = result.stopped;
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  return {
    diffMs,
    diffCpuMs,
    explored: stopped?.explored ?? -1,
    total: stopped?.total ?? -1,
    checkMs,
    rssBeforeMb,
    peakRssMb,
    regions,
    groups,
    grouped,
  };
}

function runChild(
  root: string,
  oldPath: string,
  newPath: string,
  runs: number,
  budgetS: number,
): ChildReport {
  const out = execFileSync(
    process.execPath,
    [...BATCH_HEAP_FLAGS, HERE, "--child", root, oldPath, newPath, String(runs), String(budgetS)],
    { encoding: "utf8", maxBuffer: 2 ** 24, stdio: ["ignore", "pipe", "inherit"] },
  );
  return JSON.parse(out) as ChildReport;
}

/**
 * Written by the measured command as it exits (loaded with `--import`): its CPU time, every
 * thread, and its peak RSS. On a shared machine the CPU time says more than the wall time.
 */
const EXIT_USAGE = `data:text/javascript,${encodeURIComponent(
  "process.on('exit', () => { const u = process.resourceUsage(); " +
    "process.stderr.write('\\nrampart-bench-usage ' + JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKb: u.maxRSS }) + '\\n'); });",
)}`;

/** What one whole `rampart diff` took: wall and CPU time, peak RSS. */
interface CommandFigures {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
}

/**
 * `rampart diff OLD NEW` start to exit, as a user runs it (median of `runs`). The batch heap
 * flags are given here, as the command's own relaunch would add them, so that the process
 * measured is the one that does the work.
 */
function commandFigures(
  root: string,
  oldPath: string,
  newPath: string,
  runs: number,
): CommandFigures {
  const runsMeasured: CommandFigures[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const result = spawnSync(
      process.execPath,
      [
        ...BATCH_HEAP_FLAGS,
        "--import",
        EXIT_USAGE,
        join(root, "src/cli/bin.js"),
        "diff",
        oldPath,
        newPath,
        "--quiet",
      ],
      { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" },
    );
    const wallMs = performance.now() - start;
    if (result.status !== 0 && result.status !== 1)
      throw new Error(`rampart diff exited ${result.status}: ${result.stderr}`);
    const line = result.stderr.split("\n").find((l) => l.startsWith("rampart-bench-usage "));
    if (line === undefined) throw new Error("rampart diff did not report its usage");
    const usage = JSON.parse(line.slice("rampart-bench-usage ".length)) as {
      cpuMs: number;
      maxRssKb: number;
    };
    runsMeasured.push({ wallMs, cpuMs: usage.cpuMs, peakRssMb: usage.maxRssKb / 1024 });
  }
  return {
    wallMs: median(runsMeasured.map((x) => x.wallMs)),
    cpuMs: median(runsMeasured.map((x) => x.cpuMs)),
    peakRssMb: median(runsMeasured.map((x) => x.peakRssMb)),
  };
}

/** The rows of the matrix for each size. */
export function diffScaleRows(
  sizes: readonly number[],
  root: string,
  quick: boolean,
  only?: {
    readonly cases?: readonly string[];
    readonly runs?: number;
    readonly budgetS?: number;
    /** How many times the whole command runs at N = 10,000 (median). */
    readonly commandRuns?: number;
    readonly onRow?: (row: BenchRow) => void;
  },
): BenchRow[] {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), "rampart-diff-scale-"));
  try {
    for (const n of sizes) {
      const base = largePolicyDsl(n, n);
      const oldPath = join(dir, `base-${n}.rampart`);
      writeFileSync(oldPath, base);
      for (const c of casesOf(n).filter((x) => only?.cases?.includes(x.label) ?? true)) {
        const newPath = join(dir, `edit-${n}-${c.label.replaceAll(" ", "-")}.rampart`);
        writeFileSync(newPath, applyEdits(base, c.kinds, c.count));
        const runs = only?.runs ?? (quick || n >= 10_000 ? 3 : 5);
        const r = runChild(root, oldPath, newPath, runs, only?.budgetS ?? 60);
        const figures: Record<string, string> = {
          "diff median ms":
            r.explored < 0
              ? median(r.diffMs).toFixed(0)
              : `stopped at the budget: ${r.explored} of ${r.total} host classes in ${median(r.diffMs).toFixed(0)}`,
          "diff min ms": Math.min(...r.diffMs).toFixed(0),
          "diff CPU median ms": median(r.diffCpuMs).toFixed(0),
          // Later runs reuse the process's path partitions (`buildPathSpace`'s cache).
          "diff first run ms": (r.diffMs[0] ?? 0).toFixed(0),
          // What one `rampart diff` pays: nothing cached yet.
          "diff first run CPU ms": (r.diffCpuMs[0] ?? 0).toFixed(0),
          "peak RSS MB": r.peakRssMb.toFixed(0),
          "RSS added by diff MB": Math.max(0, r.peakRssMb - r.rssBeforeMb).toFixed(0),
          "check both versions ms": r.checkMs.toFixed(0),
          regions: String(r.regions),
          "of them grouping tunnels changed alike": `${r.groups} (${r.grouped} tunnels)`,
        };
        if (n >= 10_000 && !quick && r.explored < 0) {
          const whole = commandFigures(root, oldPath, newPath, only?.commandRuns ?? 1);
          figures["rampart diff (whole command) ms"] = whole.wallMs.toFixed(0);
          figures["rampart diff (whole command) CPU ms"] = whole.cpuMs.toFixed(0);
          figures["rampart diff (whole command) peak RSS MB"] = whole.peakRssMb.toFixed(0);
        }
        rows.push({ label: `N=${n}: ${c.label}`, figures });
        only?.onRow?.(rows[rows.length - 1] as BenchRow);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The bench `npm run bench` runs (see `run.ts`). */
export const diffScaleBench: BenchModule = {
  name: "diff-scale",
  description:
    "rampart diff of N tunnels × N grants, one edit of each kind and 100 mixed edits (targets at 10k: one grant < 2 s, 100 edits < 5 s)",
  run: ({ quick }) => diffScaleRows(quick ? [100, 1_000] : [100, 1_000, 10_000], REPO, quick),
};

if (process.argv[1] === HERE) {
  const { values, positionals } = parseArgs({
    options: {
      child: { type: "string" },
      sizes: { type: "string", default: "100,1000,10000" },
      root: { type: "string", default: REPO },
      quick: { type: "boolean", default: false },
      cases: { type: "string" },
      runs: { type: "string" },
      budget: { type: "string" },
      "command-runs": { type: "string" },
    },
    allowPositionals: true,
  });
  if (values.child !== undefined) {
    const [oldPath, newPath, runs, budget] = positionals as [string, string, string, string];
    console.log(
      JSON.stringify(await child(values.child, oldPath, newPath, Number(runs), Number(budget))),
    );
  } else {
    const sizes = values.sizes.split(",").map(Number);
    const only = {
      ...(values.cases === undefined ? {} : { cases: values.cases.split(",") }),
      ...(values.runs === undefined ? {} : { runs: Number(values.runs) }),
      ...(values.budget === undefined ? {} : { budgetS: Number(values.budget) }),
      ...(values["command-runs"] === undefined
        ? {}
        : { commandRuns: Number(values["command-runs"]) }),
    };
    diffScaleRows(sizes, resolve(values.root), values.quick, {
      ...only,
      onRow: (row) => console.log(row.label, JSON.stringify(row.figures)),
    });
  }
}
