/**
 * Builds the policy document while the visitor walks the CST: sets each property once (a second
 * write is RP1008), and records for every pointer written the span of its value and, for the
 * formatter's comments, the statement it came from. Keyword spans are not kept: one map entry
 * per value is the main cost of parsing a large policy, and the grammar fixes every key anyway.
 */
import type { CstNode, IToken } from "chevrotain";
import type { DiagnosticBag } from "../../diagnostics/bag.ts";
import type { Span } from "../../diagnostics/span.ts";
import { childPointer } from "../ast.ts";
import { duplicateSetting } from "./errors.ts";
import { tokenSpan } from "./literals.ts";

/** A statement's place in the source: a pointer key and the offset where the statement starts. */
export interface DslAnchor {
  readonly offset: number;
  readonly key: string;
}

/** An object under construction, its pointer, and where the current statement starts. */
export interface Target {
  readonly obj: Record<string, unknown>;
  readonly ptr: string;
  readonly at: number;
}

/** Accumulates the document's side tables and the diagnostics of building it. */
export class DocumentWriter {
  readonly file: string;
  readonly bag: DiagnosticBag;
  readonly spans = new Map<string, Span>();
  readonly anchors: DslAnchor[] = [];
  readonly #recordAnchors: boolean;

  /** `recordAnchors`: keep statement anchors, which only the formatter needs. */
  constructor(file: string, bag: DiagnosticBag, recordAnchors: boolean) {
    this.file = file;
    this.bag = bag;
    this.#recordAnchors = recordAnchors;
  }

  /** The span of a token. */
  token(token: IToken): Span {
    return tokenSpan(this.file, token);
  }

  /** The span of a CST node (location tracking is on, so every node has one). */
  node(node: CstNode): Span {
    const start = node.location?.startOffset ?? 0;
    const end = node.location?.endOffset ?? start;
    return { file: this.file, start, end: Number.isNaN(end) ? start : end + 1 };
  }

  /** Records a value's span at a pointer (for values that are not set through `put`). */
  mark(pointer: string, span: Span): void {
    this.spans.set(pointer, span);
  }

  /** Records that a statement starting at `offset` wrote `key` (for comment placement). */
  anchor(key: string, offset: number): void {
    if (this.#recordAnchors) this.anchors.push({ offset, key });
  }

  /**
   * Sets `target.obj[key]` unless a statement already set it (then RP1008, first one wins).
   * Returns the property's pointer, or undefined for a duplicate.
   */
  put(
    target: Target,
    key: string,
    keySpan: Span,
    value: unknown,
    valueSpan: Span,
    what?: string,
  ): string | undefined {
    const pointer = fastChildPointer(target.ptr, key);
    if (Object.hasOwn(target.obj, key)) {
      const first = this.spans.get(pointer);
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
    this.spans.set(pointer, valueSpan);
    this.anchor(pointer, target.at);
    return pointer;
  }

  /**
   * The object at `target.obj[key]`, created (with span `span`) if absent: for containers that
   * several statements fill, such as `labels.x = …` comparisons or `header` lines.
   */
  child(target: Target, key: string, span: Span): Target {
    const pointer = fastChildPointer(target.ptr, key);
    const existing: unknown = Object.hasOwn(target.obj, key) ? target.obj[key] : undefined;
    if (typeof existing === "object" && existing !== null && !Array.isArray(existing)) {
      return { obj: existing as Record<string, unknown>, ptr: pointer, at: target.at };
    }
    const obj: Record<string, unknown> = {};
    this.put(target, key, span, obj, span);
    return { obj, ptr: pointer, at: target.at };
  }
}

/** `childPointer`, without the escaping work for the usual keys that need none. */
// HOT PATH: called once per value of a policy with tens of thousands of tunnels.
function fastChildPointer(parent: string, key: string): string {
  return key.includes("~") || key.includes("/") ? childPointer(parent, key) : `${parent}/${key}`;
}
