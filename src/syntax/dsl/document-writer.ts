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

/** A statement's place in the source: a pointer key and the offset where the statement starts. */
export interface DslAnchor {
  readonly offset: number;
  readonly key: string;
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

/** Accumulates the document's side tables and the diagnostics of building it. */
export class DocumentWriter {
  readonly file: string;
  readonly bag: VisitDiagnostics;
  readonly spans: SpanTree;
  readonly anchors: DslAnchor[] = [];
  readonly #recordAnchors: boolean;

  /**
   * `recordAnchors`: keep statement anchors, which only the formatter needs. `textLength`:
   * the length of the source, to size the span table (a policy has a value per ~12 characters).
   */
  constructor(file: string, bag: VisitDiagnostics, recordAnchors: boolean, textLength = 0) {
    this.spans = new SpanTree(textLength / 12);
    this.file = file;
    this.bag = bag;
    this.#recordAnchors = recordAnchors;
  }

  /** The span of a token. */
  token(token: IToken): Span {
    return tokenSpan(this.file, token);
  }

  /** The span of a syntax-tree node. */
  extent(node: Extent): Span {
    return { file: this.file, start: node.start, end: node.end };
  }

  /** Records a value's span at a node (for values that are not set through `put`). */
  mark(node: SpanNode, span: Span): void {
    node.span = span;
  }

  /**
   * Records that a statement starting at `offset` wrote the value at `node` (for comment
   * placement); `end`: the offset is that of the block's closing `}` (key `<pointer>#end`).
   */
  anchor(node: SpanNode, offset: number, end = false): void {
    if (!this.#recordAnchors) return;
    const pointer = node.pointer();
    this.anchors.push({ offset, key: end ? `${pointer}#end` : pointer });
  }

  /**
   * Sets `target.obj[key]` unless a statement already set it (then RP1008, first one wins).
   * Returns the property's span node, or undefined for a duplicate.
   */
  put(
    target: Target,
    key: string,
    keySpan: Span,
    value: unknown,
    valueSpan: Span,
    what?: string,
  ): SpanNode | undefined {
    if (Object.hasOwn(target.obj, key)) {
      const first = target.ptr.member(key)?.span;
      this.bag.add(duplicateSetting(keySpan, what ?? `\`${key}\``, first));
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
    node.span = valueSpan;
    this.anchor(node, target.at);
    return node;
  }

  /**
   * The object at `target.obj[key]`, created (with span `span`) if absent: for containers that
   * several statements fill, such as `labels.x = …` comparisons or `header` lines.
   */
  child(target: Target, key: string, span: Span): Target {
    const existing: unknown = Object.hasOwn(target.obj, key) ? target.obj[key] : undefined;
    if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) {
      return {
        obj: existing as Record<string, unknown>,
        ptr: target.ptr.child(key),
        at: target.at,
      };
    }
    const obj: Record<string, unknown> = {};
    this.put(target, key, span, obj, span);
    return { obj, ptr: target.ptr.child(key), at: target.at };
  }
}
