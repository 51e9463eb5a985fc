/**
 * The scanner of the fast paths: reads the DSL one token at a time, on demand, and keeps only
 * the current token's type and offsets (no token object, no string cut). It reads exactly the
 * tokens Chevrotain's lexer (`grammar/tokens.ts`) reads, comments included, and counts the
 * nesting of brackets as `checkNesting` does.
 *
 * It handles only what a valid file holds and gives up (`next` returns false) on anything
 * else: a character no token starts with, a string that is not a well-formed literal, brackets
 * nested too deep. The caller then lexes the whole file with Chevrotain, which reports the
 * problem as it always has; so a give-up costs time, never a result. Chevrotain tries patterns
 * through regular expressions for every token; here the first character decides, and keywords
 * are compared in place. The characters are read from the text's code units in a typed array
 * (`code-units.ts`), not through `charCodeAt`, on every path a valid file takes often.
 */

import type { TokenType } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import { InternalError } from "../../diagnostics/diagnostic.ts";
import type { CodeUnits } from "../code-units.ts";
import { MAX_NESTING_DEPTH } from "./limits.ts";

/** A token type whose pattern is a fixed string, with that string. */
interface Fixed {
  readonly type: TokenType;
  readonly image: string;
}

/** A keyword spelled as a word, with its character codes (compared with a word read). */
interface Keyword {
  readonly type: TokenType;
  readonly codes: Uint8Array;
}

function fixed(type: TokenType): Fixed {
  const image = t.keywordImage(type);
  if (image === undefined) throw new InternalError(`${type.name} has no fixed image`);
  return { type, image };
}

/** The fixed image of each token type that has one, by `tokenTypeIdx` (else undefined). */
export const FIXED_IMAGES: (string | undefined)[] = [];
for (const type of t.allTokens) {
  // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
  FIXED_IMAGES[type.tokenTypeIdx as number] = t.keywordImage(type);
}

/**
 * Keywords spelled as words, by length and first letter (`length * 128 + code`): compared in
 * place with the word read, one or two candidates each.
 */
const wordKeywords = new Array<Keyword[] | undefined>(128 * 64).fill(undefined);
for (const type of t.keywordTokens) {
  const { image } = fixed(type);
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(image) && image.length < 64) {
    const codes = Uint8Array.from(image, (c) => c.charCodeAt(0));
    (wordKeywords[image.length * 128 + image.charCodeAt(0)] ??= []).push({ type, codes });
  }
}

/** The permission keywords (`tunnels.resources.read-only` …): tried first at a `t`. */
const PERMISSIONS = [t.PermReadOnly, t.PermTunnelsCreateDelete, t.PermStreamsCreateDelete].map(
  fixed,
);
const TLS12 = fixed(t.Tls12);
const TLS13 = fixed(t.Tls13);

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
const PUNCTUATION: (TokenType | undefined)[] = [];
for (const type of [t.LCurly, t.RCurly, t.LSquare, t.RSquare, t.LParen, t.RParen]) {
  PUNCTUATION[fixed(type).image.charCodeAt(0)] = type;
}
for (const type of [t.Comma, t.Dot, t.Tilde]) PUNCTUATION[fixed(type).image.charCodeAt(0)] = type;

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
for (const [code, type] of PUNCTUATION.entries()) if (type !== undefined) CLASS[code] = PUNCT;

const QUOTE = 0x22;
const HASH = 0x23;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const DOT = 0x2e;
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

/** Whether an IPv6 address may start at `i`: every form has a colon after ≤ 4 hex digits. */
function mayBeIpv6(text: string, i: number): boolean {
  let k = i;
  while (k - i < 5 && isHex(text.charCodeAt(k))) k++;
  return k - i <= 4 && text.charCodeAt(k) === COLON;
}

/** The end of the comment that starts at `i`: the line's end (the line break is not in it). */
function commentEnd(units: CodeUnits, i: number): number {
  const length = units.length;
  let end = i + 1;
  // SAFETY: `end` is below the length.
  while (end < length && units[end] !== LF && units[end] !== CR) end++;
  return end;
}

/** The end of the word whose first character is at `i`. */
function wordEnd(units: CodeUnits, i: number): number {
  const length = units.length;
  let end = i + 1;
  // SAFETY: `end` is below the length.
  while (end < length && isWordPart(units[end] as number)) end++;
  return end;
}

/** The length of `pattern`'s match at `i`, or -1. */
function matchAt(pattern: RegExp, text: string, i: number): number {
  pattern.lastIndex = i;
  return pattern.test(text) ? pattern.lastIndex - i : -1;
}

/**
 * The current token of a text read on demand: `type` (undefined past the last token) and its
 * offsets `[start, end)`. `next` moves to the following token.
 */
export class Scanner {
  // Its helpers are TypeScript-`private` methods, not `#` ones (as in the span store): a large
  // file is read once, much of it before V8 optimizes the scanner, and unoptimized code checks
  // the receiver's brand at each call of a `#` method.
  readonly text: string;
  /** The text's code units (`codeUnitsOf`). */
  readonly units: CodeUnits;
  type: TokenType | undefined = undefined;
  start: number;
  end: number;
  /** Brackets of any kind open (for the nesting limit). */
  depth = 0;
  /** Whether the current string literal has an escape (else its value is its text in quotes). */
  escaped = false;
  /**
   * Whether `next` passes over comments as over white space (the direct path, which reads no
   * comment), rather than reading each as a token (the piece lexer, which keeps them).
   */
  skipsComments = false;

  /** A scanner before the first token at or after `offset`; `units` are `text`'s code units. */
  constructor(text: string, units: CodeUnits, offset: number) {
    this.text = text;
    this.units = units;
    this.start = offset;
    this.end = offset;
  }

  /**
   * Reads the token after the current one (comments are tokens unless `skipsComments`): false
   * to give up (see the file comment). At the end of the text, `type` is undefined and `start`
   * is the length.
   */
  next(): boolean {
    const units = this.units;
    const length = units.length;
    // `| 0`: an int32 from here on, so the loop's index is not boxed and unboxed at each step.
    let i = this.end | 0;
    while (i < length) {
      // SAFETY: `i` is below the length.
      const c = units[i] as number;
      const kind = c < 128 ? (CLASS[c] ?? OTHER) : OTHER;
      if (kind === SPACE) {
        i++;
        continue;
      }
      if (c === HASH && this.skipsComments) {
        i = commentEnd(units, i);
        continue;
      }
      this.start = i;
      if (kind === PUNCT) return this.punctuation(c, i);
      if (kind === DIGIT) return this.numeric(i);
      return kind === OTHER ? this.other(c, i) : this.word(c, i);
    }
    this.type = undefined;
    this.start = length;
    this.end = length;
    return true;
  }

  /** The current token's text. */
  image(): string {
    const type = this.type;
    // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
    const image = type === undefined ? undefined : FIXED_IMAGES[type.tokenTypeIdx as number];
    return image ?? this.text.slice(this.start, this.end);
  }

  private setToken(type: TokenType, end: number): boolean {
    this.type = type;
    this.end = end;
    return true;
  }

  private punctuation(c: number, i: number): boolean {
    // SAFETY: PUNCT is set exactly for the codes `PUNCTUATION` holds.
    const type = PUNCTUATION[c] as TokenType;
    if (type === t.LCurly || type === t.LSquare || type === t.LParen) {
      if (++this.depth > MAX_NESTING_DEPTH) return false;
    } else if (type === t.RCurly || type === t.RSquare || type === t.RParen) {
      if (this.depth > 0) this.depth--;
    }
    return this.setToken(type, i + 1);
  }

  /** A token starting with a character other than a letter, a digit or punctuation. */
  private other(c: number, i: number): boolean {
    const text = this.text;
    if (c === QUOTE) return this.stringLiteral(i + 1);
    if (c === EQUALS) {
      return text.charCodeAt(i + 1) === EQUALS
        ? this.setToken(t.EqEq, i + 2)
        : this.setToken(t.Eq, i + 1);
    }
    if (c === HASH) return this.setToken(t.Comment, commentEnd(this.units, i));
    return c === COLON && this.ipv6(i);
  }

  /**
   * A string literal whose content starts at `i`: only a well-formed one (JSON escapes, no
   * control characters); any other string is given up.
   */
  private stringLiteral(from: number): boolean {
    const text = this.text;
    const units = this.units;
    const length = units.length;
    this.escaped = false;
    // An int32 index, as in `next`.
    let i = from | 0;
    while (i < length) {
      // SAFETY: `i` is below the length.
      const c = units[i] as number;
      if (c === QUOTE) return this.setToken(t.StringLiteral, i + 1);
      if (c < 0x20) return false;
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      this.escaped = true;
      const escaped = text.charCodeAt(i + 1);
      if (SIMPLE_ESCAPES.has(escaped)) {
        i += 2;
      } else if (escaped === LOWER_U) {
        for (let h = i + 2; h < i + 6; h++) if (!isHex(text.charCodeAt(h))) return false;
        i += 6;
      } else return false;
    }
    return false;
  }

  /**
   * What starts with a letter or `_`: a permission, an IPv6 address, a keyword or a word. The
   * word is read first and the character after it tells the rare forms apart: a permission
   * (`tunnels.…`) goes on with `.`, an IPv6 address (`fe80::1`) with `:` after at most four hex
   * digits. The common word takes one short path: a long one made the optimizing compiler
   * spend more time on this method than the scan it sped up.
   */
  private word(c: number, i: number): boolean {
    const text = this.text;
    const units = this.units;
    const length = units.length;
    const end = wordEnd(units, i);
    // SAFETY: no read past the end, whose `undefined` would reach the compares.
    const next = end < length ? (units[end] as number) : -1;
    if (next === DOT && c === LOWER_T) {
      // As Chevrotain matches them: a prefix, with no longer_alt.
      const permission = firstAt(PERMISSIONS, text, i);
      if (permission !== undefined)
        return this.setToken(permission.type, i + permission.image.length);
    } else if (next === COLON && end - i <= 4 && isHex(c)) {
      return this.ipv6(i);
    }
    return this.keyword(i, end);
  }

  /**
   * What starts with a hex digit or `:`: an IPv6 address when one may start here, else a word.
   * A colon outside an address is a lexing error: given up.
   */
  private ipv6(i: number): boolean {
    const text = this.text;
    if (!mayBeIpv6(text, i)) return text.charCodeAt(i) !== COLON && this.wordToken(i);
    IPV6.lastIndex = i;
    return IPV6.test(text) && this.setToken(t.IPv6, IPV6.lastIndex);
  }

  /** A word at `i`: the keyword it spells, else an identifier. */
  private wordToken(i: number): boolean {
    return this.keyword(i, wordEnd(this.units, i));
  }

  /** The word `[i, end)`: the keyword it spells, else an identifier. */
  private keyword(i: number, end: number): boolean {
    const units = this.units;
    // SAFETY: the word `[i, end)` is within the text.
    const candidates =
      end - i < 64 ? wordKeywords[(end - i) * 128 + (units[i] as number)] : undefined;
    const keyword = candidates === undefined ? undefined : spelledAt(candidates, units, i);
    return this.setToken(keyword?.type ?? t.Identifier, end);
  }

  /**
   * What starts with a digit, in the lexer's order: an IPv6 address; the TLS versions `1.2` and
   * `1.3` unless an IPv4 address or a number reads longer (their longer_alt); an IPv4 address;
   * a number.
   */
  private numeric(i: number): boolean {
    const text = this.text;
    if (mayBeIpv6(text, i)) return this.ipv6(i);
    const v4 = matchAt(IPV4, text, i);
    const version = text.startsWith(TLS12.image, i)
      ? TLS12
      : text.startsWith(TLS13.image, i)
        ? TLS13
        : undefined;
    if (version !== undefined && v4 <= version.image.length) {
      const n = matchAt(NUMBER, text, i);
      if (n > version.image.length) return this.setToken(t.NumberLiteral, i + n);
      return this.setToken(version.type, i + version.image.length);
    }
    if (v4 > 0) return this.setToken(t.IPv4, i + v4);
    const n = matchAt(NUMBER, text, i);
    return n >= 0 && this.setToken(t.NumberLiteral, i + n);
  }
}

/**
 * The one of `candidates` (keywords of the word's length and first letter) that the word at `i`
 * spells: compared by character codes from the second one on, in the optimized code itself
 * (`startsWith` was a call into the runtime per candidate, for most words of a file), against
 * the keyword's codes in a byte array, both read as typed arrays.
 */
function spelledAt(
  candidates: readonly Keyword[],
  units: CodeUnits,
  i: number,
): Keyword | undefined {
  for (let k = 0; k < candidates.length; k++) {
    // SAFETY: `k` is below the array's length.
    const keyword = candidates[k] as Keyword;
    const codes = keyword.codes;
    let c = 1;
    while (c < codes.length && codes[c] === units[i + c]) c++;
    if (c === codes.length) return keyword;
  }
  return undefined;
}

/**
 * The first of `fixed` whose image the text holds at `i`. An indexed loop: this runs for most
 * words, and a `for … of` made an iterator result for each step until the code was optimized.
 */
function firstAt(fixed: readonly Fixed[], text: string, i: number): Fixed | undefined {
  for (let k = 0; k < fixed.length; k++) {
    // SAFETY: `k` is below the array's length.
    const f = fixed[k] as Fixed;
    if (text.startsWith(f.image, i)) return f;
  }
  return undefined;
}
