/**
 * The one entry point from source text to `PolicyAst`: files named `*.json` are read by the
 * JSON front end, everything else by the DSL front end. Both give the same AST shape.
 */
import type { Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import type { PolicyAst } from "./ast.ts";
import { parseDsl } from "./dsl-to-ast.ts";
import { parseJsonPolicy } from "./json-to-ast.ts";

/** Whether a file name selects the JSON front end (`.json`, any case). */
export function isJsonPolicyName(name: string): boolean {
  return name.toLowerCase().endsWith(".json");
}

/** Parses a policy file in whichever syntax its name says. Never throws on bad input. */
export function parsePolicySource(source: SourceFile): Outcome<PolicyAst> {
  return isJsonPolicyName(source.name) ? parseJsonPolicy(source) : parseDsl(source);
}
