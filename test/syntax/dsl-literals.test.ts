/** DSL string literals: the value of a string token is what JSON makes of it (S-D1). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { quote, stringProblem, stringValue } from "../../src/syntax/dsl/literals.ts";

describe("DSL string literals", () => {
  it("a well-formed literal means what JSON.parse makes of it, escaped or not (5,000 runs)", () => {
    const text = fc.string({ unit: "binary", maxLength: 40 });
    fc.assert(
      fc.property(text, fc.boolean(), (value, asJson) => {
        // Both spellings: JSON's own and the printer's (which also escapes U+2028/U+2029).
        const literal = asJson ? JSON.stringify(value) : quote(value);
        assert.equal(stringProblem(literal), undefined);
        assert.equal(stringValue(literal), JSON.parse(literal));
        assert.equal(stringValue(literal), value);
      }),
      { numRuns: 5000 },
    );
  });

  it("a malformed literal gives the text between its quotes", () => {
    assert.equal(stringValue('"a\\qb"'), "a\\qb");
    assert.equal(stringValue('"tab\there"'), "tab\there");
    assert.equal(stringValue('"open'), "open");
  });
});
