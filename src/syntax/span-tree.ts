/**
 * The span table of a parsed policy as a tree that mirrors the document: one node per value
 * the front end wrote, holding that value's span and its members' nodes. Front ends fill it
 * while they build the document, without composing a JSON Pointer string per value (for a
 * 10,000-tunnel policy, ~380k strings and inserts into one large hash table); a pointer is
 * only read, token by token and in place, when a span is looked up. The rows live in typed
 * arrays (`span-store.ts`), or, for a well-formed JSON file, in an index of its text made on
 * the first lookup (`json-span-index.ts`); `SpanNode` is a short-lived handle on one of them.
 */
import type { Span } from "../diagnostics/span.ts";
import { pointerToken } from "../diagnostics/json-pointer.ts";
import { SpanStore } from "./span-store.ts";

const ROOT = 0;
const NONE = -1;

/**
 * The rows a tree reads and writes: a `SpanStore` that a front end fills, or the index of a
 * well-formed JSON text (`json-span-index.ts`), which answers reads alike and refuses writes.
 * Row 0 is the root; a missing row is -1.
 */
export interface SpanRows {
  span(id: number): Span | undefined;
  hasSpan(id: number): boolean;
  /** The member `key` of `id` (an index as a number, a name as a string), or -1. */
  member(id: number, key: string | number): number;
  /** `member` of the encoded JSON Pointer reference token `pointer[from, to)`. */
  memberIn(id: number, pointer: string, from: number, to: number): number;
  /** The members of `id`: an array's by index, an object's in the order written. */
  members(id: number): number[];
  parent(id: number): number;
  key(id: number): string | number;
  child(id: number, key: string | number): number;
  append(id: number, key: string | number): number;
  appendSpan(id: number, key: string | number, file: number, start: number, end: number): number;
  setSpan(id: number, span: Span | undefined): void;
  setRange(id: number, file: number, start: number, end: number): void;
  fileId(name: string): number;
}

/**
 * A value's place in the tree: a handle on one of the tree's rows (`SpanRows`). Handles are
 * made as the front ends walk the document and die young; the tree keeps only rows.
 */
export class SpanNode {
  // Plain properties set in the constructor, not `#` fields: the front ends make a handle per
  // value they write or read, much of it in code V8 has not optimized yet, where each `#` field
  // is defined and stored through keyed property ICs.
  declare private readonly store: SpanRows;
  declare private readonly id: number;

  constructor(store: SpanRows, id: number) {
    this.store = store;
    this.id = id;
  }

  /** The span of the value written here; undefined for a path only passed through. */
  get span(): Span | undefined {
    return this.store.span(this.id);
  }

  set span(span: Span | undefined) {
    this.store.setSpan(this.id, span);
  }

  /** Sets the span to `[start, end)` of file `file` (a `SpanTree.fileId`), with no span object. */
  setRange(file: number, start: number, end: number): void {
    this.store.setRange(this.id, file, start, end);
  }

  /** The node of member `key` (an array index as a number, a property name as a string), created if absent. */
  child(key: string | number): SpanNode {
    return new SpanNode(this.store, this.store.child(this.id, key));
  }

  /** The node of member `key`, if one was written. */
  member(key: string | number): SpanNode | undefined {
    const id = this.store.member(this.id, key);
    return id < 0 ? undefined : new SpanNode(this.store, id);
  }

  /** The span of member `key`, if one was written there (`member(key)?.span`, without a handle). */
  memberSpan(key: string | number): Span | undefined {
    return memberSpanOf(this.store, this.id, key);
  }

  /** This node's JSON Pointer (built on demand: only the formatter and iteration need it). */
  pointer(): string {
    return pointerOf(this.store, this.id);
  }
}

/** The span written at member `key` of row `row`, if any. */
export function memberSpanOf(rows: SpanRows, row: number, key: string | number): Span | undefined {
  const child = rows.member(row, key);
  return child < 0 ? undefined : rows.span(child);
}

function pointerOf(store: SpanRows, id: number): string {
  const parent = store.parent(id);
  if (parent < 0) return "";
  return `${pointerOf(store, parent)}/${pointerToken(store.key(id))}`;
}

/**
 * Every row at or under `id` with a span: members in order, each before its container (the
 * order in which a reader finishes values, as the JSON reader does).
 */
function* entriesUnder(store: SpanRows, id: number, pointer: string): Generator<[string, Span]> {
  for (const kid of store.members(id)) {
    yield* entriesUnder(store, kid, `${pointer}/${pointerToken(store.key(kid))}`);
  }
  const span = store.span(id);
  if (span !== undefined) yield [pointer, span];
}

/** `SpanTree.rowWriter`: rows by number. */
export interface RowWriter {
  /** A new member `key` of row `row` (it must have none yet): the new row's number. */
  append(row: number, key: string | number): number;
  /** Sets row `row`'s span to `[start, end)` of file `file` (a `SpanTree.fileId`). */
  setRange(row: number, file: number, start: number, end: number): void;
  /** `append`, then `setRange` on the new row: the new row's number. */
  appendSpan(row: number, key: string | number, file: number, start: number, end: number): number;
}

/**
 * A span table backed by a `SpanNode` tree, readable as a `ReadonlyMap` from JSON Pointer to
 * span. Lookups walk the pointer's tokens; iteration builds the pointers as it goes.
 */
export class SpanTree implements ReadonlyMap<string, Span> {
  readonly #store: SpanRows;
  /** The node of the whole document (pointer `""`). */
  readonly root: SpanNode;
  /** The parent of the last pointer looked up: lookups come in runs of siblings. */
  #lastParent = "\u0000";
  #lastParentRow = NONE;
  /** The nearest span strictly above the remembered parent. */
  #lastParentAbove: Span | undefined = undefined;

  /**
   * `rows`: the rows to read, or about how many values the document has, so that a new
   * `SpanStore` is made the right size at once (front ends guess from the length of the text).
   */
  constructor(rows: SpanRows | number = 0) {
    this.#store = typeof rows === "number" ? new SpanStore(rows) : rows;
    this.root = new SpanNode(this.#store, ROOT);
  }

  /** The number that stands for file `name` in `SpanNode.setRange`. */
  fileId(name: string): number {
    return this.#store.fileId(name);
  }

  /**
   * Writes rows by number, with no `SpanNode` handle per value, for a writer that knows each key
   * it adds is new (see `SpanStore.append`). Row 0 is the root.
   */
  rowWriter(): RowWriter {
    // The store itself (it has these methods), not closures around it: one call per value less.
    return this.#store;
  }

  /** The node at `pointer`, if one was written there (or under it). */
  node(pointer: string): SpanNode | undefined {
    const id = this.row(pointer);
    return id < 0 ? undefined : new SpanNode(this.#store, id);
  }

  /**
   * The rows, for a reader that walks them by number with no `SpanNode` handle per value
   * (lowering's span scopes, `tree-spans.ts`). Only read: the front end has filled them.
   */
  get rows(): SpanRows {
    return this.#store;
  }

  /** The row at `pointer` (written there or under it), or -1. */
  row(pointer: string): number {
    return pointer === "" ? ROOT : this.#walk(pointer).id;
  }

  get(pointer: string): Span | undefined {
    const id = this.row(pointer);
    return id < 0 ? undefined : this.#store.span(id);
  }

  has(pointer: string): boolean {
    return this.get(pointer) !== undefined;
  }

  /**
   * The span at `pointer`, or at its nearest ancestor that has one (`spanAt`). The parent of
   * the last pointer is remembered, so sibling after sibling costs one member lookup.
   */
  nearest(pointer: string): Span | undefined {
    const store = this.#store;
    if (pointer === "") return store.span(ROOT);
    const cut = pointer.lastIndexOf("/");
    const last = this.#lastParent;
    // HOT PATH: lowering asks for member after member of one value; no strings are cut here.
    let parent = cut === last.length && pointer.startsWith(last) ? this.#lastParentRow : NONE;
    if (parent === NONE) {
      const parentPointer = pointer.slice(0, cut);
      const found =
        parentPointer === "" ? { id: ROOT, above: undefined } : this.#walk(parentPointer);
      if (found.id === NONE) return found.above;
      // Only a node that exists is remembered: members written later are still found.
      parent = found.id;
      this.#lastParent = parentPointer;
      this.#lastParentRow = parent;
      this.#lastParentAbove = found.above;
    }
    const own = store.memberIn(parent, pointer, cut + 1, pointer.length);
    if (own !== NONE && store.hasSpan(own)) return store.span(own);
    return store.span(parent) ?? this.#lastParentAbove;
  }

  get size(): number {
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }

  entries(): MapIterator<[string, Span]> {
    return entriesUnder(this.#store, ROOT, "");
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
   * Walks `pointer` from the root: the row there (-1 if none was written), and the nearest
   * span strictly above that row (or above where the walk stopped, inclusive).
   */
  #walk(pointer: string): { id: number; above: Span | undefined } {
    const store = this.#store;
    let id = ROOT;
    let above: Span | undefined = undefined;
    let start = 1;
    while (start <= pointer.length) {
      if (store.hasSpan(id)) above = store.span(id);
      let end = pointer.indexOf("/", start);
      if (end < 0) end = pointer.length;
      const next = store.memberIn(id, pointer, start, end);
      if (next === NONE) return { id: NONE, above };
      id = next;
      start = end + 1;
    }
    return { id, above };
  }
}
