/**
 * The token types made without Chevrotain (grammar/token-types.ts) are the ones Chevrotain's
 * `createToken` makes from the same definitions, and importing the grammar does not load
 * Chevrotain: a valid policy read by the DSL's direct path never does.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TokenType } from "chevrotain";
import { chevrotain, EOF } from "../../grammar/chevrotain.ts";
import { allTokens } from "../../grammar/tokens.ts";
import { madeTokenTypes, NOT_APPLICABLE } from "../../grammar/token-types.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Runs `script` (an ES module) in a fresh Node from the repository root; its stdout. */
function runFresh(script: string): string {
  return execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
    timeout: 30_000,
  });
}

/** Records every module file Node loads (import or require) whose path names Chevrotain. */
const WATCH_CHEVROTAIN = `
import { registerHooks } from "node:module";
globalThis.chevrotainLoads = [];
registerHooks({
  load(url, context, next) {
    if (url.includes("chevrotain.mjs") || url.includes("/chevrotain/lib/src/")) globalThis.chevrotainLoads.push(url);
    return next(url, context);
  },
});
`;

describe("token types made without Chevrotain", () => {
  it("match what Chevrotain's createToken makes from the same definitions, index for index", () => {
    const { createToken, Lexer } = chevrotain();
    const ours = madeTokenTypes();
    assert.equal(ours.length, allTokens.length);
    assert.deepEqual(new Set(ours), new Set(allTokens));
    // Chevrotain's twins, made in the same order after ours (so at a fixed offset).
    const twinOf = new Map<TokenType, TokenType>();
    const twin = (type: TokenType): TokenType => {
      const made = twinOf.get(type);
      assert.ok(made !== undefined, `${type.name} is made before the types that use it`);
      return made;
    };
    for (const type of ours) {
      const longerAlt = type.LONGER_ALT;
      const made = createToken({
        name: type.name,
        pattern: type.PATTERN === Lexer.NA ? Lexer.NA : (type.PATTERN ?? Lexer.NA),
        ...(type.CATEGORIES?.length ? { categories: type.CATEGORIES.map(twin) } : {}),
        ...(type.GROUP === undefined ? {} : { group: type.GROUP }),
        ...(longerAlt === undefined
          ? {}
          : { longer_alt: Array.isArray(longerAlt) ? longerAlt.map(twin) : twin(longerAlt) }),
        ...(type.LINE_BREAKS === undefined ? {} : { line_breaks: type.LINE_BREAKS }),
        ...(type.START_CHARS_HINT === undefined ? {} : { start_chars_hint: type.START_CHARS_HINT }),
      });
      twinOf.set(type, made);
    }
    // SAFETY: createToken numbers every type.
    const offset = twin(ours[0]!).tokenTypeIdx! - ours[0]!.tokenTypeIdx!;
    for (const type of ours) {
      const made = twin(type);
      assert.equal(made.tokenTypeIdx, (type.tokenTypeIdx ?? NaN) + offset, type.name);
      assert.deepEqual(
        made.categoryMatches,
        type.categoryMatches?.map((idx) => idx + offset),
        `${type.name}'s categoryMatches`,
      );
      assert.deepEqual(
        Object.keys(made.categoryMatchesMap ?? {}),
        Object.keys(type.categoryMatchesMap ?? {}).map((idx) => String(Number(idx) + offset)),
        `${type.name}'s categoryMatchesMap`,
      );
      assert.equal(made.isParent, type.isParent, `${type.name}'s isParent`);
      assert.deepEqual(made.CATEGORIES, type.CATEGORIES?.map(twin), `${type.name}'s categories`);
      assert.deepEqual(Object.keys(made), Object.keys(type), `${type.name}'s properties`);
    }
  });

  it("carry Chevrotain's own pattern object for categories and its own EOF once it has loaded", () => {
    const { Lexer, EOF: chevrotainEof } = chevrotain();
    const categories = madeTokenTypes().filter(
      (type) => String(type.PATTERN) === "/NOT_APPLICABLE/",
    );
    assert.ok(categories.length > 10);
    for (const type of categories) assert.equal(type.PATTERN, Lexer.NA, type.name);
    assert.notEqual(Lexer.NA, NOT_APPLICABLE);
    assert.equal(EOF, chevrotainEof);
  });

  it("a valid DSL policy is read without loading Chevrotain; a syntax error loads it", () => {
    const out = runFresh(`${WATCH_CHEVROTAIN}
const { parsePolicySource } = await import("./src/syntax/parse.ts");
const valid = parsePolicySource({ name: "p.rampart", text: 'project "p" {\\n  name "P"\\n  plan pro\\n}\\n' });
const afterValid = globalThis.chevrotainLoads.length;
const invalid = parsePolicySource({ name: "p.rampart", text: 'project "p" {\\n  plan pr0\\n}\\n' });
console.log(JSON.stringify({ valid: valid.value !== undefined, afterValid, invalid: invalid.value !== undefined, codes: invalid.diagnostics.map((d) => d.code), after: globalThis.chevrotainLoads.length }));
`);
    const seen = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(seen, {
      valid: true,
      afterValid: 0,
      invalid: false,
      codes: ["RP1004"],
      after: 1,
    });
  });
});
