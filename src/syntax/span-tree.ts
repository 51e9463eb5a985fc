/**
 * The span table of a parsed policy as a tree that mirrors the document: one node per value
 * the front end wrote, holding that value's span and its members' nodes. Front ends fill it
 * while they build the document, without composing a JSON Pointer string per value (for a
 * 10,000-tunnel policy, ~380k strings and inserts into one large hash table); a pointer is
 * only read, token by token and in place, when a span is looked up.
 */
import type { Span } from "../diagnostics/span.ts";

/** Above this many members, an object node indexes its keys (below, a scan is faster). */
const INDEX_AT = 16;
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/** One written value: its span (if the front end recorded one) and its members. */
export class SpanNode {
  /** The span of the value written here; undefined for a path only passed through. */
  span: Span | undefined = undefined;
  readonly #parent: SpanNode | undefined;
  readonly #key: string | number;
  /** Object member names, parallel to `#kids`; undefined while the node is an array (or leaf). */
  #keys: string[] | undefined = undefined;
  #kids: SpanNode[] | undefined = undefined;
  #index: Map<string, SpanNode> | undefined = undefined;

  constructor(parent?: SpanNode, key: string | number = "") {
    this.#parent = parent;
    this.#key = key;
  }

  /** The node of member `key` (an array index as a number, a property name as a string), created if absent. */
  child(key: string | number): SpanNode {
    const found = this.member(key);
    if (found !== undefined) return found;
    const node = new SpanNode(this, key);
    if (typeof key === "number" && this.#keys === undefined) {
      (this.#kids ??= [])[key] = node;
      return node;
    }
    const keys = this.#objectKeys();
    keys.push(String(key));
    (this.#kids ??= []).push(node);
    this.#index?.set(String(key), node);
    return node;
  }

  /** The node of member `key`, if one was written. */
  member(key: string | number): SpanNode | undefined {
    const kids = this.#kids;
    if (kids === undefined) return undefined;
    const keys = this.#keys;
    if (keys === undefined) {
      const i = typeof key === "number" ? key : ARRAY_INDEX.test(key) ? Number(key) : -1;
      return i >= 0 ? kids[i] : undefined;
    }
    const name = String(key);
    if (this.#index !== undefined) return this.#index.get(name);
    // HOT PATH: lowering looks up ~17 members per tunnel; objects here have a dozen keys.
    for (let i = 0; i < keys.length; i++) if (keys[i] === name) return kids[i];
    if (keys.length > INDEX_AT) this.#index = new Map(keys.map((k, i) => [k, kids[i] as SpanNode]));
    return undefined;
  }

  /**
   * `member` of the encoded reference token `pointer[from, to)`, compared in place: a lookup
   * cuts no strings out of the pointer unless the token is escaped.
   */
  // HOT PATH: lowering looks up ~17 pointers per tunnel and grant.
  memberIn(pointer: string, from: number, to: number): SpanNode | undefined {
    const kids = this.#kids;
    if (kids === undefined) return undefined;
    const keys = this.#keys;
    if (keys === undefined) return kids[arrayIndex(pointer, from, to)];
    const tilde = pointer.indexOf("~", from);
    if (this.#index !== undefined || (tilde >= 0 && tilde < to)) {
      return this.member(decodeToken(pointer.slice(from, to)));
    }
    const length = to - from;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (key.length === length && pointer.startsWith(key, from)) return kids[i];
    }
    return keys.length > INDEX_AT ? this.member(pointer.slice(from, to)) : undefined;
  }

  /** This node's JSON Pointer (built on demand: only the formatter and iteration need it). */
  pointer(): string {
    if (this.#parent === undefined) return "";
    const token = String(this.#key).replaceAll("~", "~0").replaceAll("/", "~1");
    return `${this.#parent.pointer()}/${token}`;
  }

  /**
   * Every node at or under this one with a span: members in the order written, each before
   * its container (the order in which a reader finishes values, as the JSON reader does).
   */
  *entries(pointer: string): Generator<[string, Span]> {
    const kids = this.#kids ?? [];
    const keys = this.#keys;
    for (let i = 0; i < kids.length; i++) {
      const kid = kids[i];
      if (kid === undefined) continue;
      const key = keys === undefined ? String(i) : (keys[i] as string);
      yield* kid.entries(`${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
    }
    if (this.span !== undefined) yield [pointer, this.span];
  }

  /** Turns an array node into an object node, for a name that is not an index. */
  #objectKeys(): string[] {
    if (this.#keys !== undefined) return this.#keys;
    const kids = this.#kids ?? [];
    const keys: string[] = [];
    const dense: SpanNode[] = [];
    kids.forEach((kid, i) => {
      keys.push(String(i));
      dense.push(kid);
    });
    this.#kids = dense;
    this.#keys = keys;
    return keys;
  }
}

/** The array index `pointer[from, to)` spells (digits, no leading zero), else -1. */
function arrayIndex(pointer: string, from: number, to: number): number {
  if (to === from || (to - from > 1 && pointer.charCodeAt(from) === 0x30)) return -1;
  let index = 0;
  for (let i = from; i < to; i++) {
    const digit = pointer.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    index = index * 10 + digit;
  }
  return index;
}

/** Decodes one JSON Pointer reference token (RFC 6901: `~1` → `/`, `~0` → `~`). */
function decodeToken(token: string): string {
  return token.includes("~") ? token.replaceAll("~1", "/").replaceAll("~0", "~") : token;
}

/**
 * A span table backed by a `SpanNode` tree, readable as a `ReadonlyMap` from JSON Pointer to
 * span. Lookups walk the pointer's tokens; iteration builds the pointers as it goes.
 */
export class SpanTree implements ReadonlyMap<string, Span> {
  /** The node of the whole document (pointer `""`). */
  readonly root = new SpanNode();
  /** The parent of the last pointer looked up: lookups come in runs of siblings. */
  #lastParent = "\u0000";
  #lastParentNode: SpanNode | undefined = undefined;
  /** The nearest span strictly above the remembered parent. */
  #lastParentAbove: Span | undefined = undefined;

  /** The node at `pointer`, if one was written there (or under it). */
  node(pointer: string): SpanNode | undefined {
    return pointer === "" ? this.root : this.#walk(pointer).node;
  }

  get(pointer: string): Span | undefined {
    return this.node(pointer)?.span;
  }

  has(pointer: string): boolean {
    return this.get(pointer) !== undefined;
  }

  /**
   * The span at `pointer`, or at its nearest ancestor that has one (`spanAt`). The parent of
   * the last pointer is remembered, so sibling after sibling costs one member lookup.
   */
  nearest(pointer: string): Span | undefined {
    if (pointer === "") return this.root.span;
    const cut = pointer.lastIndexOf("/");
    const last = this.#lastParent;
    // HOT PATH: lowering asks for member after member of one value; no strings are cut here.
    let parentNode =
      cut === last.length && pointer.startsWith(last) ? this.#lastParentNode : undefined;
    if (parentNode === undefined) {
      const parent = pointer.slice(0, cut);
      const found = parent === "" ? { node: this.root, above: undefined } : this.#walk(parent);
      if (found.node === undefined) return found.above;
      // Only a node that exists is remembered: members written later are still found.
      parentNode = found.node;
      this.#lastParent = parent;
      this.#lastParentNode = parentNode;
      this.#lastParentAbove = found.above;
    }
    const own = parentNode.memberIn(pointer, cut + 1, pointer.length)?.span;
    return own ?? parentNode.span ?? this.#lastParentAbove;
  }

  get size(): number {
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }

  entries(): MapIterator<[string, Span]> {
    return this.root.entries("");
  }

  *keys(): MapIterator<string> {
    for (const [pointer] of this.entries()) yield pointer;
  }

  *values(): MapIterator<Span> {
    for (const [, span] of this.entries()) yield span;
  }

  [Symbol.iterator](): MapIterator<[string, Span]> {
    return this.entries();
  }

  forEach(callback: (value: Span, key: string, map: ReadonlyMap<string, Span>) => void): void {
    for (const [pointer, span] of this.entries()) callback(span, pointer, this);
  }

  /**
   * Walks `pointer` from the root: the node there (undefined if none was written), and the
   * nearest span strictly above that node (or above where the walk stopped, inclusive).
   */
  #walk(pointer: string): { node: SpanNode | undefined; above: Span | undefined } {
    let node: SpanNode | undefined = this.root;
    let above: Span | undefined = undefined;
    let start = 1;
    while (start <= pointer.length) {
      above = node.span ?? above;
      let end = pointer.indexOf("/", start);
      if (end < 0) end = pointer.length;
      const next: SpanNode | undefined = node.memberIn(pointer, start, end);
      if (next === undefined) return { node: undefined, above };
      node = next;
      start = end + 1;
    }
    return { node, above };
  }
}
