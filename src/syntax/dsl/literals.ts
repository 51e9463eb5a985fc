/**
 * Values and spans of DSL tokens: string decoding, the problems a string literal can have,
 * and how the printer decides whether a value may be written bare.
 */
import type { IToken } from "chevrotain";
import type { Span } from "../../diagnostics/span.ts";

/** The span of a token (Chevrotain's `endOffset` is inclusive). */
export function tokenSpan(file: string, token: IToken): Span {
  return { file, start: token.startOffset, end: (token.endOffset ?? token.startOffset) + 1 };
}

/** What is wrong with a string literal, if anything. */
export type StringProblem =
  | { readonly kind: "unterminated" }
  | { readonly kind: "escape"; readonly offset: number; readonly text: string }
  | { readonly kind: "control"; readonly offset: number; readonly char: string };

const VALID_ESCAPE = /^\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/;
/** A well-formed string literal without escapes. */
const PLAIN_STRING = /^"[^"\\\u0000-\u001f]*"$/;

/**
 * The first problem of a string token's image (offsets relative to the image), or undefined
 * for a well-formed JSON string literal.
 */
export function stringProblem(image: string): StringProblem | undefined {
  if (image.length < 2 || !image.endsWith('"') || isEscapedQuote(image)) {
    return { kind: "unterminated" };
  }
  for (let i = 1; i < image.length - 1; i++) {
    const c = image.charCodeAt(i);
    if (c < 0x20) return { kind: "control", offset: i, char: image.charAt(i) };
    if (c === 0x5c) {
      const m = VALID_ESCAPE.exec(image.slice(i));
      if (m === null) return { kind: "escape", offset: i, text: image.slice(i, i + 2) };
      i += m[0].length - 1;
    }
  }
  return undefined;
}

/** True when the closing quote of `"…\"` is escaped, so the string is not closed. */
function isEscapedQuote(image: string): boolean {
  let backslashes = 0;
  for (let i = image.length - 2; i > 0 && image.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * The value of a string token. Well-formed literals are JSON strings; for a malformed one
 * (already reported) the text between the quotes is returned so later code has a value.
 */
export function stringValue(image: string): string {
  // Most strings have no escapes: their value is the text between the quotes.
  if (PLAIN_STRING.test(image)) return image.slice(1, -1);
  // SAFETY: a string token without a problem is a JSON string literal, so it parses to a string.
  if (stringProblem(image) === undefined) return JSON.parse(image) as string;
  return image.slice(1, image.endsWith('"') && image.length > 1 ? -1 : undefined);
}

/** Writes a string as a DSL string literal (JSON escaping; U+2028/U+2029 escaped as well). */
export function quote(value: string): string {
  return JSON.stringify(value).replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
}

const BARE_WORD = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const BARE_IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,3})?$/;
const BARE_IPV6 = /^[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?:\/\d{1,3})?$/;

/** A word the lexer reads back as one identifier or keyword, so it may be written bare. */
export function isBareWord(value: string): boolean {
  return BARE_WORD.test(value);
}

/** An address or CIDR the lexer reads back as one IP token, so it may be written bare. */
export function isBareAddress(value: string): boolean {
  return BARE_IPV4.test(value) || BARE_IPV6.test(value);
}

/** A word if it can be bare, else a string literal. */
export function wordOrQuoted(value: string): string {
  return isBareWord(value) ? value : quote(value);
}

/** An address if it can be bare, else a string literal. */
export function addressOrQuoted(value: string): string {
  return isBareAddress(value) ? value : quote(value);
}
