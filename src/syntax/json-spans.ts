/**
 * The fast path of the JSON reader, for a well-formed file: the value comes from `JSON.parse`
 * (native code, several times faster than building it here), and one scan of the text records
 * where each value was written, in the span table the careful reader fills (the same rows, in
 * the same order, with the same spans). The scan reads the parsed value beside the text, so
 * it never builds a string value or a number.
 *
 * It gives up (`undefined`) on anything the careful reader has something to say about, or that
 * `JSON.parse` reads differently: a syntax error, a duplicate key (`JSON.parse` keeps the last
 * value silently), nesting deeper than the limit, a number too large for a double, a property
 * name with an escape. The caller then reads the file carefully, which reports it as before.
 */
import type { SourceFile } from "../diagnostics/span.ts";
import { SpanTree } from "./span-tree.ts";
import type { RowWriter } from "./span-tree.ts";

const QUOTE = 0x22;
/** The root's row in the span table. */
const ROOT = 0;
const BACKSLASH = 0x5c;

/** A read that does not follow the parsed value: the careful reader takes over. */
class GiveUp {}
const GIVE_UP = new GiveUp();

/**
 * `JSON.parse` of the text, with a span for every value as the careful reader records them;
 * `undefined` when the careful reader must read it (see the file comment). `expectedValues`
 * sizes the span table as the careful reader does.
 */
export function readWellFormedJson(
  source: SourceFile,
  maxDepth: number,
  expectedValues: number,
): { value: unknown; spans: SpanTree } | undefined {
  const { text } = source;
  // A byte order mark is left to the careful reader, which skips it (`JSON.parse` refuses it).
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const spans = new SpanTree(expectedValues);
  const scan = new SpanScan(text, spans.rowWriter(), spans.fileId(source.name), maxDepth);
  try {
    scan.document(value);
  } catch (stop) {
    if (stop instanceof GiveUp) return undefined;
    throw stop;
  }
  return { value, spans };
}

/**
 * The scan: text that `JSON.parse` accepted, read beside the value it parsed there. Each step
 * takes the offset where its value starts and returns the one after it: the cursor lives in
 * locals, not in a field written back at every character (the scan runs once per file, much
 * of it before the optimising compiler has caught up, where each field access costs).
 */
class SpanScan {
  readonly #text: string;
  readonly #rows: RowWriter;
  readonly #file: number;
  readonly #maxDepth: number;

  constructor(text: string, rows: RowWriter, file: number, maxDepth: number) {
    this.#text = text;
    this.#rows = rows;
    this.#file = file;
    this.#maxDepth = maxDepth;
  }

  document(value: unknown): void {
    this.#value(ROOT, value, 0, skipSpace(this.#text, 0));
  }

  /** The value at `start` (row `row`); returns the offset after it. */
  #value(row: number, value: unknown, depth: number, start: number): number {
    const text = this.#text;
    const c = text.charCodeAt(start);
    let end: number;
    if (c === 0x7b) end = this.#object(row, value, depth + 1, start);
    else if (c === 0x5b) end = this.#array(row, value, depth + 1, start);
    else if (c === QUOTE) {
      if (typeof value !== "string") throw GIVE_UP;
      end = stringEnd(text, start);
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      if (value !== (c === 0x74 ? true : c === 0x66 ? false : null)) throw GIVE_UP;
      end = start + (c === 0x66 ? 5 : 4); // true, false, null
    } else {
      if (typeof value !== "number" || !Number.isFinite(value)) throw GIVE_UP;
      end = numberEnd(text, start);
    }
    // HOT PATH: a row in the span table, no span object (as the careful reader records it).
    this.#rows.setRange(row, this.#file, start, end);
    return end;
  }

  #object(row: number, value: unknown, depth: number, start: number): number {
    if (depth > this.#maxDepth || typeof value !== "object" || value === null) throw GIVE_UP;
    const fields = value as Record<string, unknown>;
    const text = this.#text;
    let pos = skipSpace(text, start + 1);
    if (text.charCodeAt(pos) === 0x7d) return pos + 1;
    // The parsed names come in the order written (integer-like ones excepted: they come
    // first): each written name is compared with the next parsed one, in place, so the span
    // table keys its row by the parsed (shared) string, no string is cut out of the text, and
    // `for…in` walks the names without making an array of them per object.
    let keys = 0;
    for (const name in fields) {
      const close = stringEnd(text, pos);
      if (name.length !== close - pos - 2 || !text.startsWith(name, pos + 1)) break;
      keys++;
      pos = this.#member(row, name, fields[name], close, depth);
      // Closed with every written name matched to the next parsed one: the written names are
      // distinct, and `JSON.parse` keeps every one of them, so it kept no other.
      if (pos < 0) return -pos;
    }
    // A name out of the parsed order, or more written names than parsed ones: found by name.
    for (;;) {
      const close = stringEnd(text, pos);
      const name = text.slice(pos + 1, close - 1);
      if (!Object.hasOwn(fields, name)) throw GIVE_UP;
      keys++;
      pos = this.#member(row, name, fields[name], close, depth);
      if (pos < 0) break;
    }
    // Fewer parsed names than written ones: a name was repeated, which the careful reader reports.
    if (Object.keys(fields).length !== keys) throw GIVE_UP;
    return -pos;
  }

  /**
   * The member whose name ends at `close` (the name is new in row `row`: a repeated one makes
   * `JSON.parse` keep fewer, which the callers check). Returns where the next name starts, or,
   * negated, the offset after the object's `}` when the object closes after this member.
   */
  #member(row: number, name: string, value: unknown, close: number, depth: number): number {
    // An escaped name would need decoding to match the parsed key: left to the careful reader.
    // (The written name equals `name`, so it has a backslash exactly when `name` has.)
    if (name.includes("\\")) throw GIVE_UP;
    const text = this.#text;
    const child = this.#rows.append(row, name);
    const at = skipSpace(text, skipSpace(text, close) + 1); // past the `:`
    const after = skipSpace(text, this.#value(child, value, depth, at));
    if (text.charCodeAt(after) === 0x7d) return -(after + 1);
    return skipSpace(text, after + 1); // past the `,`
  }

  #array(row: number, value: unknown, depth: number, start: number): number {
    if (depth > this.#maxDepth || !Array.isArray(value)) throw GIVE_UP;
    const items = value as unknown[];
    const text = this.#text;
    let index = 0;
    let pos = skipSpace(text, start + 1);
    if (text.charCodeAt(pos) !== 0x5d) {
      for (;;) {
        pos = skipSpace(text, this.#value(this.#rows.append(row, index), items[index], depth, pos));
        index++;
        if (text.charCodeAt(pos++) === 0x5d) break;
        pos = skipSpace(text, pos);
      }
    } else pos++;
    if (index !== items.length) throw GIVE_UP;
    return pos;
  }
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
function stringEnd(text: string, open: number): number {
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
function skipSpace(text: string, pos: number): number {
  let i = pos;
  let c = text.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
  return i;
}
