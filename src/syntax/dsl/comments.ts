/**
 * Comments for the formatter. A comment on a line of its own belongs to the statement that
 * follows it (or to the closing `}` of its block, or to the end of the file); a comment after
 * code on the same line trails the last statement that starts on that line. Statements are
 * named by the anchor keys the document builders record (JSON Pointers, `…#end` for a closing brace), and
 * the printer emits each comment next to the line that carries its key.
 */
import type { IToken } from "chevrotain";
import { anchorKey } from "./document-writer.ts";
import type { DslAnchor } from "./document-writer.ts";

/** Comments keyed by anchor: whole-line comments before a line, and one trailing comment. */
export interface DslComments {
  readonly leading: ReadonlyMap<string, readonly string[]>;
  readonly trailing: ReadonlyMap<string, readonly string[]>;
}

/** The key of the end of the file, for comments after the last statement. */
export const END_OF_FILE = "#eof";

/** Attaches each comment token to an anchor. */
export function attachComments(
  text: string,
  comments: readonly IToken[],
  anchors: readonly DslAnchor[],
): DslComments {
  const sorted = [...anchors].sort((a, b) => a.offset - b.offset);
  const leading = new Map<string, string[]>();
  const trailing = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, image: string): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [image]);
    else list.push(image);
  };
  for (const comment of comments) {
    const image = comment.image.trimEnd();
    const lineStart = lineStartBefore(text, comment.startOffset);
    const owner =
      text.slice(lineStart, comment.startOffset).trim() === ""
        ? undefined
        : lastAnchorBetween(sorted, lineStart, comment.startOffset);
    if (owner !== undefined) push(trailing, owner, image);
    else push(leading, firstAnchorAfter(sorted, comment.startOffset) ?? END_OF_FILE, image);
  }
  return { leading, trailing };
}

/**
 * Where the line holding `offset` starts: after the nearest LF or CR before it, as the lexer
 * ends a comment at either (a file saved with CR line ends has no LF to search back to).
 */
function lineStartBefore(text: string, offset: number): number {
  let at = offset;
  while (at > 0) {
    const c = text.charCodeAt(at - 1);
    if (c === 0x0a || c === 0x0d) break;
    at--;
  }
  return at;
}

function lastAnchorBetween(
  anchors: readonly DslAnchor[],
  from: number,
  to: number,
): string | undefined {
  let found: DslAnchor | undefined;
  for (const a of anchors) {
    if (a.offset >= to) break;
    if (a.offset >= from) found = a;
  }
  return found === undefined ? undefined : anchorKey(found);
}

function firstAnchorAfter(anchors: readonly DslAnchor[], offset: number): string | undefined {
  let lo = 0;
  let hi = anchors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((anchors[mid]?.offset ?? 0) > offset) hi = mid;
    else lo = mid + 1;
  }
  // Several keys can start at one offset (`scope`, `scopes`, `connect`): take the last, the
  // most specific statement.
  const offsetFound = anchors[lo]?.offset;
  while (anchors[lo + 1] !== undefined && anchors[lo + 1]?.offset === offsetFound) lo++;
  const found = anchors[lo];
  return found === undefined ? undefined : anchorKey(found);
}

/** How many comments a table holds (the formatter checks that none were lost). */
export function countComments(comments: DslComments): number {
  let n = 0;
  for (const list of comments.leading.values()) n += list.length;
  for (const list of comments.trailing.values()) n += list.length;
  return n;
}
