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

export const compileHelp = `rampart compile POLICY... -o BUNDLE [--print]

Checks and compiles policy files into one versioned bundle (format version, content
hash, the effective policies with their source spans, and the diagnostics) that
\`rampart serve --bundle\` loads without parsing. --print shows the compiled plan.
Exit codes: 0 compiled, 1 a policy has errors (nothing is written), 2 usage or I/O error.`;

export async function compile(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, {
    output: { type: "string", short: "o" },
    print: { type: "boolean" },
  });
  if (positionals.length === 0) throw new UsageError("compile needs at least one policy file");
  const output = values["output"];
  if (typeof output !== "string" && values["print"] !== true) {
    throw new UsageError("compile needs -o BUNDLE (or --print)");
  }
  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const policies: EffectivePolicy[] = [];
  for (const path of positionals) {
    const checked = await checkPolicyFile(path, io);
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
  if (typeof output === "string") {
    await io.writeFile(output, writeBundle(policies, diagnostics));
    const tunnels = policies.reduce((n, p) => n + p.tunnels.length, 0);
    io.err(`wrote ${output}: ${policies.length} policies, ${tunnels} tunnels\n`);
  }
  return ExitCode.Ok;
}
