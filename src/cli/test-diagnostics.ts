/** A failed policy test as a diagnostic, so CI formats (SARIF, GitHub) can annotate it. */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { describeDecision } from "../explain/render-trace.ts";
import type { TestResult } from "../policy-tests/run.ts";

function describeExpected(expected: TestResult["expected"]): string {
  return [expected.outcome, expected.status, expected.reason, expected.policy]
    .filter((part) => part !== null)
    .join(" ");
}

/** RP8901: the test's expectation and the decision differ. */
export function testFailureDiagnostic(result: TestResult): Diagnostic {
  return {
    code: "RP8901",
    severity: "error",
    message: `policy test \`${result.name}\` failed: expected ${describeExpected(result.expected)}, got ${describeDecision(result.actual)}`,
    ...(result.origin === null ? {} : { span: result.origin }),
    help: `the decision differs in ${result.mismatches.join(", ")}; run \`rampart explain\` with this request to see why`,
  };
}
