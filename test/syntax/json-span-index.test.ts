/**
 * The span index of a well-formed JSON text (`json-span-index.ts`) against the span table the
 * careful reader fills for the same text: every lookup a reader can make (by pointer, nearest
 * ancestor, member by name or index, member spans, pointers back from nodes, iteration) gives
 * the same answer, for any JSON value printed any way, small containers and large ones (which
 * the index looks up through a table past 16 members) alike.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import fc from "fast-check";
import { spanAt } from "../../src/syntax/ast.ts";
import {
  DEFAULT_JSON_LIMITS,
  readCarefulRows,
  readJsonCarefully,
} from "../../src/syntax/json-reader.ts";
import { readWellFormedJson } from "../../src/syntax/json-spans.ts";
import type { SpanTree } from "../../src/syntax/span-tree.ts";

const file = (text: string, bytes?: Uint8Array) => ({
  name: "policy.json",
  text,
  ...(bytes === undefined ? {} : { bytes }),
});

/**
 * Both tables of `text`: the index (fast path) and the careful reader's. `bytes`: the UTF-8
 * bytes the text was decoded from, which the index reads when they are its code units.
 */
function bothTables(
  text: string,
  bytes?: Uint8Array,
): { index: SpanTree; careful: SpanTree; value: unknown } | undefined {
  const read = readWellFormedJson(file(text, bytes), 128, 0, () =>
    readCarefulRows(file(text), DEFAULT_JSON_LIMITS),
  );
  // Handed over only when a string looks like a name's end (`":`) and a name has an escape,
  // so that the index, which would count the names exactly, refuses the text.
  if (read === undefined) {
    assert.match(text, /\\/);
    return undefined;
  }
  assert.ok(read, "the fast path takes a well-formed text with distinct names");
  const careful = readJsonCarefully(file(text)).value;
  assert.ok(careful);
  return { index: read.spans, careful: careful.spans, value: read.value };
}

/** Every pointer of a JSON value, and a few near ones that name nothing. */
function pointersOf(value: unknown, pointer = ""): string[] {
  const out = [pointer, `${pointer}/missing`, `${pointer}/01`, `${pointer}/-1`, `${pointer}/99`];
  const encode = (k: string) => k.replaceAll("~", "~0").replaceAll("/", "~1");
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pointersOf(v, `${pointer}/${i}`)));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(...pointersOf(v, `${pointer}/${encode(k)}`));
    }
  }
  return out;
}

/** The keys to try on the value at a pointer: its own, by name and by index, and absent ones. */
function keysOf(value: unknown): (string | number)[] {
  const keys: (string | number)[] = ["missing", "", 0, "0", 1, 17, "17", 1.5, -1, '"', 'a": 1, "b'];
  if (Array.isArray(value)) value.forEach((_, i) => keys.push(i, String(i)));
  else if (typeof value === "object" && value !== null) keys.push(...Object.keys(value));
  return keys;
}

function valueAt(value: unknown, pointer: string): unknown {
  let at = value;
  for (const token of pointer.split("/").slice(1)) {
    const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
    at = (at as Record<string, unknown> | undefined)?.[key];
  }
  return at;
}

/** Asserts that every lookup in `index` answers as in `careful`. */
function assertSameAnswers(text: string, bytes?: Uint8Array): void {
  const tables = bothTables(text, bytes);
  if (tables === undefined) return;
  const { index, careful, value } = tables;
  for (const pointer of pointersOf(value)) {
    assert.deepEqual(index.get(pointer), careful.get(pointer), pointer);
    assert.deepEqual(spanAt(index, pointer), spanAt(careful, pointer), pointer);
    const node = index.node(pointer);
    const expected = careful.node(pointer);
    assert.equal(node === undefined, expected === undefined, pointer);
    if (node === undefined || expected === undefined) continue;
    assert.equal(node.pointer(), expected.pointer());
    assert.deepEqual(node.span, expected.span);
    for (const key of keysOf(valueAt(value, pointer))) {
      assert.deepEqual(node.memberSpan(key), expected.memberSpan(key), `${pointer} ${key}`);
      assert.equal(node.member(key)?.pointer(), expected.member(key)?.pointer());
    }
  }
  assert.deepEqual([...index], [...careful]);
}

/** A container with more members than the index walks before it makes a table of them. */
const arbWide = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 15, maxLength: 40 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), {
    minKeys: 15,
    maxKeys: 40,
  }),
);

const arbText = fc
  .tuple(
    fc.oneof(fc.jsonValue({ maxDepth: 4 }), arbWide, fc.dictionary(fc.string(), arbWide)),
    fc.constantFrom(undefined, 0, 2, "\t", " \r\n "),
  )
  .map(([value, indent]) => JSON.stringify(value, null, indent as string | number | undefined));

describe("JsonSpanIndex: the spans of a well-formed JSON text, read from the text", () => {
  it("answers every lookup as the careful reader's table, any JSON value printed any way (300 runs)", () => {
    fc.assert(
      fc.property(arbText, (text) => assertSameAnswers(text)),
      { numRuns: 300 },
    );
  });

  it("answers as the careful reader's table for names with escapes, quotes and slashes", () => {
    assertSameAnswers('{"a\\"b": {"c/d~e": [1, 2]}, "\\u0066": true, "": {"": ""}}');
    assertSameAnswers('{"ab": 1, "b": 2, "a": {"b": 3}}');
    assertSameAnswers('[{"x":"\\\\"}, "\\"", {"y":["]"]}]');
  });

  it("answers as the careful reader's table for texts beyond ASCII, read as 16-bit code units", () => {
    // Each of these has a low byte that is JSON syntax: `Ģ` 0x22 (quote), `Ȭ` 0x2C (comma),
    // `Ŝ` 0x5C (backslash), `Ż` 0x7B (brace), `ŝ` 0x5D (bracket); `é` is one byte in Latin-1.
    assertSameAnswers('{"é": ["Ģ", "Ȭ,", {"Ż": "ŝ"}], "k": "Ŝ", "n": -1.5e3, "😀": [true, null]}');
    assertSameAnswers('["Ģ\\"", {"Ȭ": {"a": "Ŝ\\\\"}}, "é"]');
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3, stringUnit: "binary" }),
        fc.constantFrom(undefined, 2),
        (value, indent) => assertSameAnswers(JSON.stringify(value, null, indent)),
      ),
      { numRuns: 200 },
    );
  });

  it("answers alike from the bytes the text was decoded from, ASCII or not, any printing (200 runs)", () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3, stringUnit: fc.constantFrom("a", "é", "Ģ", "😀", '"', "\\") }),
        fc.constantFrom(undefined, 2, "\t"),
        (value, indent) => {
          const text = JSON.stringify(value, null, indent);
          assertSameAnswers(text, Buffer.from(text, "utf8"));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("answers alike from bytes that are no UTF-8 inside strings (one U+FFFD per byte)", () => {
    // 0x80 and 0xFF alone, and 0xC0 0x80 (an overlong form): each byte decodes to one U+FFFD,
    // so the bytes are as many as the units, and the index reads them in place of a copy.
    const bytes = Buffer.concat([
      Buffer.from('{"a": "'),
      Buffer.from([0x80, 0xff, 0xc0, 0x80]),
      Buffer.from('", "b": ["'),
      Buffer.from([0xfe]),
      Buffer.from('", {"c": 1}]}'),
    ]);
    const text = bytes.toString("utf8");
    assert.equal(text.length, bytes.length);
    assert.match(text, /\uFFFD{4}/u);
    assertSameAnswers(text, bytes);
    // A sequence cut short decodes to fewer units than bytes: the text is copied instead.
    const cut = Buffer.concat([
      Buffer.from('{"a": "'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('"}'),
    ]);
    assert.notEqual(cut.toString("utf8").length, cut.length);
    assertSameAnswers(cut.toString("utf8"), cut);
  });

  it("indexes nothing until a span is asked for, and refuses writes", () => {
    const text = '{"tunnels": [{"id": "t1"}]}';
    let careful = 0;
    const read = readWellFormedJson(file(text), 128, 0, () => {
      careful++;
      return readCarefulRows(file(text), DEFAULT_JSON_LIMITS);
    });
    assert.ok(read);
    assert.deepEqual(read.spans.get("/tunnels/0/id"), { file: "policy.json", start: 20, end: 24 });
    assert.equal(careful, 0, "a text without escaped names is indexed, not read again");
    assert.throws(() => read.spans.root.child("x"), /cannot be written/);
  });
});
