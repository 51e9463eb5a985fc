/** The grammar: its error-help tables agree with what the parser actually accepts. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  blockStatementStarts,
  PolicyParser,
  recoveringPolicyParser,
} from "../../grammar/parser.ts";
import type { TokenType } from "chevrotain";
import { allTokens, policyLexer } from "../../grammar/tokens.ts";

/** Prefixes that leave the parser at the start of a statement inside each block rule. */
const OPEN_BLOCK: Readonly<Record<string, readonly string[]>> = {
  policy: [""],
  projectBlock: ['project "a" {'],
  tunnelBlock: ['tunnel "a" {'],
  allowUsersBlock: ['tunnel "a" { allow_users {'],
  membersBlock: ['project "a" { members {'],
  grantBlock: ['grant "a" {'],
  // One rule closes both kinds of grant node, so its list covers both.
  grantNode: ['grant "a" { resources any {', 'grant "a" { resources scope {'],
  actionBody: ['grant "a" { resources scope { connect {'],
  credentialBlock: ['credential "a" {'],
  testBlock: ['test "a" {'],
  requestStatement: ['test "a" { request "u" from 192.0.2.1 {'],
  sessionBlock: ['test "a" { request "u" from 192.0.2.1 { session {'],
  tlsBlock: ['test "a" { request "u" from 192.0.2.1 { tls {'],
};

/** A token's name, or for a category the names of the keywords in it. */
function expand(token: TokenType): string[] {
  const members = allTokens.filter((t) => t.CATEGORIES?.includes(token) === true);
  return members.length === 0 ? [token.name] : members.map((t) => t.name);
}

describe("policy parser", () => {
  it("is a valid LL(k) grammar: Chevrotain's checks pass (the tools' parsers skip them)", () => {
    // Building a parser with validation throws on ambiguous alternatives, left recursion,
    // unreachable alternatives and the like.
    assert.doesNotThrow(() => new PolicyParser({ validate: true }));
    assert.doesNotThrow(() => new PolicyParser({ recovery: false, validate: true }));
  });

  it("blockStatementStarts lists exactly the statements each block accepts", () => {
    assert.deepEqual(Object.keys(OPEN_BLOCK).sort(), Object.keys(blockStatementStarts).sort());
    for (const [rule, prefixes] of Object.entries(OPEN_BLOCK)) {
      const next = prefixes.flatMap((prefix) =>
        recoveringPolicyParser()
          .computeContentAssist("policy", policyLexer.tokenize(prefix).tokens)
          .flatMap((s) => expand(s.nextTokenType)),
      );
      // Content assist also offers the block's closer.
      const accepted = new Set(next.filter((n) => n !== "RCurly" && n !== "EOF"));
      const listed = new Set((blockStatementStarts[rule] ?? []).flatMap(expand));
      assert.deepEqual([...listed].sort(), [...accepted].sort(), rule);
    }
  });

  it("is a singleton that can be reused across inputs", () => {
    for (const text of ['project "a" { plan pro }', 'project "b" { plan basic }']) {
      recoveringPolicyParser().input = policyLexer.tokenize(text).tokens;
      recoveringPolicyParser().policy();
      assert.deepEqual(recoveringPolicyParser().errors, []);
    }
  });

  it("grammar/rampart.ebnf names every parser rule and every keyword", () => {
    const ebnf = readFileSync(new URL("../../grammar/rampart.ebnf", import.meta.url), "utf8");
    const defined = new Set([...ebnf.matchAll(/^([A-Za-z]\w*)\s*=/gm)].map((m) => m[1]));
    const rules = Object.keys(recoveringPolicyParser().getGAstProductions());
    assert.deepEqual(
      rules.filter((r) => !defined.has(r)),
      [],
      "parser rules missing from the EBNF",
    );
    const images = allTokens
      .map((t) => t.PATTERN)
      .filter((p): p is string => typeof p === "string");
    assert.deepEqual(
      images.filter((k) => !ebnf.includes(`"${k}"`)),
      [],
      "keywords missing from the EBNF",
    );
  });
});
