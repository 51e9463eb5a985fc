/**
 * S-R1…S-R4, S-R15: the one-scan reading of a target that is canonical as sent (issue #20's
 * hot path) must answer exactly what the general reading answers, for every target it takes,
 * and must leave every other target (refusals, escapes, dot segments, a query that could hold
 * `rstream.token`) to the general reading.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  canonicalTarget,
  generalTarget,
  plainTarget,
} from "../../src/runtime/http/request-target.ts";

/** Pieces near the rules: separators, dot segments, escapes, the token name, odd bytes. */
const pieces = fc.constantFrom(
  "/",
  "//",
  ".",
  "..",
  ".;",
  "..;x",
  "?",
  "#",
  "%",
  "%2e",
  "%2F",
  "%41",
  ";",
  ":",
  "@",
  "a",
  "A",
  "api",
  "bench",
  "x=1",
  "&",
  "=",
  "rstream.token=t",
  "RSTREAM.TOKEN=t",
  "~",
  "'",
  " ",
  "\t",
  "\u007f",
  "\u00e9",
  "[",
  "\\",
  "",
);
const targets = fc.oneof(
  fc.array(pieces, { maxLength: 10 }).map((p) => `/${p.join("")}`),
  fc.array(pieces, { maxLength: 10 }).map((p) => p.join("")),
  fc.string(),
);

describe("the one-scan reading of a canonical target (S-R1…S-R4, S-R15)", () => {
  it("S-R4: answers what the general reading answers, wherever it answers", () => {
    fc.assert(
      fc.property(targets, (target) => {
        const fast = plainTarget(target);
        if (fast !== null) assert.deepEqual(fast, generalTarget(target, "GET"), target);
        assert.deepEqual(canonicalTarget(target, "GET"), generalTarget(target, "GET"), target);
      }),
      { numRuns: 20_000 },
    );
  });

  it("S-R4: takes the usual targets, which read as themselves", () => {
    for (const target of [
      "/",
      "/api/bench",
      "/api/bench?x=1",
      "/a.b/c;d=e",
      "/static/app.js?v=1-2",
    ]) {
      const fast = plainTarget(target);
      assert.ok(fast !== null, target);
      assert.equal(fast.target, target.endsWith("?") ? target.slice(0, -1) : target);
    }
    assert.equal(plainTarget("/a?")?.target, "/a");
  });

  it("S-R2, S-R3, S-R15: leaves escapes, dot segments, `//`, fragments and token-shaped queries alone", () => {
    for (const target of [
      "/a/../b",
      "/a/./b",
      "/a//b",
      "/a/..;x/b",
      "/a%2eb",
      "/a#f",
      "/a?b#f",
      "/a?rstream.token=t",
      "/a?x=%41",
      "/a b",
      "*",
      "http://h/a",
      "",
    ])
      assert.equal(plainTarget(target), null, target);
  });
});
