import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { renderJson } from "../../src/diagnostics/render-json.ts";

describe("renderJson", () => {
  it("writes each diagnostic with its slug and 1-based positions of every span", () => {
    const text = "ab\ncdé😀x\n";
    const sources = new Map([["f.json", { name: "f.json", text }]]);
    const d: Diagnostic = {
      code: "RP2006",
      severity: "error",
      message: "duplicate property `x`",
      span: { file: "f.json", start: text.indexOf("x"), end: text.indexOf("x") + 1 },
      labels: [{ span: { file: "f.json", start: 1, end: 4 }, message: "first written here" }],
      help: "remove one",
    };
    const out = renderJson([d], sources);
    assert.ok(out.endsWith("]\n"));
    assert.deepEqual(JSON.parse(out), [
      {
        code: "RP2006",
        slug: "json/duplicate-key",
        severity: "error",
        message: "duplicate property `x`",
        // Columns count UTF-16 units: the emoji is two of them.
        span: {
          file: "f.json",
          start: 8,
          end: 9,
          startLine: 2,
          startColumn: 6,
          endLine: 2,
          endColumn: 7,
        },
        labels: [
          {
            message: "first written here",
            span: {
              file: "f.json",
              start: 1,
              end: 4,
              startLine: 1,
              startColumn: 2,
              endLine: 2,
              endColumn: 2,
            },
          },
        ],
        help: "remove one",
      },
    ]);
  });

  it("keeps offsets only when the file's text is not known, and omits absent fields", () => {
    const d: Diagnostic = {
      code: "RP9001",
      severity: "error",
      message: "m",
      span: { file: "gone.json", start: 3, end: 4 },
    };
    assert.deepEqual(JSON.parse(renderJson([d], new Map())), [
      {
        code: "RP9001",
        slug: "internal/bug",
        severity: "error",
        message: "m",
        span: { file: "gone.json", start: 3, end: 4 },
      },
    ]);
    assert.equal(renderJson([], new Map()), "[]\n");
  });
});
