/**
 * Properties of the DSL front end (issue #2): the parser never throws and keeps spans in
 * bounds on arbitrary and mutated text; printing then parsing a document gives it back; fmt is
 * idempotent. 10,500 generated inputs in all.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { policyLexer } from "../../grammar/tokens.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { parseDsl } from "../../src/syntax/dsl-to-ast.ts";
import { formatDsl } from "../../src/syntax/format.ts";
import { PolicyDocument } from "../../src/syntax/model.ts";
import { printDsl } from "../../src/syntax/print-dsl.ts";
import { arbPolicyDocument } from "./arbitraries.ts";

const fixture = readFileSync(
  new URL("../../fixtures/policies/acme.rampart", import.meta.url),
  "utf8",
);
const fixtureTokens = policyLexer.tokenize(fixture).tokens.map((t) => t.image);

function assertSpansInBounds(text: string, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    if (d.span === undefined) continue;
    assert.ok(
      d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length,
      `${d.code} span out of bounds`,
    );
  }
}

function checkNeverThrows(text: string): void {
  const outcome = parseDsl({ name: "fuzz.rampart", text });
  assertSpansInBounds(text, outcome.diagnostics);
  assert.ok(
    outcome.value !== undefined || outcome.diagnostics.length > 0,
    "a failure always explains itself",
  );
  for (const span of outcome.value?.spans.values() ?? []) {
    assert.ok(span.start >= 0 && span.end <= text.length && span.start <= span.end);
  }
}

/** Token-level edits of the fixture: delete, duplicate, swap or insert tokens. */
const arbMutatedFixture = fc
  .array(
    fc.tuple(
      fc.constantFrom("delete", "duplicate", "swap", "insert"),
      fc.nat({ max: fixtureTokens.length - 1 }),
      fc.nat({ max: fixtureTokens.length - 1 }),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((edits) => {
    const tokens = [...fixtureTokens];
    for (const [op, i, j] of edits) {
      const a = tokens[i % tokens.length] ?? "";
      const b = tokens[j % tokens.length] ?? "";
      if (op === "delete") tokens.splice(i % tokens.length, 1);
      else if (op === "duplicate") tokens.splice(i % tokens.length, 0, a);
      else if (op === "insert") tokens.splice(i % tokens.length, 0, b);
      else [tokens[i % tokens.length], tokens[j % tokens.length]] = [b, a];
    }
    return tokens.join(" ");
  });

describe("DSL parser robustness", () => {
  it("never throws on arbitrary strings, and keeps spans in bounds (3,000 runs)", () => {
    const soup = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc
        .array(
          fc.constantFrom(...fixtureTokens, "{", "}", "[", "]", "(", ")", '"', "#", "\n", "@"),
          { maxLength: 60 },
        )
        .map((parts) => parts.join(" ")),
    );
    fc.assert(
      fc.property(soup, (text) => checkNeverThrows(text)),
      { numRuns: 3000 },
    );
  });

  it("never throws on mutated fixture text (3,000 runs)", () => {
    fc.assert(
      fc.property(arbMutatedFixture, (text) => checkNeverThrows(text)),
      { numRuns: 3000 },
    );
  });
});

describe("DSL printing", () => {
  it("S-D5: parseDsl(printDsl(doc)) gives the document back (2,500 runs)", () => {
    fc.assert(
      fc.property(arbPolicyDocument(), (doc) => {
        assert.ok(
          PolicyDocument.safeParse(doc).success,
          "the arbitrary makes schema-valid documents",
        );
        const text = printDsl(doc);
        const outcome = parseDsl({ name: "printed.rampart", text });
        assert.deepEqual(outcome.diagnostics, [], text);
        assert.ok(isDeepStrictEqual(outcome.value?.document, doc), text);
      }),
      { numRuns: 2500 },
    );
  });

  it("fmt is idempotent and keeps the document (2,000 runs)", () => {
    fc.assert(
      fc.property(arbPolicyDocument(), (doc) => {
        const once = formatDsl({ name: "a.rampart", text: printDsl(doc) });
        assert.deepEqual(once.diagnostics, []);
        const twice = formatDsl({ name: "a.rampart", text: once.value ?? "" });
        assert.equal(twice.value, once.value);
      }),
      { numRuns: 2000 },
    );
  });
});
