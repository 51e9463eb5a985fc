/**
 * Text from a policy made safe to print on a terminal or into a CI log. A policy may spell any
 * character with an escape (`"\u001b[2J"` as a tunnel id or a test name), and messages quote
 * such values: printed raw, an escape sequence would recolour, hide or retitle the output, and
 * a bidirectional override would reorder what the reader sees. Such characters are written
 * back as the `\uXXXX` escape the policy could have used.
 */

/**
 * Control characters (C0 but tab and line feed, DEL, C1), the bidirectional formatting
 * characters (marks, embeddings, overrides, isolates) and the Unicode line separators.
 */
const UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Whether a text holds a character that `terminalSafe` writes as an escape. */
export function isTerminalUnsafe(text: string): boolean {
  return text.search(UNSAFE) >= 0;
}

/** `text` with every unsafe character written as `\uXXXX`; line feeds and tabs are kept. */
export function terminalSafe(text: string): string {
  return text.replace(
    UNSAFE,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}
