/**
 * The base of the CST visitor (see `visitor.ts`): the writer, helpers shared by every statement,
 * and the rules for lists and keys.
 */
import type { CstNode, IToken } from "chevrotain";
import { strictPolicyParser } from "../../../grammar/parser.ts";
import type * as C from "../../../grammar/cst.d.ts";
import { InternalError } from "../../diagnostics/diagnostic.ts";
import type { Span } from "../../diagnostics/span.ts";
import type { SpanNode } from "../span-tree.ts";
import type { DocumentWriter, Target } from "./document-writer.ts";
import { stringValue } from "./literals.ts";

/** A document object under construction. */
export type Obj = Record<string, unknown>;

const BaseVisitor = strictPolicyParser().getBaseCstVisitorConstructor();

/** The first (only) item of a CST slot the grammar guarantees; missing means a bug. */
export function one<T>(items: readonly T[] | undefined): T {
  const first = items?.[0];
  if (first === undefined) throw new InternalError("the CST lacks a token the grammar requires");
  return first;
}

/** The value of a string token. */
export const str = (token: IToken): string => stringValue(token.image);
/** The value of an `on` / `off` / `true` / `false` token. */
export const bool = (token: IToken): boolean => token.image === "on" || token.image === "true";
/** Where a node starts (statement anchors). */
export const at = (node: CstNode): number => node.location?.startOffset ?? 0;

/** Helpers shared by the statement rules, and the list rules. */
export class VisitorBase extends BaseVisitor {
  protected readonly w: DocumentWriter;
  protected readonly text: string;

  constructor(writer: DocumentWriter, text: string) {
    super();
    this.w = writer;
    this.text = text;
  }

  /** Sets the block's identifier (`project "acme"`, `tunnel "api"` …) at `key`. */
  protected id(t: Target, key: string, keyword: IToken, name: IToken): void {
    this.w.put(t, key, this.w.token(keyword), str(name), this.w.token(name));
  }

  /** Writes `key` from a statement: keyword token, value, and the value's span. */
  protected set(
    t: Target,
    node: CstNode,
    key: string,
    keyword: IToken,
    value: unknown,
    span: Span,
  ): SpanNode | undefined {
    return this.w.put(
      { ...t, at: at(node) },
      key,
      this.w.token(keyword),
      value,
      span,
      `\`${keyword.image}\``,
    );
  }

  protected setString(t: Target, node: CstNode, key: string, keyword: IToken, value: IToken): void {
    this.set(t, node, key, keyword, str(value), this.w.token(value));
  }

  protected setWord(t: Target, node: CstNode, key: string, keyword: IToken, value: IToken): void {
    this.set(t, node, key, keyword, value.image, this.w.token(value));
  }

  protected setBool(t: Target, node: CstNode, key: string, keyword: IToken, value: IToken): void {
    this.set(t, node, key, keyword, bool(value), this.w.token(value));
  }

  protected setList(
    t: Target,
    node: CstNode,
    key: string,
    keyword: IToken,
    list: C.ListCstNode,
  ): void {
    const ptr = t.ptr.child(key);
    const values = this.list(list.children, ptr);
    this.set(t, node, key, keyword, values, this.w.node(list));
  }

  // ------------------------------------------------------------------ lists

  list(ctx: C.ListCstChildren, ptr: SpanNode): string[] {
    return (ctx.listItem ?? []).map((item, i) => {
      this.w.mark(ptr.child(i), this.w.node(item));
      return this.listItem(item.children);
    });
  }

  listItem(ctx: C.ListItemCstChildren): string {
    if (ctx.StringLike) return str(one(ctx.StringLike));
    return one(ctx.IPv4 ?? ctx.IPv6 ?? ctx.Word ?? ctx.PermissionValue).image;
  }
}
