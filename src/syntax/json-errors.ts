/**
 * Diagnostics of the JSON reader (RP20xx), one named constructor per code, so the reader's
 * control flow stays readable and every message follows one style.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Span } from "../diagnostics/span.ts";
import type { NotUtf8 } from "./source-encoding.ts";
import { notUtf8Words } from "./source-encoding.ts";

/** How a character is named in a message: visible ones quoted, invisible ones as `U+XXXX`. */
export function describeCharacter(char: string): string {
  const cp = char.codePointAt(0) ?? 0;
  const invisible =
    cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp === 0x60 || /\s|\p{Cf}/u.test(char);
  return invisible ? `U+${cp.toString(16).toUpperCase().padStart(4, "0")}` : `\`${char}\``;
}

/** Text quoted in a message, cut short so a hostile file cannot make a huge message. */
export function excerpt(text: string, max = 40): string {
  const cut = [...text].slice(0, max).join("");
  return cut.length < text.length ? `${cut}…` : cut;
}

const error = (
  code: Diagnostic["code"],
  span: Span,
  message: string,
  help: string,
): Diagnostic => ({
  code,
  severity: "error",
  span,
  message,
  help,
});

/** RP2001: a character no JSON value can start or continue with here. */
export function unexpectedCharacter(span: Span, char: string, expected: string): Diagnostic {
  const help =
    char === "'"
      ? 'JSON strings use double quotes: `"…"`'
      : char === "=" || char === ";"
        ? "JSON separates a property from its value with `:` and entries with `,`"
        : `expected ${expected}`;
  return error("RP2001", span, `unexpected character ${describeCharacter(char)}`, help);
}

/** RP2002: the text ends while a value is still open. */
export function unexpectedEnd(span: Span, expected: string, isEmpty: boolean): Diagnostic {
  return isEmpty
    ? error(
        "RP2002",
        span,
        "the file is empty",
        'a JSON policy is an object such as `{ "project": … }`',
      )
    : error("RP2002", span, "unexpected end of the file", `expected ${expected}`);
}

/** RP2003: a string whose closing quote never comes on its line. */
export function unterminatedString(span: Span): Diagnostic {
  return error(
    "RP2003",
    span,
    "unterminated string",
    'add the closing `"`; a line break inside a string must be written `\\n`',
  );
}

/** RP2004: a backslash followed by something JSON does not define. */
export function invalidEscape(span: Span, escape: string): Diagnostic {
  const shown = /^\\[\x21-\x7e]*$/u.test(escape) && !escape.includes("`") ? `\`${escape}\`` : "";
  return error(
    "RP2004",
    span,
    shown === ""
      ? "invalid escape sequence in a string"
      : `invalid escape sequence ${shown} in a string`,
    'JSON escapes are `\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` and `\\uXXXX`; write a backslash as `\\\\`',
  );
}

/** RP2005: a malformed number, or one too large for a double. */
export function invalidNumber(span: Span, text: string, reason: "syntax" | "range"): Diagnostic {
  if (reason === "range") {
    return error(
      "RP2005",
      span,
      `number \`${excerpt(text)}\` is out of range`,
      "use a number between -1.7e308 and 1.7e308",
    );
  }
  const help = /^-?0\d/.test(text)
    ? "JSON numbers have no leading zeros"
    : /^[+.]/.test(text) || /\.$|\.[eE]/.test(text)
      ? "JSON numbers have digits on both sides of `.` and no leading `+`"
      : "write a number such as `42`, `-1.5` or `1e3`";
  return error("RP2005", span, `invalid number \`${excerpt(text)}\``, help);
}

/** RP2006: a key written twice; JSON.parse would keep the last silently, Rampart refuses. */
export function duplicateKey(span: Span, key: string, first: Span): Diagnostic {
  return {
    ...error(
      "RP2006",
      span,
      `duplicate property \`${key}\``,
      "remove one of them: JSON readers disagree on which one wins",
    ),
    labels: [{ span: first, message: "first written here" }],
  };
}

/** RP2007: nesting beyond the configured depth. */
export function tooDeep(span: Span, maxDepth: number): Diagnostic {
  return error(
    "RP2007",
    span,
    `values are nested more than ${maxDepth} levels deep`,
    "a policy never needs this much nesting; flatten the `AND`/`OR` filters",
  );
}

/** RP2008: a file over the size limit, rejected before any parsing. */
export function tooLarge(span: Span, length: number, maxLength: number): Diagnostic {
  return error(
    "RP2008",
    span,
    `the file has ${length} characters, more than the limit of ${maxLength}`,
    "split the policy into smaller files",
  );
}

/** RP2009: more text after the document's one top-level value. */
export function trailingContent(span: Span): Diagnostic {
  return error(
    "RP2009",
    span,
    "unexpected content after the end of the document",
    "a JSON file holds exactly one value; remove what follows it",
  );
}

/** RP2010: a raw control character (other than a line break) inside a string. */
export function controlCharacter(span: Span, char: string): Diagnostic {
  const escapes: Record<string, string> = { "\t": "\\t", "\b": "\\b", "\f": "\\f" };
  const cp = char.codePointAt(0) ?? 0;
  const escaped = escapes[char] ?? `\\u${cp.toString(16).padStart(4, "0")}`;
  return error(
    "RP2010",
    span,
    `control character ${describeCharacter(char)} inside a string`,
    `write it as \`${escaped}\``,
  );
}

/** RP2011: `[1, 2,]` or `{"a": 1,}`. */
export function trailingComma(span: Span): Diagnostic {
  return error(
    "RP2011",
    span,
    "trailing comma",
    "remove the comma: JSON does not allow one before `]` or `}`",
  );
}

/** RP2012: a `//` or `/* … *\/` comment. */
export function commentNotAllowed(span: Span): Diagnostic {
  return error(
    "RP2012",
    span,
    "comments are not allowed in JSON",
    "remove the comment, or write the policy in the Rampart DSL, which has comments",
  );
}

/** RP2013: `{ project: … }`. */
export function unquotedPropertyName(span: Span, name: string): Diagnostic {
  return error(
    "RP2013",
    span,
    `property name \`${excerpt(name)}\` is not quoted`,
    `write it in double quotes: \`"${excerpt(name)}"\``,
  );
}

/** RP2014: `True`, `NaN`, `undefined` and other bare words in value position. */
export function invalidLiteral(span: Span, word: string): Diagnostic {
  const lower = word.toLowerCase();
  const help =
    lower === "true" || lower === "false" || lower === "null"
      ? `JSON literals are lower case: \`${lower}\``
      : "JSON values are strings in double quotes, numbers, `true`, `false`, `null`, arrays and objects";
  return error("RP2014", span, `unexpected word \`${excerpt(word)}\``, help);
}

/** RP2015: bytes that are not UTF-8 (`source-encoding.ts`). */
export function notUtf8(file: string, problem: NotUtf8): Diagnostic {
  const { message, help } = notUtf8Words(problem);
  return error("RP2015", { file, start: problem.offset, end: problem.offset + 1 }, message, help);
}
