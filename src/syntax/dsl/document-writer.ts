/**
 * Builds the policy document from the parser's syntax tree: sets each property once (a second
 * write is RP1008), and records for every value written its span (in a `SpanTree`, whose nodes
 * the builders pass around instead of JSON Pointer strings) and, for the formatter's comments,
 * the statement it came from. Keyword spans are not kept: one entry per value is the main cost
 * of parsing a large policy, and the grammar fixes every key anyway.
 */
import type { IToken } from "chevrotain";
import type { Extent } from "../../../grammar/syntax-tree.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { Span } from "../../diagnostics/span.ts";
import { SpanTree } from "../span-tree.ts";
import type { SpanNode } from "../span-tree.ts";
import { duplicateSetting } from "./errors.ts";
import { tokenSpan } from "./literals.ts";

/**
 * A statement's place in the source: the offset where it starts (or, with `end`, the offset of
 * its block's closing `}`) and the node of the value it wrote. Its key, the node's JSON Pointer
 * (`…#end` with `end`), is made only for the few anchors a comment is attached to
 * (`anchorKey`): a large policy has hundreds of thousands of statements.
 */
export interface DslAnchor {
  readonly offset: number;
  readonly node: SpanNode;
  readonly end: boolean;
}

/** The key comments are filed under for an anchor (see `comments.ts`). */
export function anchorKey(anchor: DslAnchor): string {
  const pointer = anchor.node.pointer();
  return anchor.end ? `${pointer}#end` : pointer;
}

/** An object under construction, its span node, and where the current statement starts. */
export interface Target {
  readonly obj: Record<string, unknown>;
  readonly ptr: SpanNode;
  readonly at: number;
}

/**
 * The diagnostics of building the document. Declarations are visited in file order as they are
 * parsed, but reported as if visited kind by kind (the schema line, the project, then all
 * tunnels, grants, credentials, tests): that order decides which diagnostics a capped bag
 * keeps, so it stays what it was when the whole file was built at once.
 */
export class VisitDiagnostics {
  /** The kind of declaration being visited: 0 schema, 1 project, 2 tunnels … 5 tests. */
  rank = 0;
  readonly #items: { readonly rank: number; readonly diagnostic: Diagnostic }[] = [];

  add(diagnostic: Diagnostic): void {
    this.#items.push({ rank: this.rank, diagnostic });
  }

  hasErrors(): boolean {
    return hasErrors(this.#items.map((i) => i.diagnostic));
  }

  /** Every diagnostic, by kind of declaration, then in the order reported (a stable sort). */
  inVisitOrder(): Diagnostic[] {
    return [...this.#items].sort((a, b) => a.rank - b.rank).map((i) => i.diagnostic);
  }
}

/** Where a value or key was written: a token, or a syntax-tree node (or span) of this file. */
export type Written = IToken | Extent;

/** Accumulates the document's side tables and the diagnostics of building it. */
export class DocumentWriter {
  readonly file: string;
  readonly bag: VisitDiagnostics;
  readonly spans: SpanTree;
  readonly anchors: DslAnchor[] = [];
  readonly #recordAnchors: boolean;
  /** `file` in the span table. */
  readonly #fileId: number;

  /**
   * `recordAnchors`: keep statement anchors, which only the formatter needs. `textLength`:
   * the length of the source, to size the span table (a policy has a value per ~12 characters).
   */
  constructor(file: string, bag: VisitDiagnostics, recordAnchors: boolean, textLength = 0) {
    this.spans = new SpanTree(textLength / 12);
    this.file = file;
    this.bag = bag;
    this.#recordAnchors = recordAnchors;
    this.#fileId = this.spans.fileId(file);
  }

  /** The span of a token. */
  token(token: IToken): Span {
    return tokenSpan(this.file, token);
  }

  /** The span of a syntax-tree node. */
  extent(node: Extent): Span {
    return { file: this.file, start: node.start, end: node.end };
  }

  /** The span of a token or node. */
  span(written: Written): Span {
    return "image" in written ? this.token(written) : this.extent(written);
  }

  /**
   * Records a value's span at a node (for values that are not set through `put`). Written
   * straight into the span table: a large policy has a few hundred thousand values, and a span
   * object for each was garbage as soon as it was stored.
   */
  mark(node: SpanNode, written: Written): void {
    if ("image" in written) {
      const end = (written.endOffset ?? written.startOffset) + 1;
      node.setRange(this.#fileId, written.startOffset, end);
    } else {
      node.setRange(this.#fileId, written.start, written.end);
    }
  }

  /**
   * Records that a statement starting at `offset` wrote the value at `node` (for comment
   * placement); `end`: the offset is that of the block's closing `}` (key `<pointer>#end`).
   */
  anchor(node: SpanNode, offset: number, end = false): void {
    if (this.#recordAnchors) this.anchors.push({ offset, node, end });
  }

  /**
   * Sets `target.obj[key]` unless a statement already set it (then RP1008, first one wins,
   * described as `what`, by default the key). Returns the property's span node, or undefined
   * for a duplicate.
   */
  put(
    target: Target,
    key: string,
    keyAt: Written,
    value: unknown,
    valueAt: Written,
    what?: string,
  ): SpanNode | undefined {
    return this.#put(target, target.at, key, keyAt, value, valueAt, what ?? false);
  }

  /**
   * `put` for the statement `keyword value` that starts at offset `at`: a duplicate is
   * described by the keyword as written (`hosts`, not the key `hostname`).
   */
  putStatement(
    target: Target,
    at: number,
    key: string,
    keyword: IToken,
    value: unknown,
    valueAt: Written,
  ): SpanNode | undefined {
    return this.#put(target, at, key, keyword, value, valueAt, true);
  }

  #put(
    target: Target,
    at: number,
    key: string,
    keyAt: Written,
    value: unknown,
    valueAt: Written,
    /** How a duplicate is described: as given, by the keyword `keyAt` (true), or by the key. */
    what: string | boolean,
  ): SpanNode | undefined {
    if (Object.hasOwn(target.obj, key)) {
      // Only a duplicate needs the descriptions, so they are made here, not by every caller.
      const first = target.ptr.member(key)?.span;
      const keyword = what === true && "image" in keyAt ? keyAt.image : key;
      const described = typeof what === "string" ? what : `\`${keyword}\``;
      this.bag.add(duplicateSetting(this.span(keyAt), described, first));
      return undefined;
    }
    if (key === "__proto__") {
      // Assignment would set the prototype: a label or header named `__proto__` is data.
      Object.defineProperty(target.obj, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      target.obj[key] = value;
    }
    const node = target.ptr.child(key);
    this.mark(node, valueAt);
    this.anchor(node, at);
    return node;
  }

  /**
   * The object at `target.obj[key]`, created (written at `at`) if absent: for containers that
   * several statements fill, such as `labels.x = …` comparisons or `header` lines.
   */
  child(target: Target, key: string, written: Written): Target {
    const existing: unknown = Object.hasOwn(target.obj, key) ? target.obj[key] : undefined;
    if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) {
      return {
        obj: existing as Record<string, unknown>,
        ptr: target.ptr.child(key),
        at: target.at,
      };
    }
    const obj: Record<string, unknown> = {};
    this.put(target, key, written, obj, written);
    return { obj, ptr: target.ptr.child(key), at: target.at };
  }
}
