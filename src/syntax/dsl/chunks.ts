/**
 * Where a policy text can be cut between top-level declarations, so that a large file is lexed
 * and parsed a piece at a time: each piece's tokens and syntax tree die young instead of
 * living through the whole parse (a 10,000-tunnel file has about a million tokens).
 *
 * The scan only proposes cuts: right after a `}` that closes a top-level block, skipping
 * strings and comments as the lexer reads them. The caller checks every piece (it must lex
 * without error and end with that `}` token) and parses the whole file in one go when a piece
 * fails, so a wrong cut in a broken file can cost time but never change a result.
 */

import type { IToken } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import { CLOSERS, MAX_NESTING_DEPTH, OPENERS } from "./limits.ts";

/** The size a piece grows to before the next cut is taken (UTF-16 code units). */
export const CHUNK_TARGET_LENGTH = 1 << 16;

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const HASH = 0x23; // #
const LF = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;

/**
 * The end offsets of the pieces, in order; the last is `text.length`. Each cut but the last
 * follows a `}` at depth 0, once the piece is at least `targetLength` long.
 */
export function declarationChunkEnds(
  text: string,
  targetLength: number = CHUNK_TARGET_LENGTH,
): number[] {
  const ends: number[] = [];
  const special = /["#{}]/g;
  let start = 0;
  let depth = 0;
  // `test` rather than `exec`: a large policy has hundreds of thousands of these characters,
  // and `exec` made a match array for each.
  while (special.test(text)) {
    const i = special.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (c === QUOTE) special.lastIndex = skipString(text, i + 1);
    else if (c === HASH) special.lastIndex = skipToLineEnd(text, i + 1);
    else if (c === OPEN_BRACE) depth++;
    else if (--depth <= 0) {
      depth = 0;
      const end = i + 1;
      if (end - start >= targetLength && end < text.length) {
        ends.push(end);
        start = end;
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

/**
 * Whether the one-go path would report something about these tokens: a string that is not a
 * well-formed literal, or brackets nested deeper than allowed. One pass over the piece, where
 * the diagnostics themselves take two; a piece with either goes the one-go way.
 */
export function pieceNeedsDiagnostics(tokens: readonly IToken[]): boolean {
  let depth = 0;
  for (const token of tokens) {
    const role = TOKEN_ROLE[token.tokenTypeIdx] ?? PLAIN;
    if (role === PLAIN) continue;
    if (role === BAD_STRING) return true;
    if (role === OPENER) {
      if (++depth > MAX_NESTING_DEPTH) return true;
    } else if (depth > 0) depth--;
  }
  return false;
}

const PLAIN = 0;
const BAD_STRING = 1;
const OPENER = 2;
const CLOSER = 3;

/** What `pieceNeedsDiagnostics` looks for, by token type index. */
const TOKEN_ROLE = new Uint8Array(Math.max(...t.allTokens.map((k) => k.tokenTypeIdx ?? 0)) + 1);
for (const [tokens, role] of [
  [[t.BadEscapeString, t.UnterminatedString], BAD_STRING],
  [OPENERS, OPENER],
  [CLOSERS, CLOSER],
] as const) {
  // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
  for (const token of tokens) TOKEN_ROLE[token.tokenTypeIdx as number] = role;
}
