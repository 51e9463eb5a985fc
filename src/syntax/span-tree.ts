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

/**
 * One written value: its span (if the front end recorded one) and its members. A large policy
 * has one node per value (~370,000 for 10,000 tunnels), so a node is kept small: the span as
 * two offsets, object members as a linked list (no arrays per node), an array's members in one
 * array, and a key index only for objects with many members.
 */
export class SpanNode {
  #file: string | undefined = undefined;
  #start = 0;
  #end = 0;
  readonly #parent: SpanNode | undefined;
  /** The name (object member) or index (array member) this node has in its parent. */
  #key: string | number;
  /** An object's first and last members, each linking to the next in the order written. */
  #first: SpanNode | undefined = undefined;
  #last: SpanNode | undefined = undefined;
  #next: SpanNode | undefined = undefined;
  /** An array's members by index; or, for an object with many members, its key index. */
  #lookup: SpanNode[] | Map<string, SpanNode> | undefined = undefined;

  constructor(parent?: SpanNode, key: string | number = "") {
    this.#parent = parent;
    this.#key = key;
  }

  /** The span of the value written here; undefined for a path only passed through. */
  get span(): Span | undefined {
    const file = this.#file;
    return file === undefined ? undefined : { file, start: this.#start, end: this.#end };
  }

  set span(span: Span | undefined) {
    this.#file = span?.file;
    this.#start = span?.start ?? 0;
    this.#end = span?.end ?? 0;
  }

  /** The node of member `key` (an array index as a number, a property name as a string), created if absent. */
  child(key: string | number): SpanNode {
    const found = this.member(key);
    if (found !== undefined) return found;
    const node = new SpanNode(this, key);
    const array = this.#first === undefined ? (this.#lookup ?? []) : undefined;
    if (typeof key === "number" && Array.isArray(array)) {
      array[key] = node;
      this.#lookup = array;
      return node;
    }
    this.#becomeObject();
    node.#key = String(key);
    this.#append(node);
    if (this.#lookup instanceof Map) this.#lookup.set(node.#key, node);
    return node;
  }

  /** The node of member `key`, if one was written. */
  member(key: string | number): SpanNode | undefined {
    const lookup = this.#lookup;
    if (Array.isArray(lookup)) {
      const i = typeof key === "number" ? key : ARRAY_INDEX.test(key) ? Number(key) : -1;
      return i >= 0 ? lookup[i] : undefined;
    }
    const name = String(key);
    if (lookup !== undefined) return lookup.get(name);
    // HOT PATH: lowering looks up ~17 members per tunnel; objects here have a dozen keys.
    let count = 0;
    for (let kid = this.#first; kid !== undefined; kid = kid.#next, count++) {
      if (kid.#key === name) return kid;
    }
    if (count > INDEX_AT) this.#indexMembers();
    return undefined;
  }

  /**
   * `member` of the encoded reference token `pointer[from, to)`, compared in place: a lookup
   * cuts no strings out of the pointer unless the token is escaped.
   */
  // HOT PATH: lowering looks up ~17 pointers per tunnel and grant.
  memberIn(pointer: string, from: number, to: number): SpanNode | undefined {
    const lookup = this.#lookup;
    if (Array.isArray(lookup)) return lookup[arrayIndex(pointer, from, to)];
    const tilde = pointer.indexOf("~", from);
    if (lookup !== undefined || (tilde >= 0 && tilde < to)) {
      return this.member(decodeToken(pointer.slice(from, to)));
    }
    const length = to - from;
    let count = 0;
    for (let kid = this.#first; kid !== undefined; kid = kid.#next, count++) {
      const key = kid.#key as string;
      if (key.length === length && pointer.startsWith(key, from)) return kid;
    }
    return count > INDEX_AT ? this.member(pointer.slice(from, to)) : undefined;
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
    for (const kid of this.#members()) {
      const key = String(kid.#key);
      yield* kid.entries(`${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
    }
    const span = this.span;
    if (span !== undefined) yield [pointer, span];
  }

  /** The members in order: an array's by index, an object's as written. */
  *#members(): Generator<SpanNode> {
    const lookup = this.#lookup;
    if (Array.isArray(lookup)) {
      for (const kid of lookup) if (kid !== undefined) yield kid;
      return;
    }
    for (let kid = this.#first; kid !== undefined; kid = kid.#next) yield kid;
  }

  #append(node: SpanNode): void {
    if (this.#last === undefined) this.#first = node;
    else this.#last.#next = node;
    this.#last = node;
  }

  /** Turns an array node into an object node, for a name that is not an index. */
  #becomeObject(): void {
    const lookup = this.#lookup;
    if (!Array.isArray(lookup)) return;
    this.#lookup = undefined;
    lookup.forEach((kid, i) => {
      kid.#key = String(i);
      this.#append(kid);
    });
    this.#indexMembers();
  }

  /** Indexes an object's members by name once it has too many to scan. */
  #indexMembers(): void {
    let count = 0;
    for (let kid = this.#first; kid !== undefined; kid = kid.#next) count++;
    if (count <= INDEX_AT) return;
    const index = new Map<string, SpanNode>();
    for (let kid = this.#first; kid !== undefined; kid = kid.#next)
      index.set(kid.#key as string, kid);
    this.#lookup = index;
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
