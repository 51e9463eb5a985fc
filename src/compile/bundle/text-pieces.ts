/**
 * The pieces of text the bundle writer writes many times (member-name openers such as
 * `,"name":`, the JSON text of each distinct string, `true`, a span's `[0,`), each encoded to
 * UTF-8 once and copied from here wherever it is written.
 */
import { encodeUtf8, viewOf } from "./byte-text.ts";
import { writeUnescapedJsonString } from "./json-string.ts";
import { grownInt32 } from "./typed-growth.ts";

/**
 * Columns start small, so that they grow while `add` and `addString` still run unoptimized
 * (as in `distinct-values.ts`: code compiled before a column's first growth is thrown away at
 * it).
 */
export class TextPieces {
  /** How many pieces there are; their ids are 0 … count - 1. */
  count = 0;
  /** The pieces' bytes, back to back (one buffer: a piece is copied from it by offsets). */
  #bytes: Buffer = Buffer.allocUnsafe(256);
  /** Per piece, where its bytes start; one more entry than pieces: the last one's end. */
  #starts: Int32Array = new Int32Array(16);
  /** Per piece, its length in UTF-16 code units (the sharing plan measures texts so). */
  #lengths: Int32Array = new Int32Array(16);

  /** Adds a piece and returns its id. */
  add(text: string): number {
    const id = this.count++;
    this.#starts = grownInt32(this.#starts, id + 2);
    this.#lengths = grownInt32(this.#lengths, id + 1);
    // SAFETY: the start of piece `id` was set by the piece before (0 for the first).
    const start = this.#starts[id] as number;
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (start + 3 * text.length > this.#bytes.length) this.#grow(start, start + 3 * text.length);
    this.#starts[id + 1] = encodeUtf8(text, this.#bytes, start);
    this.#lengths[id] = text.length;
    return id;
  }

  /**
   * Adds the JSON text of a string (`JSON.stringify(text)`) and returns its id. A string with
   * nothing to escape is quoted as its bytes are written, with no quoted copy of it made.
   */
  addString(text: string): number {
    const id = this.count;
    this.#starts = grownInt32(this.#starts, id + 2);
    // SAFETY: the start of piece `id` was set by the piece before (0 for the first).
    const start = this.#starts[id] as number;
    const room = 3 * text.length + 2;
    if (start + room > this.#bytes.length) this.#grow(start, start + room);
    const end = writeUnescapedJsonString(text, this.#bytes, start);
    if (end < 0) return this.add(JSON.stringify(text));
    this.#lengths = grownInt32(this.#lengths, id + 1);
    this.count = id + 1;
    this.#starts[id + 1] = end;
    this.#lengths[id] = text.length + 2;
    return id;
  }

  /** The length of a piece's text in UTF-16 code units. */
  textLength(id: number): number {
    // SAFETY: ids are below `count`.
    return this.#lengths[id] as number;
  }

  /**
   * The bytes of the pieces, back to back, to copy them from (valid until the next `add` or
   * `addString`).
   */
  view(): DataView {
    return viewOf(this.#bytes);
  }

  /** Where each piece starts in `view()`, `starts[id + 1]` where it ends (valid as `view()`). */
  get starts(): Int32Array {
    return this.#starts;
  }

  /** A buffer of at least `needed` bytes, with the `written` bytes so far. */
  #grow(written: number, needed: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(needed, 2 * this.#bytes.length));
    this.#bytes.copy(bigger, 0, 0, written);
    this.#bytes = bigger;
  }
}
