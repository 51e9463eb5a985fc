/**
 * The lexer of the fast path. A large file is lexed and parsed a piece at a time, each piece
 * ending with the `}` that closes a top-level block: each piece's tokens and syntax tree die
 * young instead of living through the whole parse (a 10,000-tunnel file has about a million
 * tokens). This lexer gives exactly the tokens Chevrotain's lexer (`grammar/tokens.ts`) gives
 * for that text, in one pass over its characters that also finds where the piece ends and
 * checks the nesting limit.
 *
 * It handles only what a valid file holds and gives up (`undefined`) on anything else: a
 * character no token starts with, a string that is not a well-formed literal, brackets nested
 * too deep. The caller then lexes the whole file with Chevrotain, which reports the problem as
 * it always has; so a give-up costs time, never a result. Chevrotain tries patterns through
 * regular expressions for every token; here the first character decides, and keywords are
 * compared in place and come out with their constant image (no string cut for them): they
 * are most of the tokens of a large policy.
 */

import type { IToken, TokenType } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import { InternalError } from "../../diagnostics/diagnostic.ts";
import { MAX_NESTING_DEPTH } from "./limits.ts";

/** A piece of the text, lexed: its tokens, its comments, and the offset just past it. */
export interface LexedPiece {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly end: number;
}

/** The size a piece grows to before it ends at the next top-level `}` (UTF-16 code units). */
export const PIECE_TARGET_LENGTH = 1 << 16;

/** A token type whose pattern is a fixed string, with that string: its tokens' image. */
interface Fixed {
  readonly type: TokenType;
  readonly image: string;
}

function fixed(type: TokenType): Fixed {
  const image = t.keywordImage(type);
  if (image === undefined) throw new InternalError(`${type.name} has no fixed image`);
  return { type, image };
}

/**
 * Keywords spelled as words, by length and first letter (`length * 128 + code`): compared in
 * place with the word read, one or two candidates each.
 */
const wordKeywords = new Array<Fixed[] | undefined>(128 * 64).fill(undefined);
for (const type of t.keywordTokens) {
  const { image } = fixed(type);
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(image) && image.length < 64) {
    (wordKeywords[image.length * 128 + image.charCodeAt(0)] ??= []).push({ type, image });
  }
}

/** The permission keywords (`tunnels.resources.read-only` …): tried first at a `t`. */
const PERMISSIONS = [t.PermReadOnly, t.PermTunnelsCreateDelete, t.PermStreamsCreateDelete].map(
  fixed,
);
const TLS12 = fixed(t.Tls12);
const TLS13 = fixed(t.Tls13);
const EQ = fixed(t.Eq);
const EQ_EQ = fixed(t.EqEq);

// The patterns of the tokens read with a regular expression, as the grammar states them
// (sticky: they match at the offset only). The first characters decide which one applies.
const IPV6 = sticky(t.IPv6);
const IPV4 = sticky(t.IPv4);
const NUMBER = sticky(t.NumberLiteral);

function sticky(type: TokenType): RegExp {
  const pattern = type.PATTERN;
  if (!(pattern instanceof RegExp)) throw new InternalError(`${type.name} has no pattern`);
  return new RegExp(pattern.source, "y");
}

/** Single-character tokens by character code (`=` is read apart, for `==`). */
const PUNCTUATION: (Fixed | undefined)[] = [];
for (const type of [t.LCurly, t.RCurly, t.LSquare, t.RSquare, t.LParen, t.RParen]) {
  const f = fixed(type);
  PUNCTUATION[f.image.charCodeAt(0)] = f;
}
for (const type of [t.Comma, t.Dot, t.Tilde]) {
  const f = fixed(type);
  PUNCTUATION[f.image.charCodeAt(0)] = f;
}

// Character classes, by code (ASCII; anything else outside strings and comments gives up).
const OTHER = 0;
const SPACE = 1;
const WORD_START = 2; // A-Z a-z _
const DIGIT = 3;
const PUNCT = 4;
const CLASS = new Uint8Array(128);
for (const c of " \t\r\n\f\v") CLASS[c.charCodeAt(0)] = SPACE;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = WORD_START;
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = WORD_START;
CLASS[0x5f] = WORD_START;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT;
for (const [code, f] of PUNCTUATION.entries()) if (f !== undefined) CLASS[code] = PUNCT;

const QUOTE = 0x22;
const HASH = 0x23;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const EQUALS = 0x3d;
const LF = 0x0a;
const CR = 0x0d;
const LOWER_T = 0x74;
const LOWER_U = 0x75;
/** The characters a JSON escape may name after its backslash (besides `u`). */
const SIMPLE_ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));

const isWordPart = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x30 && c <= 0x39) ||
  c === 0x5f ||
  c === 0x2d;

const isHex = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

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
 * piece holds anything the fast path leaves to Chevrotain (see the file comment).
 */
export function lexPiece(
  text: string,
  start: number,
  targetLength: number,
): LexedPiece | undefined {
  const tokens: IToken[] = [];
  const comments: IToken[] = [];
  const brackets = new Brackets();
  const length = text.length;
  let i = start;
  while (i < length) {
    const c = text.charCodeAt(i);
    const kind = c < 128 ? (CLASS[c] ?? OTHER) : OTHER;
    if (kind === SPACE) {
      i++;
    } else if (kind === PUNCT) {
      // SAFETY: PUNCT is set exactly for the codes `PUNCTUATION` holds.
      const { type, image } = PUNCTUATION[c] as Fixed;
      tokens.push(token(image, i, type));
      i++;
      const closedBlock = brackets.read(type);
      if (closedBlock === undefined) return undefined;
      if (closedBlock && i - start >= targetLength && i < length) {
        return { tokens, comments, end: i };
      }
    } else {
      const next =
        kind === OTHER ? other(text, i) : kind === DIGIT ? numeric(text, i) : word(text, i);
      if (next === undefined) return undefined;
      (next.tokenType === t.Comment ? comments : tokens).push(next);
      i += next.image.length;
    }
  }
  return { tokens, comments, end: length };
}

/** The nesting of brackets read so far in a piece. */
class Brackets {
  /** Brackets of any kind open (for the nesting limit). */
  #depth = 0;
  /** Braces open (a piece ends where they all close). */
  #braces = 0;

  /**
   * Counts a punctuation token: whether it closed a top-level block, or `undefined` when it
   * opens one level too many (`checkNesting` reports that, counting as here).
   */
  read(type: TokenType): boolean | undefined {
    if (type === t.LCurly || type === t.LSquare || type === t.LParen) {
      if (++this.#depth > MAX_NESTING_DEPTH) return undefined;
      if (type === t.LCurly) this.#braces++;
      return false;
    }
    if (type === t.RCurly || type === t.RSquare || type === t.RParen) {
      if (this.#depth > 0) this.#depth--;
      if (type === t.RCurly && --this.#braces <= 0) {
        this.#braces = 0;
        return true;
      }
    }
    return false;
  }
}

/** A token starting with a character other than a letter, a digit or punctuation. */
function other(text: string, i: number): IToken | undefined {
  const c = text.charCodeAt(i);
  if (c === QUOTE) {
    const end = stringEnd(text, i + 1);
    return end < 0 ? undefined : token(text.slice(i, end), i, t.StringLiteral);
  }
  if (c === EQUALS) {
    const f = text.charCodeAt(i + 1) === EQUALS ? EQ_EQ : EQ;
    return token(f.image, i, f.type);
  }
  if (c === HASH) {
    let end = i + 1;
    for (let d = text.charCodeAt(end); end < text.length && d !== LF && d !== CR;) {
      d = text.charCodeAt(++end);
    }
    return token(text.slice(i, end), i, t.Comment);
  }
  return c === COLON ? ipv6(text, i) : undefined;
}

/** What starts with a letter or `_`: a permission, an IPv6 address, a keyword or a word. */
function word(text: string, i: number): IToken | undefined {
  const c = text.charCodeAt(i);
  if (c === LOWER_T) {
    // As Chevrotain matches them: a prefix, with no longer_alt.
    const permission = firstAt(PERMISSIONS, text, i);
    if (permission !== undefined) return permission;
  }
  return isHex(c) ? ipv6(text, i) : wordToken(text, i);
}

/**
 * The token of the first of `fixed` whose image the text holds at `i`. An indexed loop: this
 * runs for most words, and a `for … of` made an iterator result for each step until the code
 * was optimized (a tenth of the lexer's allocations).
 */
function firstAt(fixed: readonly Fixed[], text: string, i: number): IToken | undefined {
  for (let k = 0; k < fixed.length; k++) {
    // SAFETY: `k` is below the array's length.
    const { type, image } = fixed[k] as Fixed;
    if (text.startsWith(image, i)) return token(image, i, type);
  }
  return undefined;
}

/** Whether an IPv6 address may start at `i`: every form has a colon after ≤ 4 hex digits. */
function mayBeIpv6(text: string, i: number): boolean {
  let k = i;
  while (k - i < 5 && isHex(text.charCodeAt(k))) k++;
  return k - i <= 4 && text.charCodeAt(k) === COLON;
}

/**
 * What starts with a hex digit or `:`: an IPv6 address when one may start here, else a word.
 * A colon outside an address is a lexing error: given up.
 */
function ipv6(text: string, i: number): IToken | undefined {
  if (!mayBeIpv6(text, i)) return text.charCodeAt(i) === COLON ? undefined : wordToken(text, i);
  IPV6.lastIndex = i;
  if (!IPV6.test(text)) return undefined;
  return token(text.slice(i, IPV6.lastIndex), i, t.IPv6);
}

/** A word at `i`: the keyword it spells (with the keyword's own image), else an identifier. */
function wordToken(text: string, i: number): IToken {
  let end = i + 1;
  while (end < text.length && isWordPart(text.charCodeAt(end))) end++;
  const candidates = end - i < 64 ? wordKeywords[(end - i) * 128 + text.charCodeAt(i)] : undefined;
  return (candidates && firstAt(candidates, text, i)) ?? token(text.slice(i, end), i, t.Identifier);
}

/** The length of `pattern`'s match at `i`, or -1. */
function matchAt(pattern: RegExp, text: string, i: number): number {
  pattern.lastIndex = i;
  return pattern.test(text) ? pattern.lastIndex - i : -1;
}

/**
 * What starts with a digit, in the lexer's order: an IPv6 address; the TLS versions `1.2` and
 * `1.3` unless an IPv4 address or a number reads longer (their longer_alt); an IPv4 address;
 * a number.
 */
function numeric(text: string, i: number): IToken | undefined {
  if (mayBeIpv6(text, i)) return ipv6(text, i);
  const v4 = matchAt(IPV4, text, i);
  const version = text.startsWith(TLS12.image, i)
    ? TLS12
    : text.startsWith(TLS13.image, i)
      ? TLS13
      : undefined;
  if (version !== undefined && v4 <= version.image.length) {
    const n = matchAt(NUMBER, text, i);
    if (n > version.image.length) return token(text.slice(i, i + n), i, t.NumberLiteral);
    return token(version.image, i, version.type);
  }
  if (v4 > 0) return token(text.slice(i, i + v4), i, t.IPv4);
  const n = matchAt(NUMBER, text, i);
  return n < 0 ? undefined : token(text.slice(i, i + n), i, t.NumberLiteral);
}

/**
 * Past the closing quote of a well-formed string literal whose content starts at `i` (JSON
 * escapes only, no control characters), or -1 for any other string.
 */
function stringEnd(text: string, i: number): number {
  const length = text.length;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    const escaped = text.charCodeAt(i + 1);
    if (SIMPLE_ESCAPES.has(escaped)) {
      i += 2;
    } else if (escaped === LOWER_U) {
      for (let h = i + 2; h < i + 6; h++) if (!isHex(text.charCodeAt(h))) return -1;
      i += 6;
    } else return -1;
  }
  return -1;
}
