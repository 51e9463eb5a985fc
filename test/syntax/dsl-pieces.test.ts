/**
 * The DSL front end's fast paths give exactly what the plain ones give (issues #2 and #19's
 * speed work): the lexer that looks keywords up in a table lexes like one that tries each
 * keyword, the piece lexer lexes like both (or gives up), a file parsed a piece at a time
 * gives the same document, spans, comments and diagnostics as the file parsed in one go, and
 * so does a file read by the direct path (no tokens, no tree), or it gives up.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import type { Lexer as ChevrotainLexer } from "chevrotain";
import { chevrotain } from "../../grammar/chevrotain.ts";
import fc from "fast-check";
import { allTokens, keywordImage, keywordTokens, policyLexer } from "../../grammar/tokens.ts";
import type { Outcome } from "../../src/diagnostics/diagnostic.ts";
import type { PolicyAst } from "../../src/syntax/ast.ts";
import { parseDsl, parseDslWithComments, parseDslWithPieces } from "../../src/syntax/dsl-to-ast.ts";
import { lexPiece } from "../../src/syntax/dsl/piece-lexer.ts";
import { codeUnitsOf } from "../../src/syntax/code-units.ts";
import { parsePiece } from "../../src/syntax/dsl/piece-parser.ts";
import { readDocument } from "../../src/syntax/dsl/text-to-document.ts";
import { WARM_UP_FROM_LENGTH, WARM_UP_SAMPLE } from "../../src/syntax/dsl/reader-warm-up.ts";
import { largePolicyDsl } from "../bench/parse-policy.ts";
import { strictPolicyParser } from "../../grammar/parser.ts";
import type { Declaration } from "../../grammar/syntax-tree.ts";
import { printDsl } from "../../src/syntax/print-dsl.ts";
import { arbPolicyDocument } from "./arbitraries.ts";

const fixture = readFileSync(
  new URL("../../fixtures/policies/acme.rampart", import.meta.url),
  "utf8",
);
const fixtureTokens = policyLexer.tokenize(fixture).tokens.map((t) => t.image);

/** The lexer as the grammar states it: every keyword a pattern, longest first. */
const keywordListLexer = new (chevrotain().Lexer)(allTokens, { positionTracking: "onlyOffset" });

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

/** What the piece lexer reads of all of `text`, shown as `lexed` shows Chevrotain's. */
function pieceLexed(text: string): unknown {
  const piece = lexPiece(text, 0, Number.POSITIVE_INFINITY, codeUnitsOf(text));
  if (piece === undefined) return undefined;
  const show = (t: { tokenType: { name: string }; image: string; startOffset: number }) =>
    `${t.tokenType.name}@${t.startOffset}:${t.image}`;
  const ends = [...piece.tokens, ...piece.comments].map(
    (t) => t.endOffset === t.startOffset + t.image.length - 1,
  );
  assert.ok(ends.every(Boolean), "every token ends where its image does");
  return { tokens: piece.tokens.map(show), comments: piece.comments.map(show), errors: [] };
}

/** Text made of the characters and tokens where lexers disagree: numbers, addresses, strings. */
const arbLexerSoup = fc
  .array(
    fc.oneof(
      fc.constantFrom(...keywordImages),
      fc.constantFrom(...fixtureTokens),
      fc.constantFrom("1.2", "1.3", "1.25", "1.2.3.4", "1.2.3", "10.0.0.0/8", "403", "1.", "0"),
      fc.constantFrom("::", "::1", "fe80::1", "2001:db8::/32", "a:b", "12345:1", ":", "abcd", "f"),
      fc.constantFrom('"a\\u00e9"', '"\\q"', '"tab\there"', '"open', '"é"', "\u2028", "é"),
      fc.constantFrom("tunnels.resources.read-only", "tunnels.streams.create-deletex", "tunnels."),
      fc.constantFrom(" ", "\n", "\r\n", "\t", "\f", "{", "}", "[", "]", "(", ")", ",", "."),
      fc.constantFrom("=", "==", "===", "~", "#", "# c\n", "-", "_", "@", "/"),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

describe("DSL piece lexer", () => {
  it("lexes a valid policy whole, as Chevrotain does", () => {
    assert.deepEqual(pieceLexed(fixture), lexed(policyLexer, fixture));
  });

  it("lexes as Chevrotain does whenever it does not give up (5,000 runs)", () => {
    let lexedCount = 0;
    fc.assert(
      fc.property(fc.oneof(arbLexerSoup, arbWordSoup), (text) => {
        const fast = pieceLexed(text);
        if (fast === undefined) return;
        lexedCount++;
        assert.deepEqual(fast, lexed(policyLexer, text));
      }),
      { numRuns: 5000 },
    );
    assert.ok(lexedCount > 1000, `the piece lexer gave up on too much (${lexedCount} lexed)`);
  });

  it("gives up on what only Chevrotain reports: bad characters, bad strings, deep nesting", () => {
    for (const text of ['"\\q"', '"open', '"tab\there"', "a@b", "a:b", "é", "[".repeat(65)]) {
      assert.equal(lexPiece(text, 0, 1, codeUnitsOf(text)), undefined, text);
    }
    const brackets = "[".repeat(64);
    assert.ok(lexPiece(brackets, 0, 1, codeUnitsOf(brackets)) !== undefined);
  });
});

/** The declarations Chevrotain's parser (without recovery) reads from `text`, if it parses. */
function chevrotainTree(text: string): Declaration[] | undefined {
  const { tokens } = policyLexer.tokenize(text);
  const parser = strictPolicyParser();
  const declarations: Declaration[] = [];
  parser.input = tokens;
  parser.onDeclaration = (node) => declarations.push(node);
  try {
    parser.policy();
  } finally {
    parser.onDeclaration = undefined;
  }
  return parser.errors.length === 0 ? declarations : undefined;
}

/** Every DSL file of the project's fixtures and examples (valid and not). */
const fixtureDir = new URL("../../fixtures/", import.meta.url);
const rampartFiles = readdirSync(fixtureDir, { recursive: true, encoding: "utf8" })
  .filter((name) => name.endsWith(".rampart"))
  .map((name) => readFileSync(new URL(name, fixtureDir), "utf8"));

describe("DSL piece parser", () => {
  it("gives Chevrotain's syntax tree for every fixture Chevrotain parses, and gives up on the rest", () => {
    let parsed = 0;
    for (const text of rampartFiles) {
      const expected = chevrotainTree(text);
      const { tokens } = policyLexer.tokenize(text);
      assert.deepEqual(parsePiece(tokens), expected);
      if (expected !== undefined) parsed++;
    }
    assert.ok(parsed > 20, `only ${parsed} fixtures parsed`);
  });

  it("gives Chevrotain's syntax tree, or gives up where Chevrotain fails (3,000 runs)", () => {
    fc.assert(
      fc.property(arbPolicyText, (text) => {
        const { tokens } = policyLexer.tokenize(text);
        assert.deepEqual(parsePiece(tokens), chevrotainTree(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("DSL parsing a piece at a time", () => {
  it("cuts only after a top-level block, and covers the whole text", () => {
    const ends: number[] = [];
    const units = codeUnitsOf(fixture);
    for (let start = 0; ends.at(-1) !== fixture.length;) {
      const piece = lexPiece(fixture, start, 1, units);
      assert.ok(piece !== undefined, "the fixture is valid");
      ends.push(piece.end);
      start = piece.end;
    }
    assert.ok(ends.length > 5, "the fixture has many top-level blocks");
    for (const end of ends.slice(0, -1)) assert.equal(fixture[end - 1], "}");
    const text = 'tunnel "a" { name "}" # }\n }';
    assert.equal(lexPiece(text, 0, 1, codeUnitsOf(text))?.end, 28);
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

/**
 * A printed valid policy with one line repeated, removed or moved elsewhere: settings written
 * twice, blocks left open, statements in the wrong block.
 */
const arbEditedPolicy = fc
  .tuple(
    arbPolicyDocument().map((doc) => printDsl(doc)),
    fc.nat(),
    fc.nat(),
    fc.constantFrom("repeat", "remove", "move"),
  )
  .map(([text, a, b, edit]) => {
    const lines = text.split("\n");
    const from = a % lines.length;
    const to = b % lines.length;
    const [line = ""] = edit === "repeat" ? [lines[from]] : lines.splice(from, 1);
    if (edit !== "remove") lines.splice(to, 0, line);
    return lines.join("\n");
  });

/** The outcome of the direct path (then the piece path) against the whole file's, key order included. */
function assertSameAsTreePath(text: string): void {
  const source = { name: "direct.rampart", text };
  const direct = parseDsl(source);
  const tree = parseDslWithPieces(source, "whole");
  assert.deepEqual(comparable(direct), comparable(tree));
  assert.equal(JSON.stringify(direct.value?.document), JSON.stringify(tree.value?.document));
}

describe("DSL direct path", () => {
  it("reads the fixtures as the syntax tree path does, and most valid ones without it", () => {
    let read = 0;
    for (const text of rampartFiles) {
      assertSameAsTreePath(text);
      if (readDocument({ name: "direct.rampart", text }) !== undefined) read++;
    }
    assert.ok(read > 40, `the direct path read only ${read} fixtures`);
  });

  it("gives the tree path's document, key order, spans and diagnostics, or gives up (3,000 runs)", () => {
    let read = 0;
    fc.assert(
      fc.property(fc.oneof(arbPolicyText, arbEditedPolicy), (text) => {
        assertSameAsTreePath(text);
        if (readDocument({ name: "direct.rampart", text }) !== undefined) read++;
      }),
      { numRuns: 3000 },
    );
    assert.ok(read > 500, `the direct path gave up on too much (${read} read)`);
  });

  it("reads past comments anywhere between tokens, as the tree path does", () => {
    const texts = [
      '# first\nproject "p" { # after a brace\n  name "A # not a comment" # after a value\n  plan pro\n}\n',
      [
        'project "p" {\n  plan pro\n}',
        'tunnel "t" {\n  labels { # open\n env = "x", # between\n team = "y" }',
        '  hosts [ # in a list\n "a.example.test" ]\n}',
        "# last, no line break",
      ].join("\n"),
      'project "p" {\r\n  plan pro # a CR LF line\r\n}\r\n#\r\n',
    ];
    for (const text of texts) {
      assert.ok(readDocument({ name: "direct.rampart", text }) !== undefined, text);
      assertSameAsTreePath(text);
    }
  });

  it("reads its warm-up sample without giving up, so the warm-up runs the direct path's code", () => {
    assert.ok(readDocument({ name: "warm-up.rampart", text: WARM_UP_SAMPLE }) !== undefined);
  });

  it("gives the tree path's outcome for a file long enough to be read after the warm-up", () => {
    const text = largePolicyDsl(600, 600);
    assert.ok(text.length >= WARM_UP_FROM_LENGTH, `${text.length}`);
    assertSameAsTreePath(text);
    // Nothing of the sample leaks into the file's document or spans.
    const read = readDocument({ name: "direct.rampart", text });
    assert.ok(read !== undefined);
    assert.ok(!JSON.stringify(read.document).includes("warm-up"));
    assert.ok([...read.spans.values()].every((span) => span.file === "direct.rampart"));
  });

  it("reads values only the schema refuses, so its documents still go through the schema gate", () => {
    // The grammar fixes the document's shape, not its values: an id's pattern, a host name, a
    // CIDR's prefix length, a country code, a required member. Skipping the gate for the direct
    // path's documents would accept all of these.
    const project = 'project "p" {\n  name "P"\n}\n';
    for (const [text, codes] of [
      [`${project}tunnel "Bad Id!" {\n  protocol tcp\n}\n`, ["RP2103"]],
      [`${project}tunnel "t" {\n  protocol http\n  hosts ["not a host"]\n}\n`, ["RP2103"]],
      [`${project}tunnel "t" {\n  protocol tcp\n  trusted_ips [10.0.0.0/99]\n}\n`, ["RP2103"]],
      [`${project}tunnel "t" {\n  protocol tcp\n  geo_ip [XX1]\n}\n`, ["RP2103"]],
      [`${project}tunnel "t" {\n  name ""\n}\n`, ["RP2103", "RP2103", "RP2105"]],
    ] as const) {
      assert.ok(readDocument({ name: "direct.rampart", text }) !== undefined, text);
      const outcome = parseDsl({ name: "direct.rampart", text });
      assert.deepEqual(
        outcome.diagnostics.map((d) => d.code),
        codes,
        text,
      );
      assertSameAsTreePath(text);
    }
  });

  it("gives up on what the tree path reports or only it reads", () => {
    const project = 'project "p" {\n  name "P"\n}\n';
    for (const text of [
      'tunnel "t" {\n  protocol tcp\n}\n', // no project (RP1009)
      `${project}${project}`, // a second project (RP1010)
      `${project}tunnel "t" {\n  protocol tcp\n  protocol http\n}\n`, // RP1008
      `${project}tunnel "t" {\n  auth token, token\n}\n`, // a mode written twice
      `${project}test "t" {\n  expect forward\n  request "https://a.test/" from 10.0.0.1\n}\n`, // order
      `${project}tunnel "t" {\n  protocol\n}\n`, // a syntax error
      `${project}tunnel "t" {\n  name "a\\q"\n}\n`, // a bad escape (RP1003)
    ]) {
      assert.equal(readDocument({ name: "direct.rampart", text }), undefined, text);
      assertSameAsTreePath(text);
    }
    for (const text of [
      project,
      `${project}tunnel "t" {\n  labels { __proto__ = "x" }\n}\n`, // a key that is data
      `${project}test "t" {\n  request "https://a.test/" from 10.0.0.1\n  expect forward\n}\n`,
    ]) {
      assert.ok(readDocument({ name: "direct.rampart", text }) !== undefined, text);
      assertSameAsTreePath(text);
    }
  });
});
