/**
 * Helpers shared by the builders that turn the parser's syntax tree into the document: token
 * values, and writing a statement's value with its span through the `DocumentWriter`.
 */
import type { IToken, TokenType } from "chevrotain";
import type { Setting, TokenList } from "../../../grammar/syntax-tree.ts";
import { isStringToken, StringLiteral } from "../../../grammar/tokens.ts";
import { InternalError } from "../../diagnostics/diagnostic.ts";
import type { SpanNode } from "../span-tree.ts";
import type { DocumentWriter, Target, Written } from "./document-writer.ts";
import { stringValue } from "./literals.ts";

/** A document object under construction. */
export type Obj = Record<string, unknown>;

/** The value of a string token. */
export function str(token: IToken): string {
  const image = token.image;
  // A well-formed literal without escapes (most of them) is the text between its quotes.
  if (token.tokenType === StringLiteral && !image.includes("\\")) return image.slice(1, -1);
  return stringValue(image);
}
/** The value of an `on` / `off` / `true` / `false` token. */
export const bool = (token: IToken): boolean => token.image === "on" || token.image === "true";
/** A map key or list item: a string's value, or a word's (or an address's) image. */
export const word = (token: IToken): string => (isStringToken(token) ? str(token) : token.image);

/** How a statement's value token becomes the document value. */
export type ValueKind = "string" | "word" | "bool" | "list";

/** Where each statement keyword of one kind of block writes, and how it reads its value. */
export type SettingKeys = ReadonlyMap<TokenType, readonly [key: string, kind: ValueKind]>;

/** Writes `key` from the statement `keyword value` that starts at `statementStart`. */
export function set(
  w: DocumentWriter,
  t: Target,
  statementStart: number,
  key: string,
  keyword: IToken,
  value: unknown,
  at: Written,
): SpanNode | undefined {
  return w.putStatement(t, statementStart, key, keyword, value, at);
}

/** The values of a list, each item's span recorded under `ptr`. */
export function listValues(w: DocumentWriter, list: TokenList, ptr: SpanNode): string[] {
  return list.items.map((item, i) => {
    w.mark(ptr.child(i), item);
    return word(item);
  });
}

/** Writes a list statement's values at `key`. */
export function setList(
  w: DocumentWriter,
  t: Target,
  statement: Setting,
  key: string,
  list: TokenList,
): void {
  const values = listValues(w, list, t.ptr.child(key));
  set(w, t, statement.start, key, statement.keyword, values, list);
}

/** Writes a `keyword value` statement where `keys` says, read as `keys` says. */
export function applySetting(
  w: DocumentWriter,
  t: Target,
  statement: Setting,
  keys: SettingKeys,
): void {
  const entry = keys.get(statement.keyword.tokenType);
  const value = statement.value;
  if (entry === undefined || value === undefined) {
    throw new InternalError(`no document key for \`${statement.keyword.image}\` here`);
  }
  const [key, kind] = entry;
  if (kind === "list") {
    if (!("items" in value)) throw new InternalError(`\`${key}\` takes a list`);
    return setList(w, t, statement, key, value);
  }
  if ("items" in value) throw new InternalError(`\`${key}\` takes one value`);
  const scalar = kind === "string" ? str(value) : kind === "bool" ? bool(value) : value.image;
  set(w, t, statement.start, key, statement.keyword, scalar, value);
}
