/**
 * The line index finds line starts only as far as it is asked to: whatever the order of the
 * questions, its answers are those of an index of the whole text.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { LineIndex } from "../../src/diagnostics/span.ts";

/** Every line start of `text` (after LF, CR LF or a lone CR), in one pass: the reference. */
function allStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\r" && text[i + 1] === "\n") i++;
    if (text[i] === "\n" || text[i] === "\r") starts.push(i + 1);
  }
  return starts;
}

type Question =
  | { readonly kind: "locate"; readonly offset: number }
  | { readonly kind: "lineStart" | "nextLineStart"; readonly line: number }
  | { readonly kind: "lineCount" };

const arbText = fc.stringMatching(/^[ab\n\r]{0,40}$/);
const arbQuestion: fc.Arbitrary<Question> = fc.oneof(
  fc.integer({ min: -2, max: 45 }).map((offset) => ({ kind: "locate" as const, offset })),
  fc.integer({ min: -1, max: 45 }).map((line) => ({ kind: "lineStart" as const, line })),
  fc.integer({ min: -1, max: 45 }).map((line) => ({ kind: "nextLineStart" as const, line })),
  fc.constant({ kind: "lineCount" as const }),
);

/** The answer an index of the whole text gives. */
function expected(text: string, q: Question): unknown {
  const starts = allStarts(text);
  switch (q.kind) {
    case "locate": {
      let line = 0;
      while (line + 1 < starts.length && (starts[line + 1] ?? 0) <= q.offset) line++;
      return { line: line + 1, column: q.offset - (starts[line] ?? 0) + 1 };
    }
    case "lineStart":
      return starts[q.line - 1] ?? 0;
    case "nextLineStart":
      return q.line < starts.length ? (starts[q.line] ?? 0) : text.length;
    case "lineCount":
      return starts.length;
  }
}

function ask(index: LineIndex, q: Question): unknown {
  switch (q.kind) {
    case "locate":
      return index.locate(q.offset);
    case "lineStart":
      return index.lineStart(q.line);
    case "nextLineStart":
      return index.nextLineStart(q.line);
    case "lineCount":
      return index.lineCount;
  }
}

describe("LineIndex, found as far as asked", () => {
  it("ends a line at LF, CR LF and a lone CR, as the DSL's comments and strings do", () => {
    const index = new LineIndex("a\rb\r\nc\nd\r");
    assert.deepEqual(
      [0, 2, 5, 7, 9].map((offset) => index.locate(offset)),
      [
        { line: 1, column: 1 },
        { line: 2, column: 1 },
        { line: 3, column: 1 },
        { line: 4, column: 1 },
        { line: 5, column: 1 },
      ],
    );
    assert.equal(index.lineCount, 5);
  });

  it("answers as an index of the whole text, whatever the order of the questions (1,000 runs)", () => {
    fc.assert(
      fc.property(arbText, fc.array(arbQuestion, { maxLength: 12 }), (text, questions) => {
        const index = new LineIndex(text);
        for (const q of questions) assert.deepEqual(ask(index, q), expected(text, q), q.kind);
      }),
      { numRuns: 1000 },
    );
  });
});
