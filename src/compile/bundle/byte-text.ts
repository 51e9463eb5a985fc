/**
 * A text written as its UTF-8 bytes, in chunks, for the bundle writer. The writer used to make
 * ~1.9 million small strings on 10,000 tunnels, join them into chunks of text, then encode the
 * chunks twice (for the content hash and for the file); bytes are encoded once, hashed and
 * written as they are, and live outside V8's heap, where its scavenger never copies them.
 *
 * Chunks, not one buffer grown by doubling: V8 counts every buffer allocated toward its
 * external memory, buffers outgrown included until a collection frees them, and the ~32 MB a
 * doubling 15 MB text allocates started a full collection ("external memory pressure") in the
 * middle of the writer.
 *
 * INVARIANT: every text appended is well-formed UTF-16 (JSON texts: `JSON.stringify` escapes
 * lone surrogates), so the bytes of the pieces one after the other are the UTF-8 of the text
 * they make together.
 */

const MIN_INT32 = -0x80000000;

/** The first chunk: a small policy's bundle fits in it. */
const FIRST_CHUNK = 1 << 16;

/** Chunks double up to this size: few chunks, and little allocated past the text's end. */
const MAX_CHUNK = 1 << 20;

export class ByteText {
  /** The chunks filled, each cut to the bytes written in it. */
  readonly #filled: Buffer[] = [];
  #chunk: Buffer = Buffer.allocUnsafe(FIRST_CHUNK);
  /** `#chunk` as a DataView, which reads and writes four bytes at any offset. */
  #view: DataView = viewOf(this.#chunk);
  /** The bytes written in `#chunk`. */
  #at = 0;

  /** The bytes written, as views of the chunks (no copy). */
  chunks(): Buffer[] {
    return this.#at > 0 ? [...this.#filled, this.#chunk.subarray(0, this.#at)] : [...this.#filled];
  }

  /** Appends the UTF-8 bytes of `text`. */
  text(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 4 bytes for 2 units).
    this.#reserve(3 * text.length);
    this.#at = encodeUtf8(text, this.#chunk, this.#at);
  }

  /** Appends one ASCII character by its code. */
  ascii(code: number): void {
    this.#reserve(1);
    this.#chunk[this.#at++] = code;
  }

  /** Appends the decimal text of a 32-bit integer, as `String(value)` writes it. */
  int(value: number): void {
    // The one 32-bit integer whose negation is not one: the digits below stay in int32 math
    // (a division by 10 is a multiplication; a remainder of a double is a call into C).
    if (value === MIN_INT32) {
      this.text(String(MIN_INT32));
      return;
    }
    // Ten digits and a sign at most.
    this.#reserve(11);
    const bytes = this.#chunk;
    let at = this.#at;
    let rest = value | 0;
    if (rest < 0) {
      bytes[at++] = 0x2d;
      rest = -rest | 0;
    }
    let digits = 1;
    for (let bound = rest; bound >= 10; bound = (bound / 10) | 0) digits++;
    const end = at + digits;
    for (let i = end - 1; i >= at; i--) {
      const next = (rest / 10) | 0;
      bytes[i] = 0x30 + rest - 10 * next;
      rest = next;
    }
    this.#at = end;
  }

  /**
   * Appends the bytes `from` … `to` (exclusive) of `source`. Four bytes at a time: ~1.9 million
   * pieces of ~8 bytes are copied on 10,000 tunnels, and a call into native code per piece
   * (`Buffer.copy`, `set`) costs more than the copy.
   */
  copy(source: DataView, from: number, to: number): void {
    const size = to - from;
    this.#reserve(size);
    const view = this.#view;
    const start = this.#at;
    if (size < 4) {
      for (let i = 0; i < size; i++) view.setUint8(start + i, source.getUint8(from + i));
    } else {
      let i = 0;
      for (; i < size - 4; i += 4) view.setUint32(start + i, source.getUint32(from + i));
      // The last four bytes, which may overlap the ones before.
      view.setUint32(start + size - 4, source.getUint32(to - 4));
    }
    this.#at = start + size;
  }

  /** Makes room for `size` more bytes in the current chunk, starting a new one if needed. */
  #reserve(size: number): void {
    if (this.#at + size <= this.#chunk.length) return;
    // A chunk nothing was written in (a text larger than its room) is dropped, not kept empty.
    if (this.#at > 0) this.#filled.push(this.#chunk.subarray(0, this.#at));
    this.#chunk = Buffer.allocUnsafe(Math.max(size, Math.min(MAX_CHUNK, 2 * this.#chunk.length)));
    this.#view = viewOf(this.#chunk);
    this.#at = 0;
  }
}

/** A DataView of exactly the bytes of `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Writes the UTF-8 bytes of `text` into `bytes` from `at` (room for 3 bytes a code unit), and
 * returns where they end.
 */
export function encodeUtf8(text: string, bytes: Buffer, at: number): number {
  let end = at;
  // Nearly every text is ASCII: copied by code unit, no call into the encoder per text.
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) return end + bytes.write(text.slice(i), end, "utf8");
    bytes[end++] = unit;
  }
  return end;
}
