/**
 * The diagnostics of the DSL syntax stage, one named constructor per code, and the single place
 * where Chevrotain's lexing and recognition errors become diagnostics.
 */
import { EOF } from "../../../grammar/chevrotain.ts";
import type { ILexingError, IRecognitionException, IToken, TokenType } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import type { ParseErrorInfo } from "../../../grammar/parser.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { didYouMean } from "../../diagnostics/did-you-mean.ts";
import type { Span } from "../../diagnostics/span.ts";
import { tokenSpan, stringProblem } from "./literals.ts";
import { isTerminalUnsafe } from "../../diagnostics/terminal-text.ts";
import type { NotUtf8 } from "../source-encoding.ts";
import { notUtf8Words } from "../source-encoding.ts";

const tick = (s: string): string => `\`${s.replaceAll("`", "'")}\``;

/** RP1001: a character no token starts with. */
export const unexpectedCharacter = (span: Span, char: string): Diagnostic => ({
  code: "RP1001",
  severity: "error",
  span,
  message: `unexpected character ${describeChar(char)}`,
  help: char === "'" ? "strings use double quotes" : "comments start with `#`",
});

/** RP1002: a string that is not closed on its line. */
export const unterminatedString = (span: Span): Diagnostic => ({
  code: "RP1002",
  severity: "error",
  span,
  message: "unterminated string",
  help: 'close the string with `"` on the same line',
});

/** RP1003: an escape sequence JSON strings do not have. */
export const invalidEscape = (span: Span, text: string): Diagnostic => ({
  code: "RP1003",
  severity: "error",
  span,
  message: `invalid escape ${tick(text)} in string`,
  help: 'use one of `\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`',
});

/** RP1011: a raw control character inside a string. */
export const controlCharacter = (span: Span, char: string): Diagnostic => ({
  code: "RP1011",
  severity: "error",
  span,
  message: `raw control character ${describeChar(char)} in string`,
  help: `write it as an escape such as ${tick(JSON.stringify(char).slice(1, -1))}`,
});

/** RP1006: the file is larger than the parser reads. */
export const sourceTooLarge = (file: string, size: number, max: number): Diagnostic => ({
  code: "RP1006",
  severity: "error",
  span: { file, start: 0, end: 0 },
  message: `policy file has ${size} characters, more than the limit of ${max}`,
  help: "split the policy or generate it as JSON",
});

/** RP1013: bytes that are not UTF-8 (`source-encoding.ts`). */
export const notUtf8 = (file: string, problem: NotUtf8): Diagnostic => ({
  code: "RP1013",
  severity: "error",
  span: { file, start: problem.offset, end: problem.offset + 1 },
  ...notUtf8Words(problem),
});

/** RP1007: nesting deeper than the parser allows. */
export const tooDeep = (span: Span, max: number): Diagnostic => ({
  code: "RP1007",
  severity: "error",
  span,
  message: `nesting deeper than ${max} levels`,
  help: "flatten the `any`/`all` tree or the filter",
});

/** RP1008: a setting written twice in the same block. */
export const duplicateSetting = (
  span: Span,
  what: string,
  first: Span | undefined,
): Diagnostic => ({
  code: "RP1008",
  severity: "error",
  span,
  message: `${what} is set twice`,
  ...(first === undefined ? {} : { labels: [{ span: first, message: "first set here" }] }),
  help: "remove one of the two",
});

/** RP1009: no project block. */
export const missingProject = (span: Span): Diagnostic => ({
  code: "RP1009",
  severity: "error",
  span,
  message: "the policy has no `project` block",
  help: 'start the file with `project "id" { plan basic }`',
});

/** RP1010: a second project block. */
export const duplicateProject = (span: Span, first: Span): Diagnostic => ({
  code: "RP1010",
  severity: "error",
  span,
  message: "a second `project` block",
  labels: [{ span: first, message: "the project is declared here" }],
  help: "one file describes one project; move the other project to its own file",
});

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  // Invisible and formatting characters (a BOM, a bidirectional override) by code point only.
  const invisible = isTerminalUnsafe(char) || /\s|\p{Cf}/u.test(char);
  return invisible ? hex : `${tick(char)} (${hex})`;
}

// ------------------------------------------------------------------ lexing

/** Diagnostics for characters the lexer skipped. */
export function lexingDiagnostics(
  file: string,
  text: string,
  errors: readonly ILexingError[],
): Diagnostic[] {
  return errors.map((e) => {
    const char = String.fromCodePoint(text.codePointAt(e.offset) ?? 0);
    return unexpectedCharacter({ file, start: e.offset, end: e.offset + e.length }, char);
  });
}

/** Diagnostics for string tokens that lexed but are not well-formed literals. */
export function stringDiagnostics(file: string, tokens: readonly IToken[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const token of tokens) {
    if (token.tokenType === t.StringLiteral || !isStringToken(token)) continue;
    const problem = stringProblem(token.image);
    if (problem === undefined) continue;
    const at = (offset: number, length: number): Span => ({
      file,
      start: token.startOffset + offset,
      end: token.startOffset + offset + length,
    });
    if (problem.kind === "unterminated") out.push(unterminatedString(tokenSpan(file, token)));
    else if (problem.kind === "escape")
      out.push(invalidEscape(at(problem.offset, 2), problem.text));
    else out.push(controlCharacter(at(problem.offset, 1), problem.char));
  }
  return out;
}

function isStringToken(token: IToken): boolean {
  return token.tokenType === t.BadEscapeString || token.tokenType === t.UnterminatedString;
}

// ------------------------------------------------------------------ recognition

/**
 * Diagnostics for the parser's recognition errors: RP1004 at the offending token, RP1005 when
 * the file ended. Errors at the same token are reported once (recovery can report a token
 * twice), and tokens already reported as bad strings are not blamed again.
 */
export function parseDiagnostics(
  file: string,
  text: string,
  errors: readonly IRecognitionException[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<number>();
  for (const e of errors) {
    const atEnd = e.token.tokenType === EOF || Number.isNaN(e.token.startOffset);
    const offset = atEnd ? text.length : e.token.startOffset;
    if (seen.has(offset)) continue;
    seen.add(offset);
    const info = decodeInfo(e.message);
    const expected = info.expected.map((name) => tokenByName.get(name)).filter(isToken);
    if (atEnd) out.push(unexpectedEnd({ file, start: offset, end: offset }, expected));
    else out.push(unexpectedToken(tokenSpan(file, e.token), e.token, expected));
  }
  return out;
}

/** RP1004: a token the grammar does not accept here. */
export function unexpectedToken(
  span: Span,
  token: IToken,
  expected: readonly TokenType[],
): Diagnostic {
  const suggestion = suggest(token.image, expected);
  return {
    code: "RP1004",
    severity: "error",
    span,
    message: `expected ${describeExpected(expected)}, found ${describeActual(token)}`,
    ...(suggestion === undefined ? {} : { help: `did you mean ${tick(suggestion)}?` }),
  };
}

/** RP1005: the file ended where more was expected. */
export function unexpectedEnd(span: Span, expected: readonly TokenType[]): Diagnostic {
  return {
    code: "RP1005",
    severity: "error",
    span,
    message: `expected ${describeExpected(expected)}, found the end of the file`,
    help: "complete the statement or close the open block",
  };
}

const tokenByName = new Map([...t.allTokens, EOF].map((tok) => [tok.name, tok]));
const isToken = (x: TokenType | undefined): x is TokenType => x !== undefined;

function decodeInfo(message: string): ParseErrorInfo {
  try {
    return JSON.parse(message) as ParseErrorInfo;
  } catch {
    // INVARIANT: every message comes from grammar/parser.ts's provider; keep going if not.
    return { kind: "mismatch", expected: [], rule: "" };
  }
}

/** Keyword images that a category token stands for (`PlanValue` → basic, pro, enterprise). */
function membersOf(category: TokenType): TokenType[] {
  // Declaration order (`basic`, `pro`, `enterprise`), not the lexer's longest-first order.
  return t.keywordTokens.filter((tok) => tok.CATEGORIES?.includes(category) === true);
}

const GENERIC: ReadonlyMap<TokenType, string> = new Map([
  [t.StringLike, "a string"],
  [t.Word, "a word"],
  [t.Identifier, "a word"],
  [t.IPv4, "an IP address or CIDR"],
  [t.IPv6, "an IP address or CIDR"],
  [t.NumberLiteral, "a number"],
  [t.PermissionValue, "a permission"],
  [EOF, "the end of the file"],
]);

const MAX_LISTED = 12;

/** `` `plan`, `name` or `}` `` — every alternative the parser would have taken. */
export function describeExpected(expected: readonly TokenType[]): string {
  const names: string[] = [];
  for (const tok of expected) {
    const generic = GENERIC.get(tok);
    if (generic !== undefined) names.push(generic);
    else if (typeof tok.PATTERN === "string") names.push(tick(tok.PATTERN));
    else names.push(...membersOf(tok).map((m) => tick(String(m.PATTERN))));
  }
  const unique = [...new Set(names)];
  if (unique.length === 0) return "something else";
  const listed = unique.length > MAX_LISTED ? [...unique.slice(0, MAX_LISTED), "…"] : unique;
  if (listed.length === 1) return listed[0] ?? "";
  return `${listed.slice(0, -1).join(", ")} or ${listed.at(-1) ?? ""}`;
}

function describeActual(token: IToken): string {
  if (token.tokenType === t.StringLiteral || token.tokenType === t.BadEscapeString) {
    return "a string";
  }
  const image = token.image.length > 40 ? `${token.image.slice(0, 40)}…` : token.image;
  return tick(image);
}

/** The expected keyword closest to a misspelled word, if there is one. */
function suggest(image: string, expected: readonly TokenType[]): string | undefined {
  const keywords = expected
    .flatMap((tok) => (typeof tok.PATTERN === "string" ? [tok] : membersOf(tok)))
    .map((tok) => tok.PATTERN)
    .filter((p): p is string => typeof p === "string" && /^[a-z]/.test(p));
  return /^[A-Za-z_][\w.-]*$/.test(image) ? didYouMean(image, keywords) : undefined;
}
