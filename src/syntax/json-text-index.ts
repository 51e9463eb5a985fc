/**
 * Where each value of a well-formed JSON text is written, as three typed-array columns with one
 * row per value in the order written (a value, then its members): start, end, and the row after
 * its members (`next`, the row of its next sibling if it has one). The members of row `r` are
 * `r + 1`, then `next[r + 1]`, … up to `next[r]`.
 *
 * It reads the text alone: no parsed value, no names, no parent links (the tree is implied by
 * the order), so it is a third of the scan that built a full span tree beside `JSON.parse`.
 * Names are read from the text when looked up (`json-span-index.ts`).
 */

/** The rows of a text; columns may be longer than `rows`. */
export interface JsonTextIndex {
  readonly rows: number;
  /** How many property names the text writes (a repeated one counted each time). */
  readonly names: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly next: Int32Array;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The index of `text`, which `JSON.parse` accepted and whose nesting was checked to be bounded
 * (the recursion follows it); `undefined` when a property name holds an escape, which a lookup
 * by name could not compare in place. `expectedValues` sizes the columns (they double when full).
 */
export function indexJsonText(text: string, expectedValues: number): JsonTextIndex | undefined {
  const indexer = new TextIndexer(text, expectedValues);
  return indexer.document();
}

class TextIndexer {
  readonly #text: string;
  /** Whether any name may hold an escape: without a backslash in the text, none does. */
  readonly #escapes: boolean;
  #start: Int32Array;
  #end: Int32Array;
  #next: Int32Array;
  #rows = 0;
  #names = 0;
  #escapedName = false;

  constructor(text: string, expectedValues: number) {
    this.#text = text;
    this.#escapes = text.includes("\\");
    const capacity = Math.max(64, Math.ceil(expectedValues));
    this.#start = new Int32Array(capacity);
    this.#end = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
  }

  document(): JsonTextIndex | undefined {
    this.#value(skipSpace(this.#text, 0));
    if (this.#escapedName) return undefined;
    return {
      rows: this.#rows,
      names: this.#names,
      start: this.#start,
      end: this.#end,
      next: this.#next,
    };
  }

  /** Indexes the value at `at` and its members; returns the offset after it. */
  // HOT PATH: one call per value (~370,000 for 10,000 tunnels and grants).
  #value(at: number): number {
    const row = this.#rows++;
    if (row === this.#start.length) this.#grow();
    const text = this.#text;
    const c = text.charCodeAt(at);
    let end: number;
    if (c === 0x7b) end = this.#object(at);
    else if (c === 0x5b) end = this.#array(at);
    else if (c === QUOTE) end = stringEnd(text, at);
    else if (c === 0x74 || c === 0x6e)
      end = at + 4; // true, null
    else if (c === 0x66)
      end = at + 5; // false
    else end = numberEnd(text, at);
    // Written after the members: they may have grown the columns.
    this.#start[row] = at;
    this.#end[row] = end;
    this.#next[row] = this.#rows;
    return end;
  }

  #object(at: number): number {
    const text = this.#text;
    let pos = skipSpace(text, at + 1);
    if (text.charCodeAt(pos) === 0x7d) return pos + 1;
    for (;;) {
      const close = stringEnd(text, pos);
      if (this.#escapes && hasBackslash(text, pos + 1, close - 1)) this.#escapedName = true;
      this.#names++;
      pos = skipSpace(text, this.#value(skipSpace(text, skipSpace(text, close) + 1)));
      if (text.charCodeAt(pos) === 0x7d) return pos + 1;
      pos = skipSpace(text, pos + 1); // past the `,`
    }
  }

  #array(at: number): number {
    const text = this.#text;
    let pos = skipSpace(text, at + 1);
    if (text.charCodeAt(pos) === 0x5d) return pos + 1;
    for (;;) {
      pos = skipSpace(text, this.#value(pos));
      if (text.charCodeAt(pos) === 0x5d) return pos + 1;
      pos = skipSpace(text, pos + 1); // past the `,`
    }
  }

  #grow(): void {
    const grow = (old: Int32Array): Int32Array => {
      const next = new Int32Array(old.length * 2);
      next.set(old);
      return next;
    };
    this.#start = grow(this.#start);
    this.#end = grow(this.#end);
    this.#next = grow(this.#next);
  }
}

/** Whether `text[from, to)` holds a backslash. */
function hasBackslash(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

/** The offset after the number at `start` (a number `JSON.parse` accepted). */
function numberEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    const c = text.charCodeAt(i);
    // Digits, `-`, `+`, `.`, `e`, `E`: the characters of a JSON number.
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || (c | 0x20) === 0x65)
      i++;
    else return i;
  }
}

/** The offset after the closing quote of the string whose opening quote is at `open`. */
export function stringEnd(text: string, open: number): number {
  let i = open + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    // A quote is escaped when an odd number of backslashes precedes it.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** The offset of the first character at or after `pos` that is not JSON white space. */
export function skipSpace(text: string, pos: number): number {
  let i = pos;
  let c = text.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
  return i;
}
