/**
 * `rampart compile` and `rampart lint` of the parse bench's 10,000-tunnel, 10,000-grant policy
 * (issue #19: compile under 1 s and 300 MB; parse + lint under 0.7 s and 250 MB), timed as a
 * user runs them: start to exit, with the peak RSS of the process, the CPU time (user +
 * system, which a loaded machine inflates less than the wall time) and the sha-256 of the
 * bundle written. The policy is written as `large.rampart` (and `large.json`) in a temporary
 * folder that is the command's working directory, so the file name in the bundle's spans, and
 * thus its hash, is the same on every machine.
 *
 * `node test/bench/large-commands.ts [--rounds N] [--built] [--cli OTHER/src/cli/bin.js]…` runs
 * the commands of this tree and of every `--cli` given, interleaved round by round (side by side
 * under the same load), and prints one line per tree and command. `--built` adds this tree's
 * build (`npm run build` first): the bundled CLI of `dist/`, which is what the installed
 * `rampart` runs. A `--cli` may be another tree's build too (`OTHER/dist/src/cli/bin.js`).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseDsl } from "../../src/syntax/dsl-to-ast.ts";
import { median } from "./harness.ts";
import { largePolicyDsl } from "./parse-policy.ts";

/** This tree's `rampart` executable. */
export const THIS_CLI = fileURLToPath(new URL("../../src/cli/bin.js", import.meta.url));

/** This tree's build of it (`npm run build`), as the installed package runs it. */
export const THIS_BUILT_CLI = fileURLToPath(new URL("../../dist/src/cli/bin.js", import.meta.url));

/** Loaded through Node's options, it reports the peak RSS and CPU time of the command's process. */
const REPORT_USAGE =
  "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('usage '+u.maxRSS+' '+(u.userCPUTime+u.systemCPUTime)+'\\n')})";

/** One command run: wall and CPU time in ms, peak RSS in MB, the bundle's hash if any. */
export interface CommandRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
  readonly bundleSha256?: string;
}

/** The commands measured, by name: arguments after `rampart`, and the bundle they write. */
const COMMANDS: Readonly<Record<string, { args: readonly string[]; bundle?: string }>> = {
  "compile (DSL)": {
    args: ["compile", "large.rampart", "-o", "bundle.json"],
    bundle: "bundle.json",
  },
  "lint (DSL)": { args: ["lint", "large.rampart"] },
  "lint (JSON)": { args: ["lint", "large.json"] },
  // The JSON front end's spans are read when first asked for; compile asks for all of them.
  "compile (JSON)": {
    args: ["compile", "large.json", "-o", "bundle-from-json.json"],
    bundle: "bundle-from-json.json",
  },
  // What every command pays before its input: start-up (issue #19).
  "lint (one-line DSL)": { args: ["lint", "small.rampart"] },
};

/** The smallest valid policy: its `lint` is the start-up of a command and little else. */
const SMALL_POLICY = 'project "small" {\n  name "Small"\n  plan pro\n}\n';

/** Writes `large.rampart` and `large.json` (the same document), and `small.rampart`, into `dir`. */
export function writeLargePolicy(dir: string): void {
  writeFileSync(join(dir, "small.rampart"), SMALL_POLICY);
  const text = largePolicyDsl(10_000, 10_000);
  const parsed = parseDsl({ name: "large.rampart", text });
  if (parsed.value === undefined) throw new Error("the bench policy does not parse");
  writeFileSync(join(dir, "large.rampart"), text);
  writeFileSync(join(dir, "large.json"), JSON.stringify(parsed.value.document, null, 2));
}

/** Runs `rampart ARGS` of one tree once in `dir`. */
function runOnce(cli: string, dir: string, name: string): CommandRun {
  // SAFETY: `name` is a key of COMMANDS, from the loop over its keys.
  const command = COMMANDS[name] as { args: readonly string[]; bundle?: string };
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--import", REPORT_USAGE, cli, ...command.args], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 16 * 2 ** 20,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const usage = /usage (\d+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || usage === null) {
    throw new Error(`${cli} ${command.args.join(" ")} failed (${result.status}): ${result.stderr}`);
  }
  const run = { wallMs, cpuMs: Number(usage[2]) / 1000, peakRssMb: Number(usage[1]) / 1024 };
  if (command.bundle === undefined) return run;
  const bundle = readFileSync(join(dir, command.bundle));
  return { ...run, bundleSha256: createHash("sha256").update(bundle).digest("hex") };
}

/**
 * Every command of every tree, `rounds` times, interleaved (tree after tree within a command,
 * command after command within a round); one warm-up round first fills each tree's compile
 * cache and is not counted.
 */
export function runLargeCommands(
  clis: readonly string[],
  rounds: number,
): Map<string, Map<string, CommandRun[]>> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-large-"));
  const runs = new Map(clis.map((cli) => [cli, new Map<string, CommandRun[]>()]));
  try {
    writeLargePolicy(dir);
    for (let round = 0; round <= rounds; round++) {
      for (const name of Object.keys(COMMANDS)) {
        for (const cli of clis) {
          const run = runOnce(cli, dir, name);
          if (round === 0) continue;
          const byName = runs.get(cli);
          if (byName === undefined) continue;
          byName.set(name, [...(byName.get(name) ?? []), run]);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}

/** The figures of one command's runs: medians and ranges, the peak RSS, the bundle hash. */
export function commandFigures(runs: readonly CommandRun[]): Record<string, string> {
  const ms = (pick: (r: CommandRun) => number): string => {
    const values = runs.map(pick);
    return `${median(values).toFixed(0)} ms (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
  };
  const hashes = [...new Set(runs.map((r) => r.bundleSha256).filter((h) => h !== undefined))];
  return {
    "start to exit": ms((r) => r.wallMs),
    "CPU (user + system)": ms((r) => r.cpuMs),
    "peak RSS": `${Math.max(...runs.map((r) => r.peakRssMb)).toFixed(0)} MB`,
    ...(hashes.length > 0 ? { "bundle sha-256": hashes.join(" / ") } : {}),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "3" },
      built: { type: "boolean", default: false },
      cli: { type: "string", multiple: true, default: [] },
    },
  });
  if (values.built && !existsSync(THIS_BUILT_CLI)) {
    throw new Error(`--built: ${THIS_BUILT_CLI} is missing; run \`npm run build\` first`);
  }
  const clis = [THIS_CLI, ...(values.built ? [THIS_BUILT_CLI] : []), ...(values.cli ?? [])];
  const label = (cli: string) =>
    cli === THIS_CLI ? "this tree" : cli === THIS_BUILT_CLI ? "this tree, built" : cli;
  const runs = runLargeCommands(clis, Number(values.rounds));
  for (const [cli, byName] of runs) {
    for (const [name, list] of byName) {
      console.log(`${label(cli)} | ${name} | ${JSON.stringify(commandFigures(list))}`);
    }
  }
}
