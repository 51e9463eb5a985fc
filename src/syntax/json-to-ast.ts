/**
 * The JSON front end: JSON text → document checked against the policy schema → `PolicyAst`
 * with a span for every value. Syntax errors (RP20xx) stop before validation; schema errors
 * (RP21xx) are all reported in one run.
 */
import type { Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import type { PolicyAst } from "./ast.ts";
import { notUtf8 as notUtf8Diagnostic } from "./json-errors.ts";
import { DEFAULT_JSON_LIMITS, readJson } from "./json-reader.ts";
import type { SpanIndexing } from "./json-spans.ts";
import { firstNonUtf8 } from "./source-encoding.ts";
import { validateDocument } from "./validate.ts";

/**
 * Parses and validates a JSON policy file (once its bytes, when given, are known to be UTF-8).
 * Never throws on bad input. The spans are indexed
 * `now` unless the caller says it may never read them (`SpanIndexing`): lowering reads them
 * at once, and the index's scan then makes the read's checks (`json-spans.ts`).
 */
export function parseJsonPolicy(
  source: SourceFile,
  indexing: SpanIndexing = "now",
): Outcome<PolicyAst> {
  const notUtf8 = firstNonUtf8(source);
  if (notUtf8 !== undefined)
    return { value: undefined, diagnostics: [notUtf8Diagnostic(source.name, notUtf8)] };
  const read = readJson(source, DEFAULT_JSON_LIMITS, indexing);
  if (read.value === undefined) return { value: undefined, diagnostics: read.diagnostics };
  const { value, spans, keySpans } = read.value;
  const checked = validateDocument(value, spans, source, keySpans);
  if (checked.value === undefined) return { value: undefined, diagnostics: checked.diagnostics };
  return {
    value: { source, syntax: "json", document: checked.value, spans },
    diagnostics: [...read.diagnostics, ...checked.diagnostics],
  };
}
