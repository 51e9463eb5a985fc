/**
 * Builds PolicyAst values by hand for lowering tests: the document, and a span table in which
 * each listed JSON Pointer gets its own distinct span, so tests can check where a diagnostic
 * points without depending on a front end.
 */
import assert from "node:assert/strict";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import type { Span } from "../../src/diagnostics/span.ts";
import type { PolicyAst } from "../../src/syntax/ast.ts";
import type { PolicyDocumentDoc } from "../../src/syntax/model.ts";
import { lowerToIr } from "../../src/ir/lower.ts";
import type { PolicyIr } from "../../src/ir/types.ts";

export const FILE = "policy.json";

/** The distinct span a listed pointer gets: its index in the list, ten characters wide. */
export function spanFor(pointers: readonly string[], pointer: string): Span {
  const index = pointers.indexOf(pointer);
  assert.ok(index !== -1, `pointer ${pointer} was not given a span`);
  return { file: FILE, start: index * 10, end: index * 10 + 9 };
}

export function policyAst(
  document: PolicyDocumentDoc,
  pointers: readonly string[] = [],
): PolicyAst {
  const spans = new Map<string, Span>();
  for (const p of ["", ...pointers]) spans.set(p, spanFor(["", ...pointers], p));
  return { source: { name: FILE, text: "" }, syntax: "json", document, spans };
}

/** A minimal valid document on the given plan, to extend per test. */
export function baseDocument(overrides: Partial<PolicyDocumentDoc> = {}): PolicyDocumentDoc {
  return {
    project: { id: "shop", plan: "enterprise", workspace: "acme" },
    tunnels: [{ id: "t-api", name: "api", protocol: "http", hostname: ["api.example.com"] }],
    ...overrides,
  };
}

/** Lowers and returns the IR, failing the test on any error. */
export function lowerOk(document: PolicyDocumentDoc): PolicyIr {
  const out = lowerToIr(policyAst(document));
  assert.deepEqual(
    out.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  assert.ok(out.value !== undefined);
  return out.value;
}

/** Lowers and returns every diagnostic. */
export function diagnosticsOf(
  document: PolicyDocumentDoc,
  pointers: readonly string[] = [],
): readonly Diagnostic[] {
  return lowerToIr(policyAst(document, pointers)).diagnostics;
}

/** Asserts exactly one diagnostic with `code`, and returns it. */
export function only(diagnostics: readonly Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(
    found.length,
    1,
    `expected one ${code}, got ${JSON.stringify(diagnostics, null, 1)}`,
  );
  return found[0] as Diagnostic;
}
