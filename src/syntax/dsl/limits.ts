/**
 * Limits on hostile input, checked before the expensive work (STYLE 9.4 rule 7): the size of
 * the source before lexing, and the nesting depth of brackets before parsing, since the
 * recursive-descent parser (and the printer) recurse once per level.
 */
import type { IToken, TokenType } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { sourceTooLarge, tooDeep } from "./errors.ts";
import { tokenSpan } from "./literals.ts";

/** The largest policy file read, in UTF-16 code units (16 MiB of ASCII). */
export const MAX_SOURCE_LENGTH = 16 * 1024 * 1024;

/** The deepest nesting of `{`, `[` and `(` accepted (grant trees, filters, blocks). */
export const MAX_NESTING_DEPTH = 64;

/** RP1006 when the text is too long to lex. */
export function checkSourceSize(file: string, text: string): Diagnostic | undefined {
  return text.length > MAX_SOURCE_LENGTH
    ? sourceTooLarge(file, text.length, MAX_SOURCE_LENGTH)
    : undefined;
}

/** The tokens that open and close one level of nesting. */
export const OPENERS: ReadonlySet<TokenType> = new Set([t.LCurly, t.LSquare, t.LParen]);
export const CLOSERS: ReadonlySet<TokenType> = new Set([t.RCurly, t.RSquare, t.RParen]);

/** RP1007 at the first bracket that opens one level too many. */
export function checkNesting(file: string, tokens: readonly IToken[]): Diagnostic | undefined {
  let depth = 0;
  for (const token of tokens) {
    if (OPENERS.has(token.tokenType)) {
      depth++;
      if (depth > MAX_NESTING_DEPTH) return tooDeep(tokenSpan(file, token), MAX_NESTING_DEPTH);
    } else if (CLOSERS.has(token.tokenType) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}
