import { syntaxCodes } from "./codes/syntax.ts";
import { schemaCodes } from "./codes/schema.ts";
import { semanticCodes } from "./codes/semantic.ts";
import { boundsCodes } from "./codes/bounds.ts";
import { compileCodes } from "./codes/compile.ts";
import { runtimeCodes } from "./codes/runtime.ts";
import { lintCodes } from "./codes/lint.ts";
import { policyTestCodes } from "./codes/policy-tests.ts";
import { internalCodes } from "./codes/internal.ts";

/** A stable diagnostic code: `RP` and four digits, one thousand per stage. */
export type DiagnosticCode = `RP${number}`;

/** What the docs, SARIF rules and `rampart explain-code` say about a code. */
export interface CodeInfo {
  /** Stable slug for docs and SARIF, `stage/what-went-wrong`. */
  readonly slug: string;
  /** One line: what the code means. */
  readonly summary: string;
}

/**
 * The registry of every code Rampart emits. Ranges: 1xxx DSL syntax, 2xxx JSON and schema,
 * 3xxx semantic (IR), 4xxx bounds, 5xxx compile, 6xxx runtime load, 8xxx lint, 9xxx internal.
 * A retired code stays here, marked retired, and is never reused.
 */
export const codes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  ...syntaxCodes,
  ...schemaCodes,
  ...semanticCodes,
  ...boundsCodes,
  ...compileCodes,
  ...runtimeCodes,
  ...lintCodes,
  ...policyTestCodes,
  ...internalCodes,
};

/** The registry entry of a code; throws for an unregistered code (a bug). */
export function codeInfo(code: DiagnosticCode): CodeInfo {
  const info = codes[code];
  if (info === undefined) throw new Error(`unregistered diagnostic code ${code}`);
  return info;
}
