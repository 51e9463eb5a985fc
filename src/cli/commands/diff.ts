/** `rampart diff OLD NEW`: which requests a policy change newly allows or denies, with witnesses. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { diffPolicies } from "../../analysis/diff/diff-policies.ts";
import {
  diffToDiagnostics,
  renderDiffJson,
  renderDiffText,
} from "../../analysis/diff/render-diff.ts";
import { widens } from "../../analysis/diff/types.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import { renderDiagnostics } from "../../diagnostics/render.ts";
import type { SourceFile } from "../../diagnostics/span.ts";
import { parseCommandArgs, reportFormat, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import type { CheckedPolicy } from "../load-policy.ts";
import { readSource, UnreadableFile, withLint } from "../load-policy.ts";
import { runPipeline } from "../../pipeline.ts";
import { progressFor } from "../progress.ts";
import { reportDiagnostics } from "../report.ts";
import { terminalSafe } from "../../diagnostics/terminal-text.ts";

export const diffHelp = `rampart diff OLD NEW [--format text|json|sarif|github] [--all]
                        [--max-time SECONDS] [--quiet]

Compares two versions of a policy and reports every region of request space whose
decision changes (newly allowed, newly denied, or answered differently), each with
a concrete witness request that the reference interpreter confirms on both versions.
OLD may be a file or \`git:REV:PATH\` (read with \`git show REV:PATH\`).
Tunnels that changed alike at the edge are one region listing them (docs/diff.md).
  --all                 also list regions that are answered differently without
                        widening or narrowing
  --max-time SECONDS    stop after this long (reading both versions included) and
                        report what was compared so far, with exit code 4
  --quiet               no progress line on stderr (shown only on a terminal)
Exit codes: 0 nothing widens, 1 access widens (or a version does not check),
2 usage or I/O error, 4 stopped at --max-time (the report says what was compared).`;

const GIT_PREFIX = "git:";

/** Reads a policy from a file, or from git for `git:REV:PATH`. */
async function readVersion(spec: string, io: Io): Promise<SourceFile> {
  if (!spec.startsWith(GIT_PREFIX)) return readSource(spec, io);
  const rest = spec.slice(GIT_PREFIX.length);
  const colon = rest.indexOf(":");
  if (colon <= 0 || colon === rest.length - 1)
    throw new UsageError(`\`${spec}\` is not of the form git:REV:PATH`);
  try {
    const { stdout } = await promisify(execFile)(
      "git",
      ["show", `${rest.slice(0, colon)}:${rest.slice(colon + 1)}`],
      {
        cwd: io.cwd,
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    return { name: spec, text: stdout };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new UnreadableFile(spec, stderr !== undefined && stderr !== "" ? stderr : String(error));
  }
}

/** Reads `--max-time`: a positive number of seconds. */
function maxTimeMs(value: unknown): number | null {
  if (value === undefined) return null;
  const seconds = typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError("--max-time must be a positive number of seconds");
  return seconds * 1000;
}

export async function diff(argv: readonly string[], io: Io): Promise<ExitCode> {
  const started = performance.now();
  const { values, positionals } = parseCommandArgs(argv, {
    format: { type: "string" },
    all: { type: "boolean" },
    "max-time": { type: "string" },
    quiet: { type: "boolean", short: "q" },
  });
  const format = reportFormat(values["format"]);
  const budget = maxTimeMs(values["max-time"]);
  if (positionals.length !== 2) throw new UsageError("diff needs exactly two policies: OLD NEW");
  const [oldSpec, newSpec] = positionals as [string, string];
  const progress = progressFor(io, values["quiet"] === true);
  const checked: CheckedPolicy[] = [];
  for (const spec of [oldSpec, newSpec]) {
    progress.update(`diff: checking ${spec}`);
    // Lint warnings are shown only next to errors: they are computed only then.
    checked.push(runPipeline(await readVersion(spec, io), { until: "bounds" }));
  }
  const [before, after] = checked as [CheckedPolicy, CheckedPolicy];
  const sources = [before.source, after.source];
  if (
    before.effective === undefined ||
    after.effective === undefined ||
    hasErrors([...before.diagnostics, ...after.diagnostics])
  ) {
    progress.end();
    const problems: Diagnostic[] = [
      ...withLint(before).diagnostics,
      ...withLint(after).diagnostics,
    ];
    reportDiagnostics(io, format, problems, sources);
    return ExitCode.Findings;
  }
  const result = diffPolicies(before.effective, after.effective, {
    onProgress: (done, total) => progress.update("diff: comparing host classes", done, total),
    shouldStop: () => budget !== null && performance.now() - started >= budget,
  });
  progress.end();
  if (format === "text")
    io.out(terminalSafe(renderDiffText(result, oldSpec, newSpec, values["all"] === true)));
  else if (format === "json") io.out(renderDiffJson(result, oldSpec, newSpec));
  else {
    const rendered = renderDiagnostics(
      format,
      diffToDiagnostics(result),
      new Map(sources.map((s) => [s.name, s])),
    );
    io.out(rendered.endsWith("\n") ? rendered : `${rendered}\n`);
  }
  if (result.stopped !== undefined) return ExitCode.TimeLimit;
  return widens(result) ? ExitCode.Findings : ExitCode.Ok;
}
