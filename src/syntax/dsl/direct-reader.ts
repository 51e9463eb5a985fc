/**
 * What the direct path (`text-to-document.ts`) reads and writes with: the scanner's current
 * token, read on demand, and the document's span rows, written by number. The statements are
 * read by `direct-settings.ts`, `direct-grants.ts` and `direct-tests.ts`; each writes the values and spans the
 * tree builders (`build-*.ts`) write for the same statement, in the same order, and throws
 * `GIVE_UP` wherever the grammar would fail or a builder would report a diagnostic.
 */
import type { TokenType } from "chevrotain";
import * as t from "../../../grammar/tokens.ts";
import type { CodeUnits } from "../code-units.ts";
import type { RowWriter } from "../span-tree.ts";
import type { Obj } from "./build-values.ts";
import { stringValue } from "./literals.ts";
import { Scanner } from "./scanner.ts";

/** Thrown to leave the direct path: the file then takes the path that reports problems. */
export const GIVE_UP = Symbol("give up");

/** One more than the largest `tokenTypeIdx` a token read can have (a read past it is undefined). */
// SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
const TYPE_COUNT = 1 + Math.max(...t.allTokens.map((type) => type.tokenTypeIdx as number));

/**
 * The members of each category, by the category's `tokenTypeIdx` (a table of 1s by member
 * `tokenTypeIdx`), made for every category when the module loads: made on first use, a table
 * for a category first met half-way through a large file (grants follow tunnels) threw the
 * optimized reader back to the interpreter. Filled to its full length: a read past the end of
 * the array (a plain type's index) would do the same.
 */
const CATEGORY_MEMBERS = new Array<Uint8Array | undefined>(TYPE_COUNT).fill(undefined);
for (const category of t.allTokens) {
  if (category.isParent !== true) continue;
  const members = new Uint8Array(TYPE_COUNT);
  for (const type of t.allTokens) {
    // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
    const idx = type.tokenTypeIdx as number;
    if (category.categoryMatchesMap?.[idx] === true) members[idx] = 1;
  }
  // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
  CATEGORY_MEMBERS[category.tokenTypeIdx as number] = members;
}

/** Whether a token of type `type` is of (or in category) `expected`, as Chevrotain matches. */
function matches(type: TokenType | undefined, expected: TokenType): boolean {
  if (type === expected) return true;
  if (type === undefined) return false;
  // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
  const members = CATEGORY_MEMBERS[expected.tokenTypeIdx as number];
  // Only a category has members (most calls ask for one plain type, such as `}`).
  // SAFETY: as above.
  return members !== undefined && members[type.tokenTypeIdx as number] === 1;
}

/** The list elements, by `tokenTypeIdx`: strings, addresses and CIDRs, words, permissions. */
const LIST_ITEMS = new Uint8Array(TYPE_COUNT);
for (const type of t.allTokens) {
  const item =
    type === t.StringLiteral ||
    type === t.IPv4 ||
    type === t.IPv6 ||
    matches(type, t.Word) ||
    matches(type, t.PermissionValue);
  // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
  if (item) LIST_ITEMS[type.tokenTypeIdx as number] = 1;
}

/** A list element: a string, an address or CIDR, a word, or a permission. */
function isListItem(type: TokenType | undefined): boolean {
  // SAFETY: `createToken` gives every token type its `tokenTypeIdx`.
  return type !== undefined && LIST_ITEMS[type.tokenTypeIdx as number] === 1;
}

/** Sets `obj[key]`, a key the file named: a label or header named `__proto__` is data. */
export function assign(obj: Obj, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    obj[key] = value;
  }
}

/**
 * The scanner of one file (its current token is this reader's `type`, `start` and `end`) and the
 * span rows of its document. A subclass, not a wrapper: the statement readers ask for the
 * current token several times per token, and each ask through a getter was a call until the
 * optimizing compiler inlined it (a long file is read once: much of it runs before that).
 */
export class DirectReader extends Scanner {
  // `declare`d plain properties, not `#` fields (see `Scanner` and `SpanStore`).
  declare private readonly rows: RowWriter;
  declare private readonly file: number;
  /** Where `listValues` collects a list's items (reused; lists do not nest). */
  declare private readonly scratch: string[];
  /** The offsets of the token last taken. */
  lastStart = 0;
  lastEnd = 0;

  /** `units`: `text`'s code units; `file`: the file's number in the span table `rows` writes. */
  constructor(text: string, units: CodeUnits, rows: RowWriter, file: number) {
    super(text, units, 0);
    // One scanner call per token read: a loop over comments here was inlined with this method
    // at each of its ~20 call sites in the optimized statement readers.
    this.skipsComments = true;
    this.rows = rows;
    this.file = file;
    this.scratch = [];
  }

  /** Moves to the next token, past comments (`skipsComments`). */
  advance(): void {
    if (!this.next()) throw GIVE_UP;
  }

  /** Whether the current token is of (or in category) `type`. */
  is(type: TokenType): boolean {
    return matches(this.type, type);
  }

  /** Whether the current token may be a list element. */
  isListItem(): boolean {
    return isListItem(this.type);
  }

  /** Takes the current token, which must be of (or in category) `type`. */
  take(type: TokenType): void {
    if (!matches(this.type, type)) throw GIVE_UP;
    this.took();
  }

  /** Takes the current token if it is of (or in category) `type`: whether it was. */
  option(type: TokenType): boolean {
    if (!matches(this.type, type)) return false;
    this.took();
    return true;
  }

  private took(): void {
    this.lastStart = this.start;
    this.lastEnd = this.end;
    this.advance();
  }

  /** Takes a token of (or in category) `type`: its text (a keyword's own image). */
  takeImage(type: TokenType): string {
    if (!matches(this.type, type)) throw GIVE_UP;
    const image = this.image();
    this.took();
    return image;
  }

  /** Takes a string literal: its value. */
  takeString(): string {
    if (this.type !== t.StringLiteral) throw GIVE_UP;
    const { text, start, end } = this;
    // A literal without escapes (most of them) is the text between its quotes.
    const value = this.escaped
      ? stringValue(text.slice(start, end))
      : text.slice(start + 1, end - 1);
    this.took();
    return value;
  }

  /** Takes a map key or list item: a string's value, or a word's (or an address's) text. */
  takeWord(): string {
    return this.type === t.StringLiteral ? this.takeString() : this.takeImage(this.type ?? t.Word);
  }

  /** Takes a map key: a bare word or a string. */
  takeKey(): string {
    if (this.is(t.Word)) return this.takeImage(t.Word);
    return this.takeString();
  }

  // ---------------------------------------------------------------- writing

  /** A new member `key` of span row `row`: its row. */
  row(row: number, key: string | number): number {
    return this.rows.append(row, key);
  }

  /** Sets row `row`'s span to `[start, end)`. */
  span(row: number, start: number, end: number): void {
    this.rows.setRange(row, this.file, start, end);
  }

  /**
   * Sets `obj[key]` to `value` with the span `[start, end)` in a new member row of `row`: its
   * row. A key already set (RP1008 on the tree path) gives up.
   */
  put(obj: Obj, row: number, key: string, value: unknown, start: number, end: number): number {
    this.claim(obj, key);
    assign(obj, key, value);
    return this.rows.appendSpan(row, key, this.file, start, end);
  }

  /** Gives up unless `obj[key]` is still unset (a second write is RP1008 on the tree path). */
  claim(obj: Obj, key: string): void {
    if (Object.hasOwn(obj, key)) throw GIVE_UP;
  }

  /**
   * Takes `[items]` and writes them at `obj[key]`, as `setList` does: the list's row, then a
   * row per item, then the value with the list's span.
   */
  putList(obj: Obj, row: number, key: string): void {
    this.claim(obj, key);
    const listRow = this.rows.append(row, key);
    obj[key] = this.listValues(listRow);
    this.span(listRow, this.lastStart, this.lastEnd);
  }

  /**
   * Takes `[items]`: their values, each item's span in a new member row of `listRow` (as
   * `listValues` does). After it, `lastStart` and `lastEnd` are the list's.
   */
  listValues(listRow: number): string[] {
    if (this.type !== t.LSquare) throw GIVE_UP;
    const open = this.start;
    this.advance();
    // The items go to a scratch array first and the list is an exact copy: a list grown by
    // `push` keeps room for 17 items, most lists hold one to three, and they all stay live.
    const scratch = this.scratch;
    let count = 0;
    while (this.type !== t.RSquare) {
      if (!isListItem(this.type)) throw GIVE_UP;
      this.rows.appendSpan(listRow, count, this.file, this.start, this.end);
      scratch[count++] = this.takeWord();
      this.option(t.Comma);
    }
    this.take(t.RSquare);
    this.lastStart = open;
    return scratch.slice(0, count);
  }
}
