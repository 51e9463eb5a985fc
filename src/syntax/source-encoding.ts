/**
 * Policy files are UTF-8. Decoding replaces each byte that is not UTF-8 with U+FFFD, silently:
 * a Latin-1 `ü` in a host or an id, or a file saved as UTF-16, would be read as other text
 * than the file holds. Both front ends refuse such a file instead, at its first such byte
 * (RP1013, RP2015). Only a source read with its bytes can be checked; a text given as a
 * string has no encoding left to get wrong.
 */
import { Buffer, isUtf8 } from "node:buffer";
import type { SourceFile } from "../diagnostics/span.ts";

/** Where a source's bytes first fail to be UTF-8. */
export interface NotUtf8 {
  /** The UTF-16 offset in the text of the U+FFFD the decoder put there. */
  readonly offset: number;
  /** The byte at that place. */
  readonly byte: number;
  /** Whether the file starts with a UTF-16 byte order mark (the likely cause). */
  readonly utf16: boolean;
}

/** The first place where the source's bytes are not UTF-8, if there is one. */
export function firstNonUtf8(source: SourceFile): NotUtf8 | undefined {
  const { bytes, text } = source;
  if (bytes === undefined || isUtf8(bytes)) return undefined;
  const utf16 =
    (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  // Each U+FFFD of the text is either written in the file (EF BF BD) or stands for bad bytes.
  let byteOffset = 0;
  let previous = 0;
  for (let at = text.indexOf("\uFFFD"); at >= 0; at = text.indexOf("\uFFFD", at + 1)) {
    byteOffset += Buffer.byteLength(text.slice(previous, at), "utf8");
    previous = at;
    const written = bytes[byteOffset] === 0xef && bytes[byteOffset + 1] === 0xbf;
    if (!written || bytes[byteOffset + 2] !== 0xbd)
      return { offset: at, byte: bytes[byteOffset] ?? 0, utf16 };
  }
  // Not reached: bytes that are not UTF-8 decode to at least one U+FFFD of their own.
  return { offset: 0, byte: bytes[0] ?? 0, utf16 };
}

/** The message and help both front ends give, each under its own code. */
export function notUtf8Words(problem: NotUtf8): { message: string; help: string } {
  const hex = problem.byte.toString(16).toUpperCase().padStart(2, "0");
  return {
    message: `the file is not UTF-8: byte 0x${hex} cannot start or continue a character here`,
    help: problem.utf16
      ? "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8"
      : "save the file as UTF-8; a character outside ASCII may also be written as an escape `\\uXXXX` in a string",
  };
}
