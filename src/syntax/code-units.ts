/**
 * A source text's UTF-16 code units as a typed array, for the scanners that read every
 * character of a large file (the JSON span index, the DSL scanner). A file the CLI read is an
 * external string: its `charCodeAt` checks the string's representation at each character, and
 * calls into the runtime until the caller is optimized. A typed array's element is one load.
 */
import { Buffer } from "node:buffer";

/** A text's UTF-16 code units: one byte each when all are ASCII, as nearly every policy is. */
export type CodeUnits = Uint8Array | Uint16Array;

/**
 * `bytes`, the UTF-8 bytes `text` was decoded from, when they can be read as its code units:
 * when they are as many. UTF-8 decodes every sequence longer than one byte to fewer units than
 * bytes, so equal counts mean that each byte became one unit: an ASCII character as itself, or
 * a byte that is no UTF-8 as U+FFFD. Both are outside ASCII, which only a string or a comment
 * may hold: a scanner may treat them alike, but a reader that compares such text (the JSON
 * index's names) compares it in `text`.
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
export function codeUnitsOf(text: string, bytes?: Uint8Array): CodeUnits {
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
