/**
 * Where each value of a well-formed JSON text is written, as typed-array columns with one row
 * per value in the order written (a value, then its members): start, end, the row after its
 * members (`next`, the row of its next sibling if it has one), and for an object's member
 * where its name is written. The members of row `r` are `r + 1`, then `next[r + 1]`, … up to
 * `next[r]`.
 *
 * It reads the text alone: no parsed value, no name strings, no parent links (the tree is
 * implied by the order), so it is a third of the scan that built a full span tree beside
 * `JSON.parse`. Names are compared in the text when looked up (`json-span-index.ts`).
 *
 * The scan reads the text's UTF-16 code units from a typed array, not through `charCodeAt`
 * (each `charCodeAt` checks the string's representation again, and the scan reads each of the
 * ~11.7 million characters of the bench policy at least once): the file's bytes as the CLI
 * read them when they are its code units, else a copy of the text made in one native call.
 */
import { Buffer } from "node:buffer";

/** The rows of a text; columns may be longer than `rows`. */
export interface JsonTextIndex {
  readonly rows: number;
  /** How many property names the text writes (a repeated one counted each time). */
  readonly names: number;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly next: Int32Array;
  /**
   * An object member's name: `text.slice(nameStart[r], nameEnd[r])` (no escape: the index
   * refuses escaped names). Lookups by name compare lengths first, then characters in place.
   */
  readonly nameStart: Int32Array;
  readonly nameEnd: Int32Array;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A text's UTF-16 code units: one byte each when all are ASCII, as nearly every policy is. */
type CodeUnits = Uint8Array | Uint16Array;

/**
 * `bytes`, the UTF-8 bytes `text` was decoded from, when they can be read as its code units:
 * when they are as many. UTF-8 decodes every sequence longer than one byte to fewer units than
 * bytes, so equal counts mean that each byte became one unit: an ASCII character as itself, or
 * a byte that is no UTF-8 as U+FFFD, which in a text `JSON.parse` accepted stands only inside a
 * string, where no reader of JSON syntax tells the two apart.
 */
export function bytesAsCodeUnits(
  text: string,
  bytes: Uint8Array | undefined,
): Uint8Array | undefined {
  return bytes !== undefined && bytes.length === text.length ? bytes : undefined;
}

/**
 * The code units of `text`: its bytes when they can be read so (`bytesAsCodeUnits`: no copy,
 * and no pass to count the UTF-8 length), else a copy made by one native call.
 */
function codeUnitsOf(text: string, bytes: Uint8Array | undefined): CodeUnits {
  const read = bytesAsCodeUnits(text, bytes);
  if (read !== undefined) return read;
  // Every unit is below 0x80 exactly when the UTF-8 form has one byte per unit; then each
  // Latin-1 byte is its unit (above 0xFF, Latin-1 would keep only the low byte).
  if (Buffer.byteLength(text, "utf8") === text.length) return Buffer.from(text, "latin1");
  const units = new Uint16Array(text.length);
  // Written through a byte view of the units' own (aligned) memory; UTF-16LE is the host's
  // order on every platform Node runs on, and a typed array reads in the host's order.
  Buffer.from(units.buffer, units.byteOffset, units.byteLength).write(text, "utf16le");
  return units;
}

/**
 * The index of `text`, which `JSON.parse` accepted and whose nesting was checked to be bounded
 * (the recursion follows it); `undefined` when a property name holds an escape, which a lookup
 * by name could not compare in place. `expectedValues` sizes the columns (they double when full).
 * `bytes`, if given, are the UTF-8 bytes `text` was decoded from (`codeUnitsOf`).
 */
export function indexJsonText(
  text: string,
  expectedValues: number,
  bytes?: Uint8Array,
): JsonTextIndex | undefined {
  const indexer = new TextIndexer(codeUnitsOf(text, bytes), expectedValues);
  return indexer.document();
}

class TextIndexer {
  readonly #units: CodeUnits;
  #start: Int32Array;
  #end: Int32Array;
  #next: Int32Array;
  #nameStart: Int32Array;
  #nameEnd: Int32Array;
  #rows = 0;
  #names = 0;
  #escapedName = false;

  constructor(units: CodeUnits, expectedValues: number) {
    this.#units = units;
    const capacity = Math.max(64, Math.ceil(expectedValues));
    this.#start = new Int32Array(capacity);
    this.#end = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
    this.#nameStart = new Int32Array(capacity);
    this.#nameEnd = new Int32Array(capacity);
  }

  document(): JsonTextIndex | undefined {
    this.#value(skipSpace(this.#units, 0));
    if (this.#escapedName) return undefined;
    return {
      rows: this.#rows,
      names: this.#names,
      start: this.#start,
      end: this.#end,
      next: this.#next,
      nameStart: this.#nameStart,
      nameEnd: this.#nameEnd,
    };
  }

  /** Indexes the value at `at` and its members; returns the offset after it. */
  // HOT PATH: one call per value (~370,000 for 10,000 tunnels and grants).
  #value(at: number): number {
    const row = this.#rows++;
    if (row === this.#start.length) this.#grow();
    const units = this.#units;
    const c = units[at];
    let end: number;
    if (c === 0x7b) end = this.#object(at);
    else if (c === 0x5b) end = this.#array(at);
    else if (c === QUOTE) end = stringEnd(units, at);
    else if (c === 0x74 || c === 0x6e)
      end = at + 4; // true, null
    else if (c === 0x66)
      end = at + 5; // false
    else end = numberEnd(units, at);
    // Written after the members: they may have grown the columns.
    this.#start[row] = at;
    this.#end[row] = end;
    this.#next[row] = this.#rows;
    return end;
  }

  #object(at: number): number {
    const units = this.#units;
    let pos = skipSpace(units, at + 1);
    if (units[pos] === 0x7d) return pos + 1;
    for (;;) {
      let close = nameEnd(units, pos);
      if (close < 0) {
        // A name with an escape: the text is refused once it is read to its end.
        this.#escapedName = true;
        close = stringEnd(units, pos);
      }
      this.#names++;
      const name = pos + 1;
      const row = this.#rows;
      pos = skipSpace(units, this.#value(skipSpace(units, skipSpace(units, close) + 1)));
      // Written after the value, as its span: the value may have grown the columns.
      this.#nameStart[row] = name;
      this.#nameEnd[row] = close - 1;
      if (units[pos] === 0x7d) return pos + 1;
      pos = skipSpace(units, pos + 1); // past the `,`
    }
  }

  #array(at: number): number {
    const units = this.#units;
    let pos = skipSpace(units, at + 1);
    if (units[pos] === 0x5d) return pos + 1;
    for (;;) {
      pos = skipSpace(units, this.#value(pos));
      if (units[pos] === 0x5d) return pos + 1;
      pos = skipSpace(units, pos + 1); // past the `,`
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
    this.#nameStart = grow(this.#nameStart);
    this.#nameEnd = grow(this.#nameEnd);
  }
}

/**
 * The offset after the closing quote of the property name whose opening quote is at `open`,
 * or -1 when the name holds an escape.
 */
function nameEnd(units: CodeUnits, open: number): number {
  let i = open + 1;
  for (;;) {
    const c = units[i++];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) return -1;
  }
}

/** The offset after the number at `start` (a number `JSON.parse` accepted). */
function numberEnd(units: CodeUnits, start: number): number {
  let i = start;
  for (;;) {
    const c = units[i] ?? 0;
    // Digits, `-`, `+`, `.`, `e`, `E`: the characters of a JSON number.
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || (c | 0x20) === 0x65)
      i++;
    else return i;
  }
}

/** The offset after the closing quote of the string whose opening quote is at `open`. */
function stringEnd(units: CodeUnits, open: number): number {
  let i = open + 1;
  for (;;) {
    const c = units[i++];
    if (c === QUOTE) return i;
    // An escape's second unit is never the closing quote, even when it is a quote.
    if (c === BACKSLASH) i++;
  }
}

/** The offset of the first unit at or after `pos` that is not JSON white space. */
function skipSpace(units: CodeUnits, pos: number): number {
  let i = pos;
  let c = units[i];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = units[++i];
  return i;
}
