/**
 * The bundle writer's bytes (`ByteText`, `TextPieces`) are the UTF-8 of the text they stand
 * for, across chunk boundaries: the bundle's bytes and content hash depend on it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ByteText, viewOf } from "../../src/compile/bundle/byte-text.ts";
import { TextPieces } from "../../src/compile/bundle/text-pieces.ts";

/** The text of the bytes written. */
function decoded(out: ByteText): string {
  return Buffer.concat(out.chunks()).toString("utf8");
}

describe("ByteText", () => {
  it("writes 32-bit integers as String does, the extremes and -0 included", () => {
    const values = [0, -0, 1, -1, 9, 10, 99, 100, 1e9 - 1, 1e9, 2 ** 31 - 1, -(2 ** 31), -10];
    const out = new ByteText();
    for (const value of values) {
      out.int(value);
      out.ascii(0x2c);
    }
    assert.equal(decoded(out), `${values.map(String).join(",")},`);
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value) => {
        const one = new ByteText();
        one.int(value);
        assert.equal(decoded(one), String(value));
      }),
    );
  });

  it("holds the UTF-8 of its texts and copies across chunks, non-ASCII included", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.nat(9), fc.nat(20_000)),
          {
            maxLength: 40,
          },
        ),
        (parts) => {
          const out = new ByteText();
          const source = Buffer.from("0123456789".repeat(2_000), "utf8");
          let expected = "";
          for (const part of parts) {
            if (typeof part === "string") {
              out.text(part);
              expected += part;
            } else {
              // A number is a copy of the source's bytes up to it, from an odd offset (under 4
              // bytes byte by byte, longer ones four at a time).
              out.copy(viewOf(source), part % 7, part);
              expected += source.subarray(part % 7, part).toString("latin1");
            }
          }
          // Chunks of 64 KB and more: the texts above fill several.
          out.text("x".repeat(70_000));
          expected += "x".repeat(70_000);
          assert.equal(Buffer.concat(out.chunks()).length, Buffer.byteLength(expected, "utf8"));
          assert.equal(decoded(out), expected);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("writes multi-byte text across chunk boundaries", () => {
    const out = new ByteText();
    out.text('{"rest":');
    out.text("é".repeat(50_000));
    out.text("…".repeat(30_000));
    assert.equal(decoded(out), `{"rest":${"é".repeat(50_000)}${"…".repeat(30_000)}`);
    assert.equal(Buffer.concat(out.chunks()).length, Buffer.byteLength(decoded(out)));
  });
});

describe("TextPieces", () => {
  it("encodes each piece once, its bytes between its start and the next piece's", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 3_000 })), (some) => {
        // The last piece outgrows the first buffer.
        const texts = [...some, "é".repeat(40_000), "a"];
        const pieces = new TextPieces();
        const ids = texts.map((text) => pieces.add(text));
        ids.forEach((id, i) => {
          const view = pieces.view();
          const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
          const text = bytes.subarray(pieces.starts[id], pieces.starts[id + 1]).toString("utf8");
          assert.equal(text, texts[i]);
          assert.equal(pieces.textLength(id), texts[i]?.length);
        });
      }),
      { numRuns: 50 },
    );
  });
});
