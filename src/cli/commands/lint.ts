/** `rampart lint FILE...`: every static check, reported for people or CI. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../diagnostics/span.ts";
import { parseCommandArgs, reportFormat, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { checkPolicyFile } from "../load-policy.ts";
import { fileOf, progressFor } from "../progress.ts";
import { reportDiagnostics } from "../report.ts";
import type { CheckedPolicy } from "../../pipeline.ts";
import {
  dumpStage,
  pipelineOptions,
  readStageFlags,
  reportTimings,
  STAGE_FLAG_OPTIONS,
  stageFlagsHelp,
} from "../stage-flags.ts";

export const lintHelp = `rampart lint FILE... [--format text|json|sarif|github] [--timings] [--dump-after STAGE]
                  [--quiet]

Checks policy files (DSL or JSON): syntax, schema, references, plan gating, and
the intersection of each tunnel with its project's bounds.
${stageFlagsHelp}
  --quiet               no progress line on stderr (shown only on a terminal)
  (with --dump-after, the diagnostics go to stderr as text)
Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error.`;

export async function lint(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, {
    format: { type: "string" },
    ...STAGE_FLAG_OPTIONS,
    quiet: { type: "boolean", short: "q" },
  });
  const format = reportFormat(values["format"]);
  const flags = readStageFlags(values);
  if (positionals.length === 0) throw new UsageError("lint needs at least one policy file");
  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const checkedFiles: CheckedPolicy[] = [];
  const progress = progressFor(io, values["quiet"] === true);
  for (const [i, path] of positionals.entries()) {
    const label = `lint: ${fileOf(i, positionals.length)}${path}`;
    progress.update(`${label}: reading`);
    const checked = await checkPolicyFile(path, io, {
      ...pipelineOptions(flags),
      onStage: (stage) => progress.update(`${label}: ${stage}`),
    });
    if (flags.timings) reportTimings(io, checked);
    checkedFiles.push(checked);
    sources.push(checked.source);
    diagnostics.push(...checked.diagnostics);
  }
  progress.end();
  if (flags.dumpAfter !== undefined) {
    dumpStage(io, checkedFiles, flags.dumpAfter);
    reportDiagnostics({ ...io, out: (text) => io.err(text) }, "text", diagnostics, sources);
  } else {
    reportDiagnostics(io, format, diagnostics, sources);
  }
  return hasErrors(diagnostics) ? ExitCode.Findings : ExitCode.Ok;
}
