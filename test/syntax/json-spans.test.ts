/**
 * The JSON reader's fast path (`JSON.parse` and a scan for spans, `json-spans.ts`) against its
 * careful reader: for any text, the same value, the same spans and key spans, the same
 * diagnostics. The texts include what the fast path must hand over: duplicate keys, escaped
 * names, nesting past the limit, numbers too large for a double, a byte order mark, errors.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import fc from "fast-check";
import type { JsonLimits } from "../../src/syntax/json-reader.ts";
import {
  DEFAULT_JSON_LIMITS,
  readCarefulRows,
  readJson,
  readJsonCarefully,
} from "../../src/syntax/json-reader.ts";
import type { SpanRows } from "../../src/syntax/span-tree.ts";
import { readWellFormedJson } from "../../src/syntax/json-spans.ts";
import type { SpanIndexing } from "../../src/syntax/json-spans.ts";

const file = (text: string) => ({ name: "policy.json", text });

/** Everything a read gives, in a form `deepEqual` compares (own `__proto__` included). */
function observed(text: string, limits?: JsonLimits, indexing?: SpanIndexing): unknown {
  return summary(readJson(file(text), limits, indexing));
}

/** `observed` of the text read as the CLI reads a file: with the bytes it was decoded from. */
function observedWithBytes(text: string, indexing?: SpanIndexing): unknown {
  return summary(
    readJson({ ...file(text), bytes: Buffer.from(text, "utf8") }, undefined, indexing),
  );
}

function summary(outcome: ReturnType<typeof readJson>): unknown {
  const read = outcome.value;
  return {
    diagnostics: outcome.diagnostics,
    value: read === undefined ? undefined : JSON.stringify(read.value),
    protoKeys: read === undefined ? undefined : protoKeys(read.value),
    spans: read === undefined ? undefined : [...read.spans],
    keySpans: read === undefined ? undefined : [...read.keySpans],
  };
}

/** The pointers of own `__proto__` properties (which `JSON.stringify` also prints, but checked apart). */
function protoKeys(value: unknown, pointer = ""): string[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.keys(value).flatMap((key) => [
    ...(key === "__proto__" ? [pointer] : []),
    ...protoKeys((value as Record<string, unknown>)[key], `${pointer}/${key}`),
  ]);
}

/** The careful reader's rows of `text`, as `readJson` hands them to the fast path. */
function carefulRows(text: string): () => SpanRows {
  return () => readCarefulRows(file(text), DEFAULT_JSON_LIMITS);
}

function careful(text: string, limits?: JsonLimits): unknown {
  return summary(readJsonCarefully(file(text), limits));
}

/** A JSON value printed with some indentation, or none. */
const arbPrinted = fc
  .tuple(fc.jsonValue({ maxDepth: 5 }), fc.constantFrom(undefined, 0, 1, 2, "\t", " \r\n "))
  .map(([value, indent]) => JSON.stringify(value, null, indent as string | number | undefined));

/** Small texts spliced from the cases the fast path must hand over, and from broken ones. */
const arbTricky = fc
  .array(
    fc.constantFrom(
      '{"a":1,"a":2}',
      '{"a\\u0062":1}',
      '{"__proto__":{"x":1}}',
      '{"2":1,"b":2,"1":3}',
      '"\\"\\\\"',
      "1e400",
      "-0",
      "[[[[[[1]]]]]]",
      "\ufeff[]",
      "[1,]",
      "{",
      "tru",
      " ",
      ",",
      ":",
      '"x\\ny"',
      '{"x":":y"}',
      '{":":1,":":2}',
      '{"a":{"b":":"},"a":{}}',
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => (parts.length === 1 ? (parts[0] as string) : `[${parts.join(",")}]`));

describe("readJson: the fast path for well-formed files", () => {
  it("reads as the careful reader does, any printed JSON value (500 runs)", () => {
    fc.assert(
      fc.property(arbPrinted, (text) => {
        assert.deepEqual(observed(text), careful(text));
        assert.deepEqual(observedWithBytes(text), careful(text));
        assert.deepEqual(observedWithBytes(text, "now"), careful(text));
      }),
      { numRuns: 500 },
    );
  });

  it("reads as the careful reader does, texts it must hand over and broken ones (500 runs)", () => {
    const limits: JsonLimits = { maxLength: 1 << 20, maxDepth: 4 };
    fc.assert(
      fc.property(arbTricky, (text) => {
        assert.deepEqual(observed(text), careful(text));
        assert.deepEqual(observedWithBytes(text), careful(text));
        assert.deepEqual(observed(text, limits), careful(text, limits));
        assert.deepEqual(observed(text, undefined, "now"), careful(text));
        assert.deepEqual(observedWithBytes(text, "now"), careful(text));
        assert.deepEqual(observed(text, limits, "now"), careful(text, limits));
      }),
      { numRuns: 500 },
    );
  });

  it("hands over duplicate keys, deep nesting, infinite numbers and a BOM", () => {
    const texts = ['{"a":1,"a":2}', '{"a":{"x":1},"a":{}}', "[[[1]]]", "1e400", "\ufeff{}"];
    for (const text of texts) {
      assert.equal(readWellFormedJson(file(text), 2, 0, carefulRows(text)), undefined, text);
    }
    assert.notEqual(
      readWellFormedJson(file('{"a":[1,{"b":"c"}]}'), 3, 0, carefulRows("")),
      undefined,
    );
  });

  it("takes a text whose strings look like a name's end, and still hands over its duplicates", () => {
    const text = '{"listen": ":8080", "b": {"c": "\\":"}}';
    assert.notEqual(readWellFormedJson(file(text), 8, 0, carefulRows(text)), undefined);
    const repeated = '{"listen": ":8080", "a": 1, "a": 2}';
    assert.equal(readWellFormedJson(file(repeated), 8, 0, carefulRows(repeated)), undefined);
  });

  it("indexed now, counts the names by the index and still hands over duplicates", () => {
    const text = '{"listen": ":8080", "b": {"c": "\\":"}}';
    let asked = 0;
    const rows = () => {
      asked++;
      return carefulRows(text)();
    };
    assert.notEqual(readWellFormedJson(file(text), 8, 0, rows, "now"), undefined);
    assert.equal(asked, 0, "a text without escaped names is indexed, not read again");
    for (const repeated of ['{"listen": ":8080", "a": 1, "a": 2}', '{"a":{"b":":"},"a":{}}']) {
      assert.equal(
        readWellFormedJson(file(repeated), 8, 0, carefulRows(repeated), "now"),
        undefined,
      );
    }
    // An escaped name: the index cannot count, the search of the text for `:` does.
    const escaped = '{"a\\u0062": 1, "c": 2}';
    assert.notEqual(
      readWellFormedJson(file(escaped), 8, 0, carefulRows(escaped), "now"),
      undefined,
    );
    const escapedTwice = '{"a\\u0062": 1, "ab": 2}';
    assert.equal(
      readWellFormedJson(file(escapedTwice), 8, 0, carefulRows(escapedTwice), "now"),
      undefined,
    );
  });

  it("indexed now, hands over what the index finds: repeats in large objects, non-UTF-8 names, depth, 1e400", () => {
    const names = Array.from({ length: 40 }, (_, i) => `"n${i}": ${i}`);
    const large = `{${names.join(", ")}}`;
    assert.notEqual(readWellFormedJson(file(large), 8, 0, carefulRows(large), "now"), undefined);
    const repeatedLate = `{${[...names, '"n3": 0'].join(", ")}}`;
    assert.equal(
      readWellFormedJson(file(repeatedLate), 8, 0, carefulRows(repeatedLate), "now"),
      undefined,
    );
    // Two bytes that are no UTF-8 both decode to U+FFFD: the same name, written differently.
    const bytes = Buffer.concat([
      Buffer.from('{"a'),
      Buffer.from([0xff]),
      Buffer.from('": 1, "a'),
      Buffer.from([0xfe]),
      Buffer.from('": 2}'),
    ]);
    const decoded = { name: "policy.json", text: bytes.toString("utf8"), bytes };
    assert.equal(readWellFormedJson(decoded, 8, 0, carefulRows(decoded.text), "now"), undefined);
    assert.deepEqual(summary(readJson(decoded, undefined, "now")), careful(decoded.text));
    // Past an escaped name, the careful reader's rows are never asked for (it would stop there).
    for (const text of ['{"a\\u0062": [[[[1]]]]}', '{"a\\u0062": 1e400}']) {
      const refuse = () => assert.fail("the careful reader's rows were asked for");
      assert.equal(readWellFormedJson(file(text), 4, 0, refuse, "now"), undefined, text);
      assert.deepEqual(
        observed(text, { maxLength: 1 << 20, maxDepth: 4 }, "now"),
        careful(text, { maxLength: 1 << 20, maxDepth: 4 }),
      );
    }
  });

  it("reads the spans of a text with an escaped name from the careful reader, when first asked", () => {
    const text = '{"a\\u0062": [1], "c": {"d\\"": 2}}';
    let asked = 0;
    const read = readWellFormedJson(file(text), 8, 0, () => {
      asked++;
      return carefulRows(text)();
    });
    assert.ok(read);
    assert.equal(asked, 0);
    assert.deepEqual([...read.spans], [...(readJsonCarefully(file(text)).value?.spans ?? [])]);
    assert.deepEqual(read.spans.get("/ab/0"), { file: "policy.json", start: 13, end: 14 });
    assert.equal(asked, 1);
  });
});
