/**
 * Where a policy text can be cut between top-level declarations, so that a large file is lexed
 * and parsed a piece at a time: each piece's tokens and CST die young instead of living through
 * the whole parse (a 10,000-tunnel file has about a million tokens).
 *
 * The scan only proposes cuts: right after a `}` that closes a top-level block, skipping
 * strings and comments as the lexer reads them. The caller checks every piece (it must lex
 * without error and end with that `}` token) and parses the whole file in one go when a piece
 * fails, so a wrong cut in a broken file can cost time but never change a result.
 */

/** The size a piece grows to before the next cut is taken (UTF-16 code units). */
export const CHUNK_TARGET_LENGTH = 1 << 16;

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const HASH = 0x23; // #
const LF = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The end offsets of the pieces, in order; the last is `text.length`. Each cut but the last
 * follows a `}` at depth 0, once the piece is at least `targetLength` long.
 */
export function declarationChunkEnds(
  text: string,
  targetLength: number = CHUNK_TARGET_LENGTH,
): number[] {
  const ends: number[] = [];
  let start = 0;
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = skipString(text, i + 1);
    else if (c === HASH) i = skipToLineEnd(text, i + 1);
    else {
      i++;
      if (c === OPEN_BRACE) depth++;
      else if (c === CLOSE_BRACE && --depth <= 0) {
        depth = 0;
        if (i - start >= targetLength && i < text.length) {
          ends.push(i);
          start = i;
        }
      }
    }
  }
  ends.push(text.length);
  return ends;
}

/** Past a string whose opening quote is before `i`: its closing quote, or its line's end. */
function skipString(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === LF || c === CR) return i;
    if (c === BACKSLASH) {
      const next = text.charCodeAt(i + 1);
      if (next === LF || next === CR) return i + 1;
      i += 2;
    } else i++;
  }
  return text.length;
}

function skipToLineEnd(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) return i;
    i++;
  }
  return text.length;
}
