import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LineIndex } from "../../src/diagnostics/span.ts";
import { DiagnosticBag } from "../../src/diagnostics/bag.ts";

describe("LineIndex", () => {
  it("locates offsets as 1-based line and column", () => {
    const index = new LineIndex("ab\ncd\n\nef");
    assert.deepEqual(index.locate(0), { line: 1, column: 1 });
    assert.deepEqual(index.locate(3), { line: 2, column: 1 });
    assert.deepEqual(index.locate(4), { line: 2, column: 2 });
    assert.deepEqual(index.locate(7), { line: 4, column: 1 });
    assert.equal(index.lineCount, 4);
  });
});

describe("DiagnosticBag", () => {
  it("caps what it keeps and says how many it left out", () => {
    const bag = new DiagnosticBag(2);
    for (let i = 0; i < 5; i++) {
      bag.add({
        code: "RP9001",
        severity: "error",
        message: `m${i}`,
        span: { file: "f", start: 5 - i, end: 6 },
      });
    }
    const out = bag.diagnostics;
    assert.equal(out.length, 3);
    assert.equal(out[2]?.code, "RP9002");
    assert.match(out[2]?.message ?? "", /^3 more diagnostics/);
    assert.equal(bag.finish(1).value, undefined);
  });
});
