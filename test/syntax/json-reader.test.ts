import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { readJson } from "../../src/syntax/json-reader.ts";
import { assertStyle, expectOnly, VALID_POLICY } from "./json-expect.ts";

const file = (text: string) => ({ name: "policy.json", text });
const at = (text: string) => ({ source: file(text), outcome: readJson(file(text)) });

describe("readJson: values and spans", () => {
  it("reads what JSON.parse reads, with a span for every value keyed by JSON Pointer", () => {
    const text = '{ "a": [1, {"b/c~d": "x\\n"}], "e": null, "f": -2.5e3 }';
    const { outcome } = at(text);
    assert.deepEqual(outcome.diagnostics, []);
    assert.deepEqual(outcome.value?.value, JSON.parse(text));
    const spans = outcome.value?.spans;
    const under = (pointer: string) => {
      const s = spans?.get(pointer);
      return s === undefined ? undefined : text.slice(s.start, s.end);
    };
    assert.equal(under(""), text);
    assert.equal(under("/a"), '[1, {"b/c~d": "x\\n"}]');
    assert.equal(under("/a/0"), "1");
    assert.equal(under("/a/1/b~1c~0d"), '"x\\n"');
    assert.equal(under("/e"), "null");
    assert.equal(under("/f"), "-2.5e3");
  });

  it("records the span of every property name in keySpans, keyed by the property's pointer", () => {
    const text = '{"project": {"plan": "pro"}}';
    const keys = readJson(file(text)).value?.keySpans;
    const name = (pointer: string) => {
      const s = keys?.get(pointer);
      return s === undefined ? undefined : text.slice(s.start, s.end);
    };
    assert.equal(name("/project"), '"project"');
    assert.equal(name("/project/plan"), '"plan"');
    assert.equal(keys?.size, 2);
  });

  it("finds the names of keys that hold escaped quotes and backslashes", () => {
    const text = '{ "a\\\\" :\n {"b\\"c":1, "d": [{"e\\\\\\"": 2}]}}';
    const read = readJson(file(text)).value;
    const names = [...(read?.keySpans ?? [])].map(([pointer, s]) => [
      pointer,
      text.slice(s.start, s.end),
    ]);
    assert.deepEqual(names, [
      ['/a\\/b"c', '"b\\"c"'],
      ['/a\\/d/0/e\\"', '"e\\\\\\""'],
      ["/a\\/d", '"d"'],
      ["/a\\", '"a\\\\"'],
    ]);
  });

  it("keeps `__proto__` as an own property, as JSON.parse does, without touching prototypes", () => {
    const { outcome } = at('{"__proto__": {"polluted": true}}');
    const value = outcome.value?.value as Record<string, unknown>;
    assert.ok(Object.hasOwn(value, "__proto__"));
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  });

  it("accepts a leading byte order mark", () => {
    assert.deepEqual(readJson(file("\uFEFF[1]")).value?.value, [1]);
  });

  it("reads a realistic policy", () => {
    assert.deepEqual(readJson(file(VALID_POLICY)).value?.value, JSON.parse(VALID_POLICY));
  });
});

describe("readJson: syntax errors (RP20xx)", () => {
  const cases: [
    string,
    string,
    { code: string; message: string; underline: string; help: string },
  ][] = [
    [
      "single quotes",
      "{'a': 1}",
      {
        code: "RP2001",
        message: "unexpected character `'`",
        underline: "'",
        help: 'JSON strings use double quotes: `"…"`',
      },
    ],
    [
      "a missing value",
      '{"a": }',
      {
        code: "RP2001",
        message: "unexpected character `}`",
        underline: "}",
        help: "expected a value",
      },
    ],
    [
      "an invisible character",
      '{"a":\u00A01}',
      {
        code: "RP2001",
        message: "unexpected character U+00A0",
        underline: "\u00A0",
        help: "expected a value",
      },
    ],
    [
      "an empty file",
      "  \n",
      {
        code: "RP2002",
        message: "the file is empty",
        underline: "",
        help: 'a JSON policy is an object such as `{ "project": … }`',
      },
    ],
    [
      "an unclosed object",
      '{"a": 1\n\n',
      {
        code: "RP2002",
        message: "unexpected end of the file",
        underline: "",
        help: "expected `,` or `}`",
      },
    ],
    [
      "a line break in a string",
      '{"a": "abc\n"}',
      {
        code: "RP2003",
        message: "unterminated string",
        underline: '"abc',
        help: 'add the closing `"`; a line break inside a string must be written `\\n`',
      },
    ],
    [
      "a bad escape",
      '["a\\qb"]',
      {
        code: "RP2004",
        message: "invalid escape sequence `\\q` in a string",
        underline: "\\q",
        help: 'JSON escapes are `\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` and `\\uXXXX`; write a backslash as `\\\\`',
      },
    ],
    [
      "a short unicode escape",
      '["\\u12x"]',
      {
        code: "RP2004",
        message: "invalid escape sequence `\\u12` in a string",
        underline: "\\u12",
        help: 'JSON escapes are `\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` and `\\uXXXX`; write a backslash as `\\\\`',
      },
    ],
    [
      "a leading zero",
      "[012]",
      {
        code: "RP2005",
        message: "invalid number `012`",
        underline: "012",
        help: "JSON numbers have no leading zeros",
      },
    ],
    [
      "a leading plus",
      "[+1]",
      {
        code: "RP2005",
        message: "invalid number `+1`",
        underline: "+1",
        help: "JSON numbers have digits on both sides of `.` and no leading `+`",
      },
    ],
    [
      "an overflowing number",
      "[1e400]",
      {
        code: "RP2005",
        message: "number `1e400` is out of range",
        underline: "1e400",
        help: "use a number between -1.7e308 and 1.7e308",
      },
    ],
    [
      "trailing content",
      '{"a": 1} {"b": 2}\n',
      {
        code: "RP2009",
        message: "unexpected content after the end of the document",
        underline: '{"b": 2}',
        help: "a JSON file holds exactly one value; remove what follows it",
      },
    ],
    [
      "a raw tab in a string",
      '["a\tb"]',
      {
        code: "RP2010",
        message: "control character U+0009 inside a string",
        underline: "\t",
        help: "write it as `\\t`",
      },
    ],
    [
      "a trailing comma in an array",
      "[1, 2,\n]",
      {
        code: "RP2011",
        message: "trailing comma",
        underline: ",",
        help: "remove the comma: JSON does not allow one before `]` or `}`",
      },
    ],
    [
      "a trailing comma in an object",
      '{"a": 1 , }',
      {
        code: "RP2011",
        message: "trailing comma",
        underline: ",",
        help: "remove the comma: JSON does not allow one before `]` or `}`",
      },
    ],
    [
      "a line comment",
      '{\n  // the project\n  "a": 1}',
      {
        code: "RP2012",
        message: "comments are not allowed in JSON",
        underline: "// the project",
        help: "remove the comment, or write the policy in the Rampart DSL, which has comments",
      },
    ],
    [
      "a block comment",
      "[1 /* one */]",
      {
        code: "RP2012",
        message: "comments are not allowed in JSON",
        underline: "/* one */",
        help: "remove the comment, or write the policy in the Rampart DSL, which has comments",
      },
    ],
    [
      "an unquoted key",
      "{ project: {} }",
      {
        code: "RP2013",
        message: "property name `project` is not quoted",
        underline: "project",
        help: 'write it in double quotes: `"project"`',
      },
    ],
    [
      "a capitalised literal",
      "[True]",
      {
        code: "RP2014",
        message: "unexpected word `True`",
        underline: "True",
        help: "JSON literals are lower case: `true`",
      },
    ],
    [
      "NaN",
      "[NaN]",
      {
        code: "RP2014",
        message: "unexpected word `NaN`",
        underline: "NaN",
        help: "JSON values are strings in double quotes, numbers, `true`, `false`, `null`, arrays and objects",
      },
    ],
  ];
  for (const [name, text, expected] of cases) {
    it(`reports ${name} as ${expected.code}`, () => {
      const { source, outcome } = at(text);
      expectOnly(outcome, source, expected);
    });
  }

  it("refuses duplicate keys (RP2006), pointing at the second and labelling the first", () => {
    const text = '{\n  "plan": "basic",\n  "plan": "enterprise"\n}';
    const { source, outcome } = at(text);
    const d = expectOnly(outcome, source, {
      code: "RP2006",
      message: "duplicate property `plan`",
      underline: '"plan"',
      help: "remove one of them: JSON readers disagree on which one wins",
    });
    const label = d.labels?.[0];
    assert.equal(label?.message, "first written here");
    assert.equal(label && text.slice(label.span.start, label.span.end), '"plan"');
    assert.ok(label && label.span.start < (d.span?.start ?? 0));
  });

  it("reports every duplicate key in one run", () => {
    const { outcome } = at('{"a": 1, "a": 2, "b": {"c": 1, "c": 2}}');
    assert.deepEqual(
      outcome.diagnostics.map((d) => d.message),
      ["duplicate property `a`", "duplicate property `c`"],
    );
  });

  it("refuses nesting deeper than the limit (RP2007) without recursing further", () => {
    const text = `${"[".repeat(5)}${"]".repeat(5)}`;
    const source = file(text);
    const outcome = readJson(source, { maxLength: 100, maxDepth: 4 });
    expectOnly(outcome, source, {
      code: "RP2007",
      message: "values are nested more than 4 levels deep",
      underline: "[",
      help: "a policy never needs this much nesting; flatten the `AND`/`OR` filters",
    });
    assert.equal(outcome.diagnostics[0]?.span?.start, 4);
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    assert.equal(readJson(file(deep)).diagnostics[0]?.code, "RP2007");
  });

  it("refuses a file over the size limit (RP2008) before reading it", () => {
    const source = file('{"a": "' + "x".repeat(100) + '"}');
    expectOnly(readJson(source, { maxLength: 50, maxDepth: 10 }), source, {
      code: "RP2008",
      message: "the file has 109 characters, more than the limit of 50",
      underline: "",
      help: "split the policy into smaller files",
    });
  });
});

describe("readJson: never throws", () => {
  const assertWellFormed = (text: string) => {
    const outcome = readJson(file(text));
    if (outcome.value === undefined) assert.ok(outcome.diagnostics.length > 0);
    for (const d of outcome.diagnostics) {
      assertStyle(d);
      assert.ok(
        d.span && d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length,
      );
    }
    return outcome;
  };

  it("on arbitrary strings: only diagnostics, with spans inside the text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 200 }),
        (text) => void assertWellFormed(text),
      ),
      {
        numRuns: 5000,
      },
    );
  });

  it("on mutated valid JSON: only diagnostics, and it agrees with JSON.parse on what is valid", () => {
    const mutated = fc
      .tuple(
        fc.json({ maxDepth: 4 }),
        fc.array(
          fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ unit: "binary", maxLength: 3 })),
          { maxLength: 4 },
        ),
      )
      .map(([text, edits]) =>
        edits.reduce((t, [position, deleteCount, insert]) => {
          const i = t.length === 0 ? 0 : position % (t.length + 1);
          return t.slice(0, i) + insert + t.slice(i + deleteCount);
        }, text),
      );
    fc.assert(
      fc.property(mutated, (text) => {
        const outcome = assertWellFormed(text);
        let parsed: { ok: true; value: unknown } | { ok: false };
        try {
          parsed = { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, "")) };
        } catch {
          parsed = { ok: false };
        }
        // JSON.parse keeps duplicate keys and reads `1e400` as Infinity; the reader refuses both.
        const refusedOnPurpose = outcome.diagnostics.some(
          (d) => d.code === "RP2006" || d.code === "RP2005",
        );
        if (parsed.ok && !refusedOnPurpose) assert.deepEqual(outcome.value?.value, parsed.value);
        if (!parsed.ok) assert.equal(outcome.value, undefined);
      }),
      { numRuns: 5000 },
    );
  });

  it("gives every value a span whose text parses back to that value", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), (text) => {
        const read = readJson(file(text)).value;
        assert.ok(read);
        for (const [pointer, s] of read.spans) {
          const expected: unknown = pointer
            .split("/")
            .slice(1)
            .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"))
            .reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], read.value);
          assert.deepEqual(JSON.parse(text.slice(s.start, s.end)), expected);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
