/**
 * Parse + lint of a large policy (issue #2: 10,000 tunnels and 10,000 grants in under 1 s and
 * 300 MB). Each front end runs in its own child process, so its memory figures are its own:
 * the first pipeline run gives the peak RSS (the kernel's high-water mark) and the peak used
 * heap; further runs give the median time of every phase.
 *
 * The whole pipeline with lint then runs cold, 5 times, each in a fresh child with a time
 * limit (a slow rule shows as such instead of hanging the bench). Last, `rampart lint` itself
 * is timed start to exit, which adds what the phases leave out: starting Node, loading the
 * CLI, reading and printing.
 *
 * `node test/bench/parse.ts` prints the rows alone; `--write DIR` writes the two inputs;
 * `--child FILE --runs N [--lint]` is one child (profile it with `node --cpu-prof`);
 * `PARSE_BENCH_TRACE=1` prints each phase and the used heap as it ends.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getHeapStatistics } from "node:v8";
import { computeEffective } from "../../src/bounds/intersect.ts";
import { BATCH_HEAP_FLAGS } from "../../src/cli/batch-heap.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { hasErrors } from "../../src/diagnostics/diagnostic.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";
import { lowerToIr } from "../../src/ir/lower.ts";
import { runLintRules } from "../../src/lint/run.ts";
import type { PolicyAst } from "../../src/syntax/ast.ts";
import { parseDsl, parseDslInPhases } from "../../src/syntax/dsl-to-ast.ts";
import type { DslPhase } from "../../src/syntax/dsl-to-ast.ts";
import { readJson } from "../../src/syntax/json-reader.ts";
import { validateDocument } from "../../src/syntax/validate.ts";
import type { BenchModule, BenchOptions, BenchRow } from "./bench-module.ts";
import { median } from "./harness.ts";
import { largePolicyDsl } from "./parse-policy.ts";

/** Table names of the DSL phases (lexing and parsing are interleaved, a piece at a time). */
const PHASE_NAMES: Readonly<Record<DslPhase, string>> = {
  parse: "lex + parse → doc",
  validate: "validate",
};

const TUNNELS = 10_000;
const GRANTS = 10_000;
const MB = 2 ** 20;

/** Phase name → milliseconds, in pipeline order. */
type PhaseTimes = Record<string, number>;

/** What a child reports on stdout. */
interface ChildReport {
  readonly bytes: number;
  readonly phases: Record<string, number>;
  readonly totalMs: number;
  readonly peakRssMb: number;
  readonly baselineRssMb: number;
  readonly peakHeapMb: number;
  readonly warnings: number;
}

class Stopwatch {
  readonly times: PhaseTimes = {};
  #last = process.hrtime.bigint();
  #peakHeap = 0;

  /** Ends the current phase under `name` and samples the heap. */
  lap(name: string): void {
    const now = process.hrtime.bigint();
    this.times[name] = Number(now - this.#last) / 1e6;
    this.#peakHeap = Math.max(this.#peakHeap, getHeapStatistics().used_heap_size);
    if (process.env["PARSE_BENCH_TRACE"] !== undefined) {
      const heap = (getHeapStatistics().used_heap_size / MB).toFixed(0);
      process.stderr.write(`${name} ${this.times[name]?.toFixed(0)} ms, heap ${heap} MB\n`);
    }
    this.#last = process.hrtime.bigint();
  }

  get peakHeap(): number {
    return this.#peakHeap;
  }
}

function fail(stage: string, diagnostics: readonly Diagnostic[]): never {
  const first = diagnostics.slice(0, 3).map((d) => `${d.code} ${d.message}`);
  throw new Error(`bench policy rejected by ${stage}: ${first.join("; ")}`);
}

function parseDslTimed(source: SourceFile, watch: Stopwatch): PolicyAst {
  const parsed = parseDslInPhases(source, (phase) => watch.lap(PHASE_NAMES[phase]));
  if (parsed.value === undefined) fail("parseDsl", parsed.diagnostics);
  return parsed.value;
}

function parseJsonInPhases(source: SourceFile, watch: Stopwatch): PolicyAst {
  const read = readJson(source);
  if (read.value === undefined) fail("the JSON reader", read.diagnostics);
  watch.lap("json read");
  const { value, spans, keySpans } = read.value;
  const validated = validateDocument(value, spans, source, keySpans);
  if (validated.value === undefined) fail("validation", validated.diagnostics);
  watch.lap("validate");
  return { source, syntax: "json", document: validated.value, spans };
}

/** One full run: read → parse → lower → bounds → lint, as `rampart lint` does it. */
function pipeline(
  path: string,
  watch: Stopwatch,
  withLint: boolean,
): { warnings: number; keep: unknown } {
  const text = readFileSync(path, "utf8");
  const source: SourceFile = { name: path, text };
  watch.lap("read");
  const ast = path.endsWith(".json")
    ? parseJsonInPhases(source, watch)
    : parseDslTimed(source, watch);
  const lowered = lowerToIr(ast);
  if (lowered.value === undefined || hasErrors(lowered.diagnostics))
    fail("lowering", lowered.diagnostics);
  watch.lap("lower");
  const bounded = computeEffective(lowered.value);
  if (bounded.value === undefined || hasErrors(bounded.diagnostics))
    fail("bounds", bounded.diagnostics);
  watch.lap("bounds");
  if (!withLint) return { warnings: 0, keep: [ast, lowered.value, bounded.value] };
  const warnings = runLintRules(bounded.value, lowered.value);
  watch.lap("lint");
  return { warnings: warnings.length, keep: [ast, lowered.value, bounded.value] };
}

function child(path: string, runs: number, withLint: boolean): ChildReport {
  const baselineRssMb = process.resourceUsage().maxRSS / 1024;
  const first = new Stopwatch();
  const { warnings } = pipeline(path, first, withLint);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const samples: PhaseTimes[] = [first.times];
  for (let r = 1; r < runs; r++) {
    const watch = new Stopwatch();
    pipeline(path, watch, withLint);
    samples.push(watch.times);
  }
  const phases: Record<string, number> = {};
  for (const name of Object.keys(first.times)) {
    phases[name] = median(samples.map((s) => s[name] ?? 0));
  }
  const totals = samples.map((s) => Object.values(s).reduce((a, b) => a + b, 0));
  return {
    bytes: Buffer.byteLength(readFileSync(path, "utf8")),
    phases,
    totalMs: median(totals),
    peakRssMb,
    baselineRssMb,
    peakHeapMb: first.peakHeap / MB,
    warnings,
  };
}

/** Writes the policy in both syntaxes to a temporary folder; checks the DSL parse once. */
function writeInputs(dir: string, tunnels: number, grants: number): { dsl: string; json: string } {
  const text = largePolicyDsl(tunnels, grants);
  const dsl = join(dir, "large.rampart");
  const json = join(dir, "large.json");
  const parsed = parseDsl({ name: dsl, text });
  if (parsed.value === undefined) fail("parseDsl", parsed.diagnostics);
  writeFileSync(dsl, text);
  writeFileSync(json, JSON.stringify(parsed.value.document, null, 2));
  return { dsl, json };
}

function runChild(path: string, runs: number, lint: boolean, timeoutMs: number): ChildReport {
  // The heap `rampart lint` runs with (src/cli/batch-heap.ts), so the figures are a user's.
  const args = [
    ...BATCH_HEAP_FLAGS,
    fileURLToPath(import.meta.url),
    "--child",
    path,
    "--runs",
    String(runs),
  ];
  const out = execFileSync(process.execPath, lint ? [...args, "--lint"] : args, {
    encoding: "utf8",
    maxBuffer: 16 * MB,
    stdio: ["ignore", "pipe", "inherit"],
    timeout: timeoutMs,
  });
  return JSON.parse(out) as ChildReport;
}

/**
 * The whole pipeline with lint, cold, as `rampart lint` runs it: each run is a fresh process
 * with a time limit (a slow rule must not hang the bench). Cold runs vary a lot on a shared
 * machine, so `runs` of them give the median and the range.
 */
function lintFigures(path: string, timeoutMs: number, runs: number): Record<string, string> {
  const reports: ChildReport[] = [];
  try {
    for (let run = 0; run < runs; run++) reports.push(runChild(path, 1, true, timeoutMs));
  } catch (error) {
    if ((error as { signal?: string }).signal !== "SIGTERM") throw error;
    return { lint: `> ${timeoutMs / 1000} s (stopped)` };
  }
  const totals = reports.map((r) => r.totalMs);
  const ms = (value: number): string => `${value.toFixed(0)} ms`;
  return {
    lint: ms(median(reports.map((r) => r.phases["lint"] ?? 0))),
    "total with lint (cold)": ms(median(totals)),
    "cold range": `${ms(Math.min(...totals))} – ${ms(Math.max(...totals))}`,
    "peak RSS with lint": `${Math.max(...reports.map((r) => r.peakRssMb)).toFixed(0)} MB`,
    warnings: String(reports[0]?.warnings ?? 0),
  };
}

const CLI = fileURLToPath(new URL("../../src/cli/bin.js", import.meta.url));

/** Loaded through Node's options, it reports the peak RSS of the process that ran the command. */
const REPORT_PEAK_RSS =
  "data:text/javascript,process.on('exit',()=>process.stderr.write('peak-rss-kb '+process.resourceUsage().maxRSS+'\\n'))";

/**
 * `rampart lint FILE` as a user runs it, start to exit (Node's start, loading the CLI, the
 * pipeline above, printing), and the peak RSS of the whole command: the median of 3 runs
 * after one that fills the compile cache.
 */
function commandFigures(path: string): Record<string, string> {
  const times: number[] = [];
  const peaks: number[] = [];
  for (let run = 0; run < 4; run++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["--import", REPORT_PEAK_RSS, CLI, "lint", path], {
      encoding: "utf8",
      stdio: ["ignore", "ignore", "pipe"],
    });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    const peakKb = /peak-rss-kb (\d+)/.exec(result.stderr)?.[1];
    if (result.status !== 0 || peakKb === undefined) {
      throw new Error(`rampart lint ${path} failed (${result.status}): ${result.stderr}`);
    }
    if (run === 0) continue;
    times.push(elapsed);
    peaks.push(Number(peakKb) / 1024);
  }
  return {
    "rampart lint (whole command)": `${median(times).toFixed(0)} ms`,
    "rampart lint peak RSS": `${Math.max(...peaks).toFixed(0)} MB`,
  };
}

/** Every phase either front end reports, in table order ("–" where a front end has none). */
const PHASE_COLUMNS = ["read", "lex + parse → doc", "json read", "validate", "lower", "bounds"];

function row(label: string, r: ChildReport, lint: Record<string, string>): BenchRow {
  const figures: Record<string, string> = { size: `${(r.bytes / MB).toFixed(1)} MB` };
  for (const name of PHASE_COLUMNS) {
    const value = r.phases[name];
    figures[name] = value === undefined ? "–" : `${value.toFixed(0)} ms`;
  }
  figures["total to bounds"] = `${r.totalMs.toFixed(0)} ms`;
  figures["peak RSS"] = `${r.peakRssMb.toFixed(0)} MB`;
  figures["peak heap"] = `${r.peakHeapMb.toFixed(0)} MB`;
  return { label, figures: { ...figures, ...lint } };
}

/** The bench `npm run bench` runs (see `run.ts`). */
export const parseBench: BenchModule = {
  name: "parse",
  description: `parse + lint of ${TUNNELS} tunnels and ${GRANTS} grants (DSL and JSON); target < 1 s, < 300 MB`,
  run(options: BenchOptions): BenchRow[] {
    const runs = options.quick ? 2 : 7;
    const coldRuns = options.quick ? 1 : 5;
    const lintTimeoutMs = options.quick ? 30_000 : 120_000;
    const dir = mkdtempSync(join(tmpdir(), "rampart-parse-bench-"));
    try {
      const inputs = writeInputs(dir, TUNNELS, GRANTS);
      return [
        ["DSL", inputs.dsl],
        ["JSON", inputs.json],
      ].map(([label, path]) =>
        row(label as string, runChild(path as string, runs, false, 0), {
          ...lintFigures(path as string, lintTimeoutMs, coldRuns),
          ...commandFigures(path as string),
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      child: { type: "string" },
      runs: { type: "string", default: "7" },
      quick: { type: "boolean", default: false },
      write: { type: "string" },
      lint: { type: "boolean", default: false },
    },
  });
  if (values.child !== undefined) {
    console.log(JSON.stringify(child(values.child, Number(values.runs), values.lint)));
  } else if (values.write !== undefined) {
    const { dsl, json } = writeInputs(values.write, TUNNELS, GRANTS);
    console.log(`${dsl}\n${json}`);
  } else {
    for (const r of parseBench.run({ quick: values.quick }) as BenchRow[]) {
      console.log(r.label, JSON.stringify(r.figures));
    }
  }
}
