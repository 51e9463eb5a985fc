/**
 * How wide text is on a terminal, so carets land under the right characters: tabs are shown
 * as four spaces, East Asian wide characters and emoji take two columns, combining marks and
 * other zero-width characters none, and control and bidirectional formatting characters are
 * shown as `�` (printed raw, they would be obeyed by the terminal, not shown).
 */
import { isTerminalUnsafe } from "./terminal-text.ts";

/** Columns a tab is shown as (the code frame replaces tabs, it does not align to stops). */
export const TAB_WIDTH = 4;

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200B-\u200F\u2060\uFE00-\uFE0F]$/u;
const EMOJI = /^\p{Emoji_Presentation}$/u;

/** True for code points in the East Asian Wide and Fullwidth blocks. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** How one character (one code point) is shown, and in how many columns. */
export function displayChar(char: string): { readonly text: string; readonly width: number } {
  const cp = char.codePointAt(0) ?? 0;
  if (char === "\t") return { text: " ".repeat(TAB_WIDTH), width: TAB_WIDTH };
  if (cp < 0x20 || isTerminalUnsafe(char) || (cp >= 0xd800 && cp <= 0xdfff)) {
    return { text: "\uFFFD", width: 1 };
  }
  if (ZERO_WIDTH.test(char)) return { text: char, width: 0 };
  if (isWide(cp) || EMOJI.test(char)) return { text: char, width: 2 };
  return { text: char, width: 1 };
}

/** A line made ready for the terminal, with the display column of every UTF-16 offset. */
export interface DisplayLine {
  readonly text: string;
  /** `columns[i]`: display column where UTF-16 offset `i` of the line starts; one extra at the end. */
  readonly columns: readonly number[];
}

/** Converts one source line (no line break) for display. */
export function toDisplayLine(line: string): DisplayLine {
  let text = "";
  const columns: number[] = [];
  let column = 0;
  for (const char of line) {
    const shown = displayChar(char);
    // Both halves of a surrogate pair map to where the character starts.
    for (let i = 0; i < char.length; i++) columns.push(column);
    text += shown.text;
    column += shown.width;
  }
  columns.push(column);
  return { text, columns };
}
