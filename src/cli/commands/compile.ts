/** `rampart compile POLICY... -o BUNDLE`: the artifact a runtime loads without the compiler. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../diagnostics/span.ts";
import type { EffectivePolicy } from "../../bounds/effective.ts";
import { printCompiled } from "../../compile/print.ts";
import { writeBundle } from "../../compile/bundle.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { checkPolicyFile } from "../load-policy.ts";
import { reportDiagnostics } from "../report.ts";
import { writeEsmTarget } from "./compile-esm.ts";
import type { CheckedPolicy } from "../../pipeline.ts";
import {
  dumpStage,
  pipelineOptions,
  readStageFlags,
  reportTimings,
  STAGE_FLAG_OPTIONS,
  stageFlagsHelp,
} from "../stage-flags.ts";

export const compileHelp = `rampart compile POLICY... -o BUNDLE [--print] [--target bundle|esm] [--minify] [--timings] [--dump-after STAGE]

Checks and compiles policy files into one versioned bundle (format version, content
hash, the effective policies with their source spans, and the diagnostics) that
\`rampart serve --bundle\` loads without parsing. --print shows the compiled plan.
--target esm writes one self-contained ES module instead (no imports, no eval), with
request(facts) and handshake(facts) exports and a .d.ts beside it; --minify shrinks it.
${stageFlagsHelp}
  (with --dump-after nothing is compiled or written; diagnostics go to stderr)
Exit codes: 0 compiled, 1 a policy has errors (nothing is written), 2 usage or I/O error.`;

export async function compile(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, {
    output: { type: "string", short: "o" },
    print: { type: "boolean" },
    target: { type: "string" },
    minify: { type: "boolean" },
    ...STAGE_FLAG_OPTIONS,
  });
  if (positionals.length === 0) throw new UsageError("compile needs at least one policy file");
  const flags = readStageFlags(values);
  if (flags.dumpAfter !== undefined) return dumpOnly(positionals, flags, io);
  const output = values["output"];
  const target = values["target"] ?? "bundle";
  if (target !== "bundle" && target !== "esm") {
    throw new UsageError("--target is `bundle` (the default) or `esm`");
  }
  if (target === "esm" && typeof output !== "string") {
    throw new UsageError("--target esm needs -o MODULE.mjs");
  }
  if (typeof output !== "string" && values["print"] !== true) {
    throw new UsageError("compile needs -o BUNDLE (or --print)");
  }
  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const policies: EffectivePolicy[] = [];
  for (const path of positionals) {
    const checked = await checkPolicyFile(path, io);
    if (flags.timings) reportTimings(io, checked);
    sources.push(checked.source);
    diagnostics.push(...checked.diagnostics);
    if (checked.effective !== undefined) policies.push(checked.effective);
  }
  if (hasErrors(diagnostics)) {
    reportDiagnostics(io, "text", diagnostics, sources);
    return ExitCode.Findings;
  }
  if (diagnostics.length > 0) reportDiagnostics(io, "text", diagnostics, sources);
  if (values["print"] === true) for (const policy of policies) io.out(printCompiled(policy));
  if (typeof output === "string" && target === "esm") {
    await writeEsmTarget(output, policies, diagnostics, sources, values["minify"] === true, io);
  } else if (typeof output === "string") {
    await io.writeFile(output, writeBundle(policies, diagnostics));
    const tunnels = policies.reduce((n, p) => n + p.tunnels.length, 0);
    io.err(`wrote ${output}: ${policies.length} policies, ${tunnels} tunnels\n`);
  }
  return ExitCode.Ok;
}

/** `--dump-after`: runs the pipeline up to the stage, prints its output, compiles nothing. */
async function dumpOnly(
  paths: readonly string[],
  flags: ReturnType<typeof readStageFlags>,
  io: Io,
): Promise<ExitCode> {
  const checked: CheckedPolicy[] = [];
  for (const path of paths) {
    const one = await checkPolicyFile(path, io, pipelineOptions(flags));
    if (flags.timings) reportTimings(io, one);
    checked.push(one);
  }
  if (flags.dumpAfter !== undefined) dumpStage(io, checked, flags.dumpAfter);
  const diagnostics = checked.flatMap((c) => c.diagnostics);
  const sources = checked.map((c) => c.source);
  if (diagnostics.length > 0) {
    reportDiagnostics({ ...io, out: (text) => io.err(text) }, "text", diagnostics, sources);
  }
  return hasErrors(diagnostics) ? ExitCode.Findings : ExitCode.Ok;
}
