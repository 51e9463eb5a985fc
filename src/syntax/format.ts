/**
 * `rampart fmt`: parse, print canonically, and check the result before handing it out. The
 * check (Cedar's soundness check) reparses the output; a different document or a lost comment
 * is RP9003, never a silent rewrite.
 */
import { isDeepStrictEqual } from "node:util";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import { parseDslWithComments } from "./cst-to-ast.ts";
import { countComments } from "./dsl/comments.ts";
import { printDsl } from "./print-dsl.ts";

const unsound = (file: string, why: string): Diagnostic => ({
  code: "RP9003",
  severity: "error",
  span: { file, start: 0, end: 0 },
  message: `the formatter's output ${why}; the file was left unchanged`,
  help: "this is a bug in rampart; please report it with the policy that triggered it",
});

/** The canonical text of a DSL policy file, or the diagnostics that prevent formatting it. */
export function formatDsl(source: SourceFile): Outcome<string> {
  const parsed = parseDslWithComments(source);
  const ast = parsed.outcome.value;
  if (ast === undefined || parsed.comments === undefined) {
    return { value: undefined, diagnostics: parsed.outcome.diagnostics };
  }
  const text = printDsl(ast.document, parsed.comments);
  const again = parseDslWithComments({ name: source.name, text });
  const fail = (why: string): Outcome<string> => ({
    value: undefined,
    diagnostics: [...parsed.outcome.diagnostics, unsound(source.name, why)],
  });
  if (again.outcome.value === undefined || again.comments === undefined)
    return fail("does not parse");
  if (!isDeepStrictEqual(again.outcome.value.document, ast.document)) {
    return fail("describes a different policy");
  }
  if (countComments(again.comments) !== countComments(parsed.comments)) {
    return fail("loses comments");
  }
  return { value: text, diagnostics: parsed.outcome.diagnostics };
}
