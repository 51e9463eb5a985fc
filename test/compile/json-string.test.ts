/**
 * The bundle writer's string text (`jsonStringText`) is JSON.stringify's, for every string:
 * the bundle's bytes and content hash depend on it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { jsonStringText } from "../../src/compile/bundle/json-string.ts";

describe("jsonStringText", () => {
  it("writes what JSON.stringify writes, escapes and lone surrogates included", () => {
    const cases = [
      "",
      "plain",
      'a"b',
      "a\\b",
      "\n",
      "\u001f",
      "\u007f",
      "é",
      "\ud83d\ude00",
      "\ud800",
      "x\udc00y",
    ];
    for (const text of cases) assert.equal(jsonStringText(text), JSON.stringify(text));
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })),
        (text) => {
          assert.equal(jsonStringText(text), JSON.stringify(text));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
