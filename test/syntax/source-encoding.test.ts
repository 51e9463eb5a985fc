/**
 * Policy files are UTF-8: a file whose bytes are not (Latin-1, UTF-16) is refused at its first
 * such byte by both front ends (RP1013, RP2015), by every command that reads it, instead of
 * being read as other text than it holds. A UTF-8 byte order mark is read past by both.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { main } from "../../src/cli/main.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { parseDsl, parseDslWithComments, parseDslWithPieces } from "../../src/syntax/dsl-to-ast.ts";
import { parsePolicySource } from "../../src/syntax/parse.ts";
import { firstNonUtf8 } from "../../src/syntax/source-encoding.ts";

/** A source as the CLI reads it: the bytes, and the text decoded from them. */
function sourceOf(name: string, bytes: Buffer) {
  return { name, text: bytes.toString("utf8"), bytes };
}

const VALID = 'project "p" {\n  plan pro\n}\n';

describe("policy files that are not UTF-8", () => {
  it("finds the first byte that is not UTF-8, past a U+FFFD the file really holds", () => {
    const bytes = Buffer.concat([
      Buffer.from('# \uFFFD é\nproject "p" {\n  name "Z'),
      Buffer.from([0xfc]),
      Buffer.from('rich"\n  plan pro\n}\n'),
    ]);
    const source = sourceOf("p.rampart", bytes);
    const found = firstNonUtf8(source);
    assert.ok(found !== undefined);
    assert.equal(found.byte, 0xfc);
    assert.equal(found.utf16, false);
    assert.equal(source.text.slice(found.offset - 1, found.offset + 5), "Z\uFFFDrich");
  });

  it("knows valid UTF-8, a text without bytes, and a UTF-16 file by its byte order mark", () => {
    assert.equal(firstNonUtf8(sourceOf("p.rampart", Buffer.from(`\uFFFD${VALID}`))), undefined);
    assert.equal(firstNonUtf8({ name: "p.rampart", text: "\uFFFD" }), undefined);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VALID, "utf16le")]);
    assert.deepEqual(firstNonUtf8(sourceOf("p.json", utf16)), {
      offset: 0,
      byte: 0xff,
      utf16: true,
    });
  });

  it("RP1013 and RP2015: each front end refuses the file with a span on the bad byte", () => {
    const latin1 = Buffer.from('project "p\xe9" {\n  plan pro\n}\n', "latin1");
    const dsl = parsePolicySource(sourceOf("p.rampart", latin1));
    assert.equal(dsl.value, undefined);
    assert.deepEqual(
      dsl.diagnostics.map((d) => [d.code, d.span?.start, d.message]),
      [
        [
          "RP1013",
          10,
          "the file is not UTF-8: byte 0xE9 cannot start or continue a character here",
        ],
      ],
    );
    const json = parsePolicySource(
      sourceOf("p.json", Buffer.from('{"project":{"id":"p\xe9","plan":"pro"}}', "latin1")),
    );
    assert.deepEqual(
      json.diagnostics.map((d) => [d.code, d.span?.start]),
      [["RP2015", 19]],
    );
  });

  it("fmt leaves a Latin-1 file as it is, where it wrote U+FFFD over its bytes", async () => {
    const bytes = Buffer.from(`# caf\xe9 au lait\n${VALID}`, "latin1");
    const io = memoryIo({ "p.rampart": bytes });
    const exit = await main(["fmt", "p.rampart"], io);
    assert.equal(exit, 1);
    assert.match(io.stdout.join(""), /error\[RP1013\]/);
    // memoryIo keeps what was written as text: nothing was.
    assert.equal(io.files.has("p.rampart"), false);
  });

  it("a DSL file that starts with a UTF-8 byte order mark reads as JSON's does, every way", () => {
    const withMark = { name: "p.rampart", text: `\uFEFF${VALID}` };
    const plain = parseDsl({ name: "p.rampart", text: VALID }).value?.document;
    assert.ok(plain !== undefined);
    assert.deepEqual(parseDsl(withMark).value?.document, plain);
    assert.deepEqual(parseDslWithPieces(withMark, 8).value?.document, plain);
    assert.deepEqual(parseDslWithPieces(withMark, "whole").value?.document, plain);
    assert.deepEqual(parseDslWithComments(withMark).outcome.value?.document, plain);
    // An error is placed in the file as it is, mark included.
    const broken = parseDsl({ name: "p.rampart", text: `\uFEFF${VALID.replace("pro", "prox")}` });
    assert.deepEqual(
      broken.diagnostics.map((d) => [d.code, d.span?.start]),
      [["RP1004", VALID.indexOf("pro") + 1]],
    );
  });
});
