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
 * The same scan checks what `JSON.parse` reads differently from the careful reader (a name
 * repeated in an object, nesting past the limit, a number beyond a double), so that a read
 * which indexes at once needs no walk of the parsed value besides it (`json-spans.ts`).
 *
 * The scan reads the text's UTF-16 code units from a typed array, not through `charCodeAt`
 * (each `charCodeAt` checks the string's representation again, and the scan reads each of the
 * ~11.7 million characters of the bench policy at least once): the file's bytes as the CLI
 * read them when they are its code units, else a copy of the text made in one native call.
 */
import { codeUnitsOf } from "./code-units.ts";
import type { CodeUnits } from "./code-units.ts";

/** The rows of a text; columns may be longer than `rows`. */
export interface JsonTextIndex {
  /**
   * Whether `JSON.parse` reads the text as the careful reader does: no object repeats a name,
   * every number fits a double, and no nesting passes the depth limit. When false the scan may
   * have stopped early: the columns are not to be read.
   */
  readonly asParsed: boolean;
  readonly rows: number;
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
/** Above this many members, an object's names are checked for repeats in a set, not pairwise. */
const PAIRWISE_NAMES = 32;
/** A number written in fewer characters than this, with no exponent, is a finite double. */
const SURELY_FINITE = 300;

/** Thrown inside the scan at nesting past the limit; caught in `document`, never escapes. */
class TooDeep {}

/**
 * The index of `text`, which `JSON.parse` accepted, and whether `JSON.parse` read it as written
 * (`asParsed`); `undefined` when a property name holds an escape, which a lookup by name could
 * not compare in place (unless `asParsed` is false, which is said first). The scan stops at
 * nesting deeper than `maxDepth`, since its recursion follows the nesting. `expectedValues`
 * sizes the columns (they double when full).
 * `bytes`, if given, are the UTF-8 bytes `text` was decoded from (`codeUnitsOf`).
 */
export function indexJsonText(
  text: string,
  expectedValues: number,
  bytes: Uint8Array | undefined,
  maxDepth: number,
): JsonTextIndex | undefined {
  const indexer = new TextIndexer(text, codeUnitsOf(text, bytes), expectedValues, maxDepth);
  return indexer.document();
}

class TextIndexer {
  /** Read only to compare names beyond ASCII and to read a long number (see `#sameName`). */
  readonly #text: string;
  readonly #units: CodeUnits;
  readonly #maxDepth: number;
  #start: Int32Array;
  #end: Int32Array;
  #next: Int32Array;
  #nameStart: Int32Array;
  #nameEnd: Int32Array;
  #rows = 0;
  #escapedName = false;
  #asParsed = true;

  constructor(text: string, units: CodeUnits, expectedValues: number, maxDepth: number) {
    this.#text = text;
    this.#units = units;
    this.#maxDepth = maxDepth;
    const capacity = Math.max(64, Math.ceil(expectedValues));
    this.#start = new Int32Array(capacity);
    this.#end = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
    this.#nameStart = new Int32Array(capacity);
    this.#nameEnd = new Int32Array(capacity);
  }

  document(): JsonTextIndex | undefined {
    try {
      this.#value(skipSpace(this.#units, 0), 1);
    } catch (stop) {
      if (!(stop instanceof TooDeep)) throw stop;
      this.#asParsed = false;
    }
    // Before an escaped name: the careful reader, which reads those, stops at what this flags.
    if (this.#escapedName && this.#asParsed) return undefined;
    return {
      asParsed: this.#asParsed,
      rows: this.#rows,
      start: this.#start,
      end: this.#end,
      next: this.#next,
      nameStart: this.#nameStart,
      nameEnd: this.#nameEnd,
    };
  }

  /**
   * Indexes the value at `at` and its members; returns the offset after it. `depth`: the
   * nesting of the value if it is an array or object (1 for the document's own).
   */
  // HOT PATH: one call per value (~370,000 for 10,000 tunnels and grants).
  #value(at: number, depth: number): number {
    const row = this.#rows++;
    if (row === this.#start.length) this.#grow();
    const units = this.#units;
    const c = units[at];
    let end: number;
    if (c === 0x7b || c === 0x5b) {
      if (depth > this.#maxDepth) throw new TooDeep();
      end = c === 0x7b ? this.#object(at, row, depth + 1) : this.#array(at, depth + 1);
    } else if (c === QUOTE) end = stringEnd(units, at);
    else if (c === 0x74 || c === 0x6e)
      end = at + 4; // true, null
    else if (c === 0x66)
      end = at + 5; // false
    else {
      end = numberEnd(units, at);
      if (!surelyFinite(units, at, end) && !Number.isFinite(Number(this.#text.slice(at, end))))
        this.#asParsed = false;
    }
    // Written after the members: they may have grown the columns.
    this.#start[row] = at;
    this.#end[row] = end;
    this.#next[row] = this.#rows;
    return end;
  }

  /** The object at `at`, in row `self`; its members' nesting is `depth`. */
  #object(at: number, self: number, depth: number): number {
    const units = this.#units;
    let pos = skipSpace(units, at + 1);
    if (units[pos] === 0x7d) return pos + 1;
    let members = 0;
    let seen: Set<string> | undefined;
    for (;;) {
      let close = nameEnd(units, pos);
      if (close < 0) {
        // A name with an escape: the text is refused once it is read to its end.
        this.#escapedName = true;
        close = stringEnd(units, pos);
      }
      const name = pos + 1;
      const row = this.#rows;
      if (++members > PAIRWISE_NAMES) seen = this.#seenNames(seen, self, row, name, close - 1);
      else if (this.#repeats(self + 1, row, name, close - 1)) this.#asParsed = false;
      pos = skipSpace(units, this.#value(skipSpace(units, skipSpace(units, close) + 1), depth));
      // Written after the value, as its span: the value may have grown the columns.
      this.#nameStart[row] = name;
      this.#nameEnd[row] = close - 1;
      if (units[pos] === 0x7d) return pos + 1;
      pos = skipSpace(units, pos + 1); // past the `,`
    }
  }

  /**
   * Whether an earlier member of an object, from row `first` to before row `row`, has the name
   * written at `[name, nameEnd)`. Objects are small (a policy's have at most a dozen members):
   * compared pairwise, lengths first.
   */
  #repeats(first: number, row: number, name: number, nameEnd: number): boolean {
    const starts = this.#nameStart;
    const ends = this.#nameEnd;
    const next = this.#next;
    const length = nameEnd - name;
    for (let kid = first; kid < row; kid = next[kid] ?? row) {
      const start = starts[kid] ?? 0;
      if ((ends[kid] ?? 0) - start === length && this.#sameName(start, name, length)) return true;
    }
    return false;
  }

  /**
   * `#repeats` for a large object: its earlier names in a set, made at the first member past
   * `PAIRWISE_NAMES` and kept by the caller.
   */
  #seenNames(
    seen: Set<string> | undefined,
    self: number,
    row: number,
    name: number,
    nameEnd: number,
  ): Set<string> {
    const text = this.#text;
    let names = seen;
    if (names === undefined) {
      names = new Set();
      for (let kid = self + 1; kid < row; kid = this.#next[kid] ?? row)
        names.add(text.slice(this.#nameStart[kid], this.#nameEnd[kid]));
    }
    const key = text.slice(name, nameEnd);
    if (names.has(key)) this.#asParsed = false;
    names.add(key);
    return names;
  }

  /**
   * Whether the names written at `a` and `b`, `length` units each, are the same string. Unit by
   * unit, unless one is beyond ASCII: bytes read as units (`bytesAsCodeUnits`) decode each byte
   * that is no UTF-8 to U+FFFD, so two different ones are the same character; the text decides.
   */
  #sameName(a: number, b: number, length: number): boolean {
    const units = this.#units;
    for (let i = 0; i < length; i++) {
      const x = units[a + i] ?? 0;
      const y = units[b + i] ?? 0;
      if (x === y) continue;
      if (x < 0x80 && y < 0x80) return false;
      return this.#text.slice(a, a + length) === this.#text.slice(b, b + length);
    }
    return true;
  }

  /** The array at `at`; its members' nesting is `depth`. */
  #array(at: number, depth: number): number {
    const units = this.#units;
    let pos = skipSpace(units, at + 1);
    if (units[pos] === 0x5d) return pos + 1;
    for (;;) {
      pos = skipSpace(units, this.#value(pos, depth));
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

/**
 * Whether the number written at `[start, end)` is sure to be a finite double without reading
 * it: short, with no exponent (a double reaches past 1.7e308 only by ~309 digits or one).
 */
function surelyFinite(units: CodeUnits, start: number, end: number): boolean {
  if (end - start >= SURELY_FINITE) return false;
  for (let i = start; i < end; i++) if (((units[i] ?? 0) | 0x20) === 0x65) return false;
  return true;
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
