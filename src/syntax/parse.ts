/**
 * The one entry point from source text to `PolicyAst`: files named `*.json` are read by the
 * JSON front end, everything else by the DSL front end. Both give the same AST shape.
 */
import type { Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import type { PolicyAst } from "./ast.ts";
import { parseDsl } from "./dsl-to-ast.ts";
import { parseJsonPolicy } from "./json-to-ast.ts";
import type { SpanIndexing } from "./json-spans.ts";

/** Whether a file name selects the JSON front end (`.json`, any case). */
export function isJsonPolicyName(name: string): boolean {
  return name.toLowerCase().endsWith(".json");
}

/**
 * Parses a policy file in whichever syntax its name says. Never throws on bad input.
 * `jsonSpans`: when a JSON file's spans are indexed (`SpanIndexing`; the DSL records them as
 * it reads).
 */
export function parsePolicySource(
  source: SourceFile,
  jsonSpans: SpanIndexing = "now",
): Outcome<PolicyAst> {
  return isJsonPolicyName(source.name) ? parseJsonPolicy(source, jsonSpans) : parseDsl(source);
}
