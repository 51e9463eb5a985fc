/**
 * The DSL front end's fast paths give exactly what the plain ones give (issue #2's speed work):
 * the lexer that looks keywords up in a table lexes like one that tries each keyword, and a
 * file parsed a piece at a time gives the same document, spans, comments and diagnostics as
 * the file parsed in one go.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Lexer as ChevrotainLexer } from "chevrotain";
import { Lexer } from "../../grammar/chevrotain.ts";
import fc from "fast-check";
import { allTokens, keywordImage, keywordTokens, policyLexer } from "../../grammar/tokens.ts";
import type { Outcome } from "../../src/diagnostics/diagnostic.ts";
import type { PolicyAst } from "../../src/syntax/ast.ts";
import { parseDslWithComments, parseDslWithPieces } from "../../src/syntax/dsl-to-ast.ts";
import { declarationChunkEnds } from "../../src/syntax/dsl/chunks.ts";
import { printDsl } from "../../src/syntax/print-dsl.ts";
import { arbPolicyDocument } from "./arbitraries.ts";

const fixture = readFileSync(
  new URL("../../fixtures/policies/acme.rampart", import.meta.url),
  "utf8",
);
const fixtureTokens = policyLexer.tokenize(fixture).tokens.map((t) => t.image);

/** The lexer as the grammar states it: every keyword a pattern, longest first. */
const keywordListLexer = new Lexer(allTokens, { positionTracking: "onlyOffset" });

function lexed(lexer: Pick<ChevrotainLexer, "tokenize">, text: string): unknown {
  const { tokens, errors, groups } = lexer.tokenize(text);
  const show = (t: { tokenType: { name: string }; image: string; startOffset: number }) =>
    `${t.tokenType.name}@${t.startOffset}:${t.image}`;
  return {
    tokens: tokens.map(show),
    comments: (groups["comments"] ?? []).map(show),
    errors: errors.map((e) => [e.offset, e.length]),
  };
}

/** Words near keywords: keywords, their prefixes and extensions, joined by `-`, `_` or digits. */
const keywordImages = keywordTokens.map((k) => keywordImage(k) ?? "");
const arbWordSoup = fc
  .array(
    fc.oneof(
      fc.constantFrom(...keywordImages),
      fc
        .tuple(fc.constantFrom(...keywordImages), fc.nat({ max: 12 }))
        .map(([k, n]) => k.slice(0, n)),
      fc.constantFrom("-", "_", "0", "1.2", "1.25", " ", "\n", "{", "}", '"', "#", ".", "x", "@"),
      fc.constantFrom(...fixtureTokens),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

function comparable(outcome: Outcome<PolicyAst>): unknown {
  return {
    diagnostics: outcome.diagnostics,
    document: outcome.value?.document,
    spans: outcome.value === undefined ? undefined : [...outcome.value.spans.entries()],
  };
}

/** Token-level edits of the fixture, most of which break it somewhere. */
const arbMutatedFixture = fc
  .array(fc.tuple(fc.nat({ max: fixtureTokens.length - 1 }), fc.constantFrom(...fixtureTokens)), {
    minLength: 1,
    maxLength: 3,
  })
  .map((edits) => {
    const tokens = [...fixtureTokens];
    for (const [i, token] of edits) tokens.splice(i, 1, token);
    return tokens.join(" ");
  });

const arbPolicyText = fc.oneof(
  arbPolicyDocument().map((doc) => printDsl(doc)),
  arbMutatedFixture,
  fc.constant(fixture),
  arbWordSoup,
);

describe("DSL lexer keyword table", () => {
  it("lexes like the keyword-by-keyword lexer (3,000 runs)", () => {
    assert.deepEqual(lexed(policyLexer, fixture), lexed(keywordListLexer, fixture));
    fc.assert(
      fc.property(arbWordSoup, (text) => {
        assert.deepEqual(lexed(policyLexer, text), lexed(keywordListLexer, text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("DSL parsing a piece at a time", () => {
  it("cuts only after a top-level block, and covers the whole text", () => {
    const ends = declarationChunkEnds(fixture, 1);
    assert.ok(ends.length > 5, "the fixture has many top-level blocks");
    assert.equal(ends.at(-1), fixture.length);
    for (const end of ends.slice(0, -1)) assert.equal(fixture[end - 1], "}");
    assert.deepEqual(declarationChunkEnds('tunnel "a" { name "}" # }\n }', 1), [28]);
  });

  it("gives the document, spans and diagnostics of one parse (2,000 runs)", () => {
    fc.assert(
      fc.property(arbPolicyText, fc.integer({ min: 1, max: 600 }), (text, pieceLength) => {
        const source = { name: "pieces.rampart", text };
        assert.deepEqual(
          comparable(parseDslWithPieces(source, pieceLength)),
          comparable(parseDslWithPieces(source, "whole")),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps every comment where it was", () => {
    const source = { name: "acme.rampart", text: fixture };
    const pieces = parseDslWithComments(source, 1);
    const whole = parseDslWithComments(source, "whole");
    assert.ok(pieces.comments !== undefined);
    assert.deepEqual(pieces.comments, whole.comments);
  });
});
