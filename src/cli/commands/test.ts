/** `rampart test POLICY...`: runs the tests written in policy files. */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../diagnostics/span.ts";
import { compilePolicy } from "../../compile/compile-policy.ts";
import { renderTestReport } from "../../explain/render-tests.ts";
import { interpreterEngine, runPolicyTests } from "../../policy-tests/run.ts";
import type { TestResult } from "../../policy-tests/run.ts";
import { parseCommandArgs, reportFormat, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { checkPolicyFile } from "../load-policy.ts";
import { reportDiagnostics } from "../report.ts";
import { testFailureDiagnostic } from "../test-diagnostics.ts";
import { terminalSafe } from "../../diagnostics/terminal-text.ts";

export const testHelp = `rampart test POLICY... [--engine compiled|interpreter] [--format text|json|sarif|github]

Runs the tests written in policy files against the compiled decisions (the code that
serves traffic; --engine interpreter uses the reference interpreter instead). A failure
shows the expected and actual decision and the trace that led to it.
Exit codes: 0 every test passed, 1 a test failed or a policy has errors, 2 usage or I/O error.`;

export async function test(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, {
    engine: { type: "string" },
    format: { type: "string" },
  });
  const format = reportFormat(values["format"]);
  const engineName = values["engine"] ?? "compiled";
  if (engineName !== "compiled" && engineName !== "interpreter") {
    throw new UsageError("--engine must be compiled or interpreter");
  }
  if (positionals.length === 0) throw new UsageError("test needs at least one policy file");

  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const results: { file: string; results: TestResult[] }[] = [];
  for (const path of positionals) {
    const checked = await checkPolicyFile(path, io);
    sources.push(checked.source);
    diagnostics.push(...checked.diagnostics.filter((d) => d.severity === "error"));
    const policy = checked.effective;
    if (policy === undefined) continue;
    const engine = engineName === "compiled" ? compilePolicy(policy) : interpreterEngine(policy);
    const fileResults = runPolicyTests(policy, engine);
    results.push({ file: path, results: fileResults });
    diagnostics.push(...fileResults.filter((r) => !r.pass).map(testFailureDiagnostic));
  }

  const byName = new Map(sources.map((s) => [s.name, s]));
  if (format === "text") {
    if (hasErrors(diagnostics.filter((d) => d.code !== "RP8901"))) {
      reportDiagnostics(
        io,
        "text",
        diagnostics.filter((d) => d.code !== "RP8901"),
        sources,
      );
    }
    for (const { file, results: fileResults } of results) {
      io.out(terminalSafe(`${file}\n${renderTestReport(fileResults, byName)}`));
    }
  } else {
    reportDiagnostics(io, format, diagnostics, sources);
  }
  return hasErrors(diagnostics) ? ExitCode.Findings : ExitCode.Ok;
}
