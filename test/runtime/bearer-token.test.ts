/**
 * S-H1: the edge token of an `Authorization` field. The hand scan of the hot path (issue #20)
 * must read exactly what the regular expression it replaced read, for every value.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { bearerToken } from "../../src/runtime/http/request-facts.ts";

/** The reading the scan replaced: the scheme in any case, blanks, one token, blanks. */
const REFERENCE = /^bearer[ \t]+([^ \t]+)[ \t]*$/i;
const reference = (value: string): string | null => REFERENCE.exec(value)?.[1] ?? null;

/** Values near the grammar: scheme spellings, blanks, token characters and odd bytes mixed. */
const pieces = fc.constantFrom(
  "bearer",
  "Bearer",
  "BEARER",
  "bEaReR",
  "bearer:",
  "Basic",
  "beare",
  " ",
  "\t",
  "  ",
  "a",
  "eyJhbGciOi.J9.x-_",
  "=",
  "\u0130",
  "\u212a",
  "\u00e9",
  ",",
  "",
);
const values = fc.oneof(
  fc.array(pieces, { maxLength: 8 }).map((p) => p.join("")),
  fc.string(),
);

describe("the bearer token of an Authorization field (S-H1)", () => {
  it("S-H1: the hand scan agrees with the regular expression on every value", () => {
    fc.assert(
      fc.property(values, (value) => {
        assert.equal(bearerToken(value), reference(value), JSON.stringify(value));
      }),
      { numRuns: 20_000 },
    );
  });

  it("S-H1: the usual forms", () => {
    assert.equal(bearerToken("Bearer abc"), "abc");
    assert.equal(bearerToken("bearer \t abc \t"), "abc");
    assert.equal(bearerToken("BEARER abc"), "abc");
    assert.equal(bearerToken("Bearer"), null);
    assert.equal(bearerToken("Bearer "), null);
    assert.equal(bearerToken("Bearerabc"), null);
    assert.equal(bearerToken("Bearer a b"), null);
    assert.equal(bearerToken("Basic abc"), null);
    // Non-ASCII letters that lower-case to ASCII under Unicode rules are not the scheme.
    assert.equal(bearerToken("bearer\u212a abc"), null);
  });
});
