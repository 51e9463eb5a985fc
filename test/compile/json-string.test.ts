/**
 * The bundle writer's string pieces (`TextPieces.addString`) are the UTF-8 of what
 * JSON.stringify writes, for every string: the bundle's bytes and content hash depend on it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { TextPieces } from "../../src/compile/bundle/text-pieces.ts";

/** The bytes of piece `id`. */
function pieceBytes(pieces: TextPieces, id: number): Buffer {
  const view = pieces.view();
  const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return bytes.subarray(pieces.starts[id], pieces.starts[id + 1]);
}

/** Asserts that each text's piece, added in turn to one set of pieces, is JSON.stringify's. */
function assertStringPieces(texts: readonly string[]): void {
  const pieces = new TextPieces();
  // A piece before, so that the strings' pieces start past the first byte.
  pieces.add("true");
  const ids = texts.map((text) => pieces.addString(text));
  texts.forEach((text, i) => {
    const id = ids[i] as number;
    const json = JSON.stringify(text);
    assert.deepEqual(pieceBytes(pieces, id), Buffer.from(json, "utf8"), json);
    assert.equal(pieces.textLength(id), json.length, json);
  });
}

describe("TextPieces.addString", () => {
  it("writes what JSON.stringify writes, escapes and lone surrogates included", () => {
    assertStringPieces([
      "",
      "plain",
      'a"b',
      "a\\b",
      "\n",
      "\u001f",
      "\u007f",
      "é",
      'aé"',
      "é\\",
      "\ud83d\ude00",
      "\ud800",
      "x\udc00y",
      "x".repeat(1_000),
      "\u2028".repeat(300),
    ]);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })),
          { maxLength: 20 },
        ),
        assertStringPieces,
      ),
      { numRuns: 500 },
    );
  });
});
