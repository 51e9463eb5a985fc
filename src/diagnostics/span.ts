/** A source file as the diagnostics see it: its name and full text. */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
}

/** A half-open range of UTF-16 offsets `[start, end)` in one source file. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** A 1-based line and column, as editors and CI annotations count them. */
export interface LineCol {
  readonly line: number;
  readonly column: number;
}

/** Builds a span; `end` is clamped so a span is never inverted. */
export function spanOf(file: string, start: number, end: number): Span {
  return { file, start, end: Math.max(start, end) };
}

/** The smallest span that covers both spans (they must be in the same file). */
export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** Offsets of the first character of each line, computed once per file. */
export class LineIndex {
  readonly #starts: Float64Array;

  // A large policy has hundreds of thousands of lines: they are counted first, then written
  // into an array of that size (pushing each grew an array step by step, the most of the cost),
  // and `indexOf` finds them several times faster than a loop over the characters.
  constructor(text: string) {
    let lines = 1;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    const starts = new Float64Array(lines);
    let line = 1;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts[line++] = i + 1;
    this.#starts = starts;
  }

  /** The 1-based line and column of an offset. */
  locate(offset: number): LineCol {
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  }

  /** The offset where a 1-based line starts. */
  lineStart(line: number): number {
    return this.#starts[line - 1] ?? 0;
  }

  get lineCount(): number {
    return this.#starts.length;
  }
}
