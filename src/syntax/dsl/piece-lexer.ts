/**
 * The lexer of the piece path. A large file is lexed and parsed a piece at a time, each piece
 * ending with the `}` that closes a top-level block: each piece's tokens and syntax tree die
 * young instead of living through the whole parse (a 10,000-tunnel file has about a million
 * tokens). The tokens are `scanner.ts`'s, so exactly the tokens Chevrotain's lexer gives for
 * that text, as objects for the parsers that take tokens; it gives up where the scanner does.
 * Keywords and punctuation come out with their constant image (no string cut for them): they
 * are most of the tokens of a large policy.
 */

import type { IToken, TokenType } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import type { CodeUnits } from "../code-units.ts";
import { FIXED_IMAGES, Scanner } from "./scanner.ts";

/** A piece of the text, lexed: its tokens, its comments, and the offset just past it. */
export interface LexedPiece {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly end: number;
}

/** The size a piece grows to before it ends at the next top-level `}` (UTF-16 code units). */
export const PIECE_TARGET_LENGTH = 1 << 16;

function token(image: string, start: number, type: TokenType): IToken {
  // The shape of `offsetToken` in grammar/tokens.ts, so the parser sees one kind of object.
  return {
    image,
    startOffset: start,
    endOffset: start + image.length - 1,
    // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
    tokenTypeIdx: type.tokenTypeIdx as number,
    tokenType: type,
  };
}

/**
 * Lexes `text` from `start` up to the end of the first top-level block that closes at least
 * `targetLength` characters after `start` (or to the end of the text). `undefined` when the
 * piece holds anything the scanner leaves to Chevrotain (see `scanner.ts`). `units`: the text's
 * code units (`codeUnitsOf`), made once for all the pieces of a file.
 */
export function lexPiece(
  text: string,
  start: number,
  targetLength: number,
  units: CodeUnits,
): LexedPiece | undefined {
  const tokens: IToken[] = [];
  const comments: IToken[] = [];
  const scanner = new Scanner(text, units, start);
  /** Braces open (a piece ends where they all close). */
  let braces = 0;
  for (;;) {
    if (!scanner.next()) return undefined;
    const type = scanner.type;
    if (type === undefined) return { tokens, comments, end: text.length };
    const at = scanner.start;
    // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
    const image = FIXED_IMAGES[type.tokenTypeIdx as number] ?? text.slice(at, scanner.end);
    (type === t.Comment ? comments : tokens).push(token(image, at, type));
    if (type === t.LCurly) {
      braces++;
    } else if (type === t.RCurly && --braces <= 0) {
      braces = 0;
      const end = scanner.end;
      if (end - start >= targetLength && end < text.length) return { tokens, comments, end };
    }
  }
}
