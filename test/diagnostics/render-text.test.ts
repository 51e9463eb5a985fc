import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";
import { renderText } from "../../src/diagnostics/render-text.ts";

const source = (name: string, text: string): SourceFile => ({ name, text });
const sources = (...files: SourceFile[]) => new Map(files.map((f) => [f.name, f]));
/** The span of the `nth` occurrence of `needle`. */
const spanOf = (file: SourceFile, needle: string, nth = 0) => {
  let start = -1;
  for (let i = 0; i <= nth; i++) start = file.text.indexOf(needle, start + 1);
  assert.ok(start >= 0, `${needle} not in the text`);
  return { file: file.name, start, end: start + needle.length };
};

describe("renderText", () => {
  it("places a span in a file with CR line ends on its own line, not on one long first line", () => {
    const f = source("policy.rampart", 'project "p" {\r  plan pro\r  # note\r  namex "x"\r}\r');
    const d: Diagnostic = {
      code: "RP1004",
      severity: "error",
      message: "expected a setting, found `namex`",
      span: spanOf(f, "namex"),
    };
    assert.equal(
      renderText([d], sources(f)),
      [
        "error[RP1004]: expected a setting, found `namex`",
        " --> policy.rampart:4:3",
        "  |",
        '4 |   namex "x"',
        "  |   ^^^^^",
        "",
      ].join("\n"),
    );
  });

  it("draws a code frame with carets under the span and the help", () => {
    const f = source("policy.json", '{\n  "project": {\n    "tls_min_verison": "1.3"\n  }\n}\n');
    const d: Diagnostic = {
      code: "RP2102",
      severity: "error",
      message: "unknown property `tls_min_verison` in `project`",
      span: spanOf(f, '"tls_min_verison"'),
      help: "did you mean `tls_min_version`?",
    };
    assert.equal(
      renderText([d], sources(f)),
      [
        "error[RP2102]: unknown property `tls_min_verison` in `project`",
        " --> policy.json:3:5",
        "  |",
        '3 |     "tls_min_verison": "1.3"',
        "  |     ^^^^^^^^^^^^^^^^^",
        "  = help: did you mean `tls_min_version`?",
        "",
      ].join("\n"),
    );
  });

  it("widens the gutter for long line numbers and shows secondary labels with `-`", () => {
    const text = `${"\n".repeat(8)}project bound = 10.0.0.0/8\ntunnel bound = 192.168.0.0/16\n`;
    const f = source("p.rampart", text);
    const d: Diagnostic = {
      code: "RP4101",
      severity: "warning",
      message: "tunnel `api` allows no address that the project allows",
      span: spanOf(f, "192.168.0.0/16"),
      labels: [{ span: spanOf(f, "10.0.0.0/8"), message: "the project bound is here" }],
    };
    assert.equal(
      renderText([d], sources(f)),
      [
        "warning[RP4101]: tunnel `api` allows no address that the project allows",
        "  --> p.rampart:10:16",
        "   |",
        " 9 | project bound = 10.0.0.0/8",
        "   |                 ---------- the project bound is here",
        "10 | tunnel bound = 192.168.0.0/16",
        "   |                ^^^^^^^^^^^^^^",
        "",
      ].join("\n"),
    );
  });

  it("elides lines between distant annotations and shows one line of gap", () => {
    const f = source("a.rampart", "one\ntwo\nthree\nfour\nfive\nsix\n");
    const d: Diagnostic = {
      code: "RP3001",
      severity: "error",
      message: "m",
      span: spanOf(f, "six"),
      labels: [
        { span: spanOf(f, "one"), message: "first" },
        { span: spanOf(f, "three"), message: "third" },
      ],
    };
    assert.equal(
      renderText([d], sources(f)),
      [
        "error[RP3001]: m",
        " --> a.rampart:6:1",
        "  |",
        "1 | one",
        "  | --- first",
        "2 | two",
        "3 | three",
        "  | ----- third",
        "...",
        "6 | six",
        "  | ^^^",
        "",
      ].join("\n"),
    );
  });

  it("underlines a multi-line span on its first and last line", () => {
    const f = source("m.json", '{\n  "a": [\n    1,\n    2\n  ]\n}');
    const d: Diagnostic = {
      code: "RP2106",
      severity: "error",
      message: "too long",
      span: spanOf(f, "[\n    1,\n    2\n  ]"),
    };
    assert.equal(
      renderText([d], sources(f)),
      [
        "error[RP2106]: too long",
        " --> m.json:2:8",
        "  |",
        '2 |   "a": [',
        "  |        ^",
        "...",
        "5 |   ]",
        "  |   ^",
        "",
      ].join("\n"),
    );
  });

  it("expands tabs and counts wide characters twice so carets stay aligned", () => {
    const f = source("t.rampart", '\tname = "日本" bad\n');
    const d: Diagnostic = {
      code: "RP1001",
      severity: "error",
      message: "m",
      span: spanOf(f, "bad"),
    };
    const lines = renderText([d], sources(f)).split("\n");
    assert.equal(lines[1], " --> t.rampart:1:14");
    assert.equal(lines[3], '1 |     name = "日本" bad');
    assert.equal(lines[4], "  |                   ^^^");
  });

  it("puts a caret after the last character for an empty span at the end", () => {
    const f = source("e.json", '{"a": 1');
    const d: Diagnostic = {
      code: "RP2002",
      severity: "error",
      message: "unexpected end of the file",
      span: { file: "e.json", start: 7, end: 7 },
    };
    assert.deepEqual(renderText([d], sources(f)).split("\n").slice(3, 5), [
      '1 | {"a": 1',
      "  |        ^",
    ]);
  });

  it("cuts very long lines to a window around the span", () => {
    const text = `{"a": "${"x".repeat(300)}", "bad": 1}`;
    const f = source("min.json", text);
    const d: Diagnostic = {
      code: "RP2102",
      severity: "error",
      message: "m",
      span: spanOf(f, '"bad"'),
    };
    const lines = renderText([d], sources(f)).split("\n");
    assert.equal(lines[3], `1 | …${"x".repeat(37)}", "bad": 1}`);
    assert.equal(lines[4], `  | ${" ".repeat(41)}^^^^^`);
  });

  it("says that an internal error is a bug, and renders diagnostics without spans", () => {
    const d: Diagnostic = {
      code: "RP9001",
      severity: "error",
      message: "lowering failed: unexpected node",
    };
    assert.equal(
      renderText([d], new Map()),
      [
        "error[RP9001]: lowering failed: unexpected node",
        "  = note: this is a bug in rampart; please report it with the policy that triggered it",
        "",
      ].join("\n"),
    );
  });

  it("names a file it has no text for, and labels in another file get their own header", () => {
    const a = source("a.rampart", "x = 1\n");
    const d: Diagnostic = {
      code: "RP3002",
      severity: "error",
      message: "m",
      span: spanOf(a, "1"),
      labels: [{ span: { file: "b.rampart", start: 0, end: 1 }, message: "declared here" }],
    };
    assert.equal(
      renderText([d], sources(a)),
      [
        "error[RP3002]: m",
        " --> a.rampart:1:5",
        "  |",
        "1 | x = 1",
        "  |     ^",
        " ::: b.rampart",
        "",
      ].join("\n"),
    );
  });

  it("separates diagnostics with a blank line and colours only when asked", () => {
    const f = source("c.json", "[1]");
    const d: Diagnostic = { code: "RP2101", severity: "error", message: "m", span: spanOf(f, "1") };
    const plain = renderText([d, d], sources(f));
    assert.equal(plain.split("\n\n").length, 2);
    assert.doesNotMatch(plain, /\x1b\[/);
    const colored = renderText([d], sources(f), { color: true });
    assert.match(colored, /\x1b\[1;31merror\[RP2101\]\x1b\[0m/);
    assert.equal(colored.replace(/\x1b\[[\d;]*m/g, ""), renderText([d], sources(f)));
  });

  it("never throws, whatever the text and spans", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 80 }),
        fc.integer({ min: -5, max: 100 }),
        fc.integer({ min: -5, max: 100 }),
        (text, start, end) => {
          const f = source("f", text);
          const d: Diagnostic = {
            code: "RP2001",
            severity: "error",
            message: "m",
            span: { file: "f", start, end },
            labels: [{ span: { file: "f", start: end, end: start }, message: "l" }],
          };
          const out = renderText([d], sources(f));
          assert.ok(out.startsWith("error[RP2001]: m\n"));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
