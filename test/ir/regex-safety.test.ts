import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isPlainlySafe } from "../../src/ir/regex-flat.ts";
import { checkSafeRegex, MAX_REGEX_LENGTH, unsafeReason } from "../../src/ir/regex-safety.ts";

function reasonOf(source: string): string {
  const result = checkSafeRegex(source);
  assert.ok(!result.ok, `${source} should be refused`);
  return result.reason;
}

describe("checkSafeRegex", () => {
  it("S-T5: accepts ordinary path patterns and compiles them with the u flag", () => {
    for (const source of [
      "^/api/v[0-9]+/",
      "^/api/[^/]+/items$",
      ".*\\.json$",
      "^/(a|b)*$",
      "\\p{L}+",
      "/users/\\d{1,6}$",
      "^/x{2,4}y",
    ]) {
      const result = checkSafeRegex(source);
      assert.ok(result.ok, source);
      assert.equal(result.regex.flags, "u");
      assert.equal(result.regex.source, new RegExp(source, "u").source);
    }
  });

  it("S-T5: refuses backreferences, numbered and named", () => {
    assert.match(reasonOf("(a)\\1"), /backreference/);
    assert.match(reasonOf("(?<n>a)\\k<n>"), /backreference/);
  });

  it("S-T5: refuses lookahead and lookbehind", () => {
    for (const source of ["^/api(?!/admin)", "(?=a)b", "(?<=a)b", "(?<!a)b"])
      assert.match(reasonOf(source), /lookahead and lookbehind/);
  });

  it("S-T5: refuses nested unbounded quantifiers", () => {
    for (const source of ["(a+)+", "(a*)*", "^(/[a-z]+)*$", "(x(ab)*){2,}", "(a|b+){3}"])
      assert.match(reasonOf(source), /nested quantifiers/);
  });

  it("S-T5: refuses repetition of a part that can match nothing", () => {
    assert.match(reasonOf("(a|)*"), /empty string/);
  });

  it("S-T5: refuses unbounded repetition of overlapping alternatives", () => {
    assert.match(reasonOf("(a|ab)*"), /same character/);
    assert.match(reasonOf("(\\d|[0-5])+$"), /same character/);
    assert.match(reasonOf("(.|x)*"), /same character/);
  });

  it("S-T5: refuses adjacent unbounded quantifiers over the same characters", () => {
    for (const source of ["\\d+\\d+", ".*.*x", "a+b?a*", "[a-z]+\\w*"])
      assert.match(reasonOf(source), /follow each other/);
    assert.ok(checkSafeRegex("[a-z]+/[a-z]+").ok);
  });

  it("S-T5: bounds the length", () => {
    assert.ok(checkSafeRegex("a".repeat(MAX_REGEX_LENGTH)).ok);
    assert.match(reasonOf("a".repeat(MAX_REGEX_LENGTH + 1)), /longer than 512/);
  });

  it("reports syntax errors and unsupported syntax as reasons, never throws", () => {
    assert.match(reasonOf("["), /does not parse/);
    assert.match(reasonOf("(?i:a)"), /outside the supported subset/);
  });
});

const piece = fc.constantFrom(
  "a",
  "b",
  "/",
  ".",
  "\\d",
  "\\w",
  "\\.",
  "[a-z]",
  "[^/]",
  "\\u{1F600}",
  "é",
  "^",
  "$",
  "\\b",
  "*",
  "+",
  "?",
  "*?",
  "{2}",
  "{1,}",
  "{0,3}",
  "(",
  ")",
  "(?:",
  "|",
);

describe("properties", () => {
  it("S-T5: the flat-pattern shortcut never accepts what the full check refuses", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const source = pieces.join("");
        let regex: RegExp;
        try {
          regex = new RegExp(source, "u");
        } catch {
          return;
        }
        if (isPlainlySafe(source)) assert.equal(unsafeReason(regex), null, source);
        assert.equal(checkSafeRegex(source).ok, unsafeReason(regex) === null, source);
      }),
      { numRuns: 5000 },
    );
  });
});
