/** A source file as the diagnostics see it: its name and full text. */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
  /**
   * The UTF-8 bytes `text` was decoded from, when the reader kept them: the JSON span index
   * and the DSL scanner read them instead of a copy of the text (`code-units.ts`).
   */
  readonly bytes?: Uint8Array;
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

/**
 * Offsets of the first character of each line, found as far into the file as asked: a report
 * on a 10,000-tunnel policy shows a few lines, and scanning all of its ~500,000 lines to place
 * them was a tenth of a second. A line ends at LF, CR LF or a lone CR, as it does for the DSL
 * (a comment or a string ends at either) and for editors: a file saved with CR line ends is
 * not one long line.
 */
export class LineIndex {
  readonly #text: string;
  /** The starts found so far: every line start up to the last one, in order. */
  readonly #starts: number[] = [0];
  /** Whether the scan reached the end of the text (every start is known). */
  #done = false;
  /** The next LF and CR at or after the last start found; -1 when there is none. */
  #nextLf = 0;
  #nextCr = 0;

  constructor(text: string) {
    this.#text = text;
    this.#nextLf = text.indexOf("\n");
    this.#nextCr = text.indexOf("\r");
  }

  /** Finds line starts until one is past `offset` or there are `lines` of them. */
  #scan(offset: number, lines: number): void {
    const text = this.#text;
    const starts = this.#starts;
    let last = starts[starts.length - 1] ?? 0;
    while (!this.#done && (last <= offset || starts.length < lines)) {
      // Each search starts where the last line does, so the text is read once in all.
      if (this.#nextLf >= 0 && this.#nextLf < last) this.#nextLf = text.indexOf("\n", last);
      if (this.#nextCr >= 0 && this.#nextCr < last) this.#nextCr = text.indexOf("\r", last);
      const lf = this.#nextLf;
      const cr = this.#nextCr;
      if (lf < 0 && cr < 0) this.#done = true;
      else if (cr >= 0 && (lf < 0 || cr < lf)) starts.push((last = cr + (lf === cr + 1 ? 2 : 1)));
      else starts.push((last = lf + 1));
    }
  }

  /** The 1-based line and column of an offset. */
  locate(offset: number): LineCol {
    this.#scan(offset, 0);
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
    this.#scan(-1, line);
    return this.#starts[line - 1] ?? 0;
  }

  /** Where the line after 1-based `line` starts, or the text's length if `line` is the last. */
  nextLineStart(line: number): number {
    if (!(line >= 1)) return this.lineStart(line + 1);
    this.#scan(-1, line + 1);
    return this.#starts[line] ?? this.#text.length;
  }

  get lineCount(): number {
    this.#scan(Infinity, 0);
    return this.#starts.length;
  }
}
