/**
 * Text report of a policy file's tests: one line per test, and for a failure the expected and
 * actual decision, the differing fields, the test's location and the interpreter's trace.
 */
import type { SourceFile } from "../diagnostics/span.ts";
import type { TestResult } from "../policy-tests/run.ts";
import { describeDecision, renderSpanFrame, renderTrace } from "./render-trace.ts";

function describeExpected(expected: TestResult["expected"]): string {
  const status = expected.status === null ? "" : ` ${expected.status}`;
  const reason = expected.reason === null ? "" : ` ${expected.reason}`;
  const policy = expected.policy === null ? "" : ` (${expected.policy})`;
  return `${expected.outcome}${status}${reason}${policy}`;
}

/** The report of one file's test results, ending with a pass/fail count. */
export function renderTestReport(
  results: readonly TestResult[],
  sources: ReadonlyMap<string, SourceFile>,
): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${r.pass ? "pass" : "FAIL"}  ${r.name}`);
    if (r.pass) continue;
    if (r.origin !== null) lines.push(...renderSpanFrame(r.origin, sources));
    lines.push(`    expected: ${describeExpected(r.expected)}`);
    lines.push(`    actual:   ${describeDecision(r.actual)}`);
    lines.push(`    differs:  ${r.mismatches.join(", ")}`);
    lines.push(`    ${r.actual.message}`);
    if (r.trace !== null) {
      lines.push("    trace:");
      lines.push(
        ...renderTrace(r.trace, sources)
          .trimEnd()
          .split("\n")
          .map((l) => `      ${l}`),
      );
    }
  }
  const failed = results.filter((r) => !r.pass).length;
  lines.push(`${results.length - failed} passed, ${failed} failed`);
  return `${lines.join("\n")}\n`;
}
