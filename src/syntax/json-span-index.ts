/**
 * The span table of a well-formed JSON file, read from its text when first asked: the rows of
 * `json-text-index.ts`, looked up as a `SpanStore` filled by the careful reader would answer
 * (the same rows, in the same order, with the same spans and keys). The whole text is indexed
 * once: while it is parsed when lowering follows (`readsAsParsed`, which also makes the checks
 * `JSON.parse` leaves out), else at the first lookup.
 *
 * Property names are compared in the text, in place, where the index says each is written: the
 * index refuses texts with an escaped name, and those are read by the careful reader instead
 * (`careful`), which decodes them.
 */
import { decodePointerToken } from "../diagnostics/json-pointer.ts";
import type { SourceFile, Span } from "../diagnostics/span.ts";
import { indexJsonText } from "./json-text-index.ts";
import { arrayIndex } from "./span-store.ts";
import type { JsonTextIndex } from "./json-text-index.ts";
import type { SpanRows } from "./span-tree.ts";

const NONE = -1;
/** Above this many members, a lookup indexes the container's members (below, a walk is faster). */
const INDEX_AT = 16;
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
/** Rows per page of the span cache. */
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;

/** The spans of one JSON text, indexed on first use. Read only: nothing writes a file's spans. */
export class JsonSpanIndex implements SpanRows {
  readonly #text: string;
  readonly #file: string;
  /** The bytes the text was decoded from, if kept (`SourceFile.bytes`), until it is indexed. */
  #bytes: Uint8Array | undefined;
  readonly #expectedValues: number;
  readonly #maxDepth: number;
  /** The careful reader's rows, for a text the index refuses (see the file comment). */
  #careful: (() => SpanRows) | undefined;
  /** The careful reader's rows once a lookup found the text refused. */
  #instead: SpanRows | undefined;
  #index: JsonTextIndex | undefined;
  /** A large container's members: by name (object) or position (array), made on first lookup. */
  readonly #lookups = new Map<number, Map<string, number> | Int32Array>();
  /** Each row's parent and place among its siblings, made for the first `parent` or `key`. */
  #parents: Int32Array | undefined;
  #positions: Int32Array | undefined;
  /** The span objects handed out so far, by row, in pages made on the first read in them. */
  #spans: ((Span | undefined)[] | undefined)[] = [];

  constructor(
    source: SourceFile,
    expectedValues: number,
    maxDepth: number,
    careful: () => SpanRows,
  ) {
    this.#text = source.text;
    this.#file = source.name;
    this.#bytes = source.bytes;
    this.#expectedValues = expectedValues;
    this.#maxDepth = maxDepth;
    this.#careful = careful;
  }

  /** The index, made on the first call; `undefined` when the careful reader's rows answer. */
  #rows(): JsonTextIndex | undefined {
    // A text `JSON.parse` reads unlike the careful reader is refused before any span is read
    // (`readWellFormedJson`); should one come here, its rows are the careful reader's too.
    if (this.#index === undefined && this.#instead === undefined) {
      if (this.readsAsParsed() === false) this.#settle(undefined);
    }
    return this.#index;
  }

  /** The text's index (`indexJsonText`), made once: the bytes are let go. */
  #scan(): JsonTextIndex | undefined {
    const index = indexJsonText(this.#text, this.#expectedValues, this.#bytes, this.#maxDepth);
    this.#bytes = undefined;
    return index;
  }

  /** Keeps `index` to answer lookups, or the careful reader's rows when there is none. */
  #settle(index: JsonTextIndex | undefined): void {
    if (index === undefined) this.#instead = (this.#careful as () => SpanRows)();
    // Made at its full length, so that writing a page far out keeps it an array, not a table.
    else this.#spans = new Array<(Span | undefined)[] | undefined>((index.rows >>> PAGE_BITS) + 1);
    this.#index = index;
    this.#careful = undefined;
  }

  /** The careful reader's rows, once `#rows()` returned `undefined`. */
  get #other(): SpanRows {
    // SAFETY: read only after `#rows()` returned undefined, which set it.
    return this.#instead as SpanRows;
  }

  /**
   * Whether `JSON.parse` read the text as the careful reader does (`JsonTextIndex.asParsed`),
   * made by indexing it; `undefined` for a text the index refuses (it cannot tell). Asked
   * before any other lookup; when false, the index is not to be read.
   */
  readsAsParsed(): boolean | undefined {
    if (this.#index === undefined && this.#instead === undefined) {
      const index = this.#scan();
      if (index?.asParsed === false) return false;
      this.#settle(index);
    }
    return this.#index === undefined ? undefined : true;
  }

  span(id: number): Span | undefined {
    const rows = this.#rows();
    if (rows === undefined) return this.#other.span(id);
    if (id < 0 || id >= rows.rows) return undefined;
    const page = (this.#spans[id >>> PAGE_BITS] ??= new Array<Span | undefined>(PAGE));
    // HOT PATH: one object per row, made on its first read and shared by every reader.
    return (page[id & PAGE_MASK] ??= {
      file: this.#file,
      start: rows.start[id] ?? 0,
      end: rows.end[id] ?? 0,
    });
  }

  hasSpan(id: number): boolean {
    const rows = this.#rows();
    if (rows === undefined) return this.#other.hasSpan(id);
    return id >= 0 && id < rows.rows;
  }

  member(id: number, key: string | number): number {
    const rows = this.#rows();
    if (rows === undefined) return this.#other.member(id, key);
    const open = this.#text.charCodeAt(rows.start[id] ?? 0);
    if (open === 0x5b) {
      const i = typeof key === "number" ? key : ARRAY_INDEX.test(key) ? Number(key) : NONE;
      return Number.isInteger(i) && i >= 0 ? this.#item(rows, id, i) : NONE;
    }
    if (open !== 0x7b) return NONE;
    const name = typeof key === "string" ? key : String(key);
    return this.#named(rows, id, name, 0, name.length);
  }

  // HOT PATH: lowering looks up ~17 pointers per tunnel and grant.
  memberIn(id: number, pointer: string, from: number, to: number): number {
    const rows = this.#rows();
    if (rows === undefined) return this.#other.memberIn(id, pointer, from, to);
    const open = this.#text.charCodeAt(rows.start[id] ?? 0);
    if (open === 0x5b) {
      const i = arrayIndex(pointer, from, to);
      return i === NONE ? NONE : this.#item(rows, id, i);
    }
    if (open !== 0x7b) return NONE;
    const tilde = pointer.indexOf("~", from);
    if (tilde >= 0 && tilde < to) {
      const name = decodePointerToken(pointer.slice(from, to));
      return this.#named(rows, id, name, 0, name.length);
    }
    return this.#named(rows, id, pointer, from, to);
  }

  members(id: number): number[] {
    const rows = this.#rows();
    if (rows === undefined) return this.#other.members(id);
    const out: number[] = [];
    const last = rows.next[id] ?? 0;
    for (let kid = id + 1; kid < last; kid = rows.next[kid] ?? last) out.push(kid);
    return out;
  }

  parent(id: number): number {
    const rows = this.#rows();
    if (rows === undefined) return this.#other.parent(id);
    if (id <= 0) return NONE;
    return this.#family(rows).parents[id] ?? NONE;
  }

  key(id: number): string | number {
    const rows = this.#rows();
    if (rows === undefined) return this.#other.key(id);
    if (id <= 0 || id >= rows.rows) return "";
    const { parents, positions } = this.#family(rows);
    const parent = parents[id] ?? 0;
    if (this.#text.charCodeAt(rows.start[parent] ?? 0) === 0x5b) return positions[id] ?? 0;
    return this.#text.slice(rows.nameStart[id], rows.nameEnd[id]);
  }

  child(): number {
    return readOnly();
  }

  append(): number {
    return readOnly();
  }

  appendSpan(): number {
    return readOnly();
  }

  setSpan(): void {
    readOnly();
  }

  setRange(): void {
    readOnly();
  }

  fileId(): number {
    return readOnly();
  }

  /** Member `i` of array row `id`. */
  #item(rows: JsonTextIndex, id: number, i: number): number {
    if (i >= INDEX_AT) {
      const items = this.#lookups.get(id) ?? this.#indexItems(id);
      // SAFETY: an array's lookup is by position (`#indexItems`).
      return (items as Int32Array)[i] ?? NONE;
    }
    const last = rows.next[id] ?? 0;
    let n = 0;
    for (let kid = id + 1; kid < last; kid = rows.next[kid] ?? last) if (n++ === i) return kid;
    return NONE;
  }

  /** The member of object row `id` whose name is `key[from, to)`. */
  #named(rows: JsonTextIndex, id: number, key: string, from: number, to: number): number {
    const text = this.#text;
    const byName = this.#lookups.get(id);
    if (byName !== undefined) {
      // SAFETY: an object's lookup is by name (`#indexNames`).
      return (byName as Map<string, number>).get(key.slice(from, to)) ?? NONE;
    }
    const last = rows.next[id] ?? 0;
    const length = to - from;
    const { nameStart, nameEnd } = rows;
    let seen = 0;
    for (let kid = id + 1; kid < last; kid = rows.next[kid] ?? last) {
      // HOT PATH: most names differ from `key` in length, told without reading the text.
      const name = nameStart[kid] ?? 0;
      if ((nameEnd[kid] ?? 0) - name === length && sameChars(text, name, key, from, to)) return kid;
      if (++seen > INDEX_AT) return this.#indexNames(rows, id).get(key.slice(from, to)) ?? NONE;
    }
    return NONE;
  }

  #indexItems(id: number): Int32Array {
    const kids = this.members(id);
    const items = Int32Array.from(kids);
    this.#lookups.set(id, items);
    return items;
  }

  #indexNames(rows: JsonTextIndex, id: number): Map<string, number> {
    const byName = new Map<string, number>();
    const text = this.#text;
    for (const kid of this.members(id))
      byName.set(text.slice(rows.nameStart[kid], rows.nameEnd[kid]), kid);
    this.#lookups.set(id, byName);
    return byName;
  }

  /** Every row's parent and position, in one pass over the rows. */
  #family(rows: JsonTextIndex): { parents: Int32Array; positions: Int32Array } {
    if (this.#parents === undefined || this.#positions === undefined) {
      const parents = new Int32Array(rows.rows);
      const positions = new Int32Array(rows.rows);
      for (let row = 0; row < rows.rows; row++) {
        const last = rows.next[row] ?? 0;
        let n = 0;
        for (let kid = row + 1; kid < last; kid = rows.next[kid] ?? last) {
          parents[kid] = row;
          positions[kid] = n++;
        }
      }
      this.#parents = parents;
      this.#positions = positions;
    }
    return { parents: this.#parents, positions: this.#positions };
  }
}

function readOnly(): never {
  throw new Error("the spans of a JSON file are read from its text and cannot be written");
}

/** Whether `text[at, …)` starts with `key[from, to)`. */
function sameChars(text: string, at: number, key: string, from: number, to: number): boolean {
  for (let i = from, j = at; i < to; i++, j++)
    if (text.charCodeAt(j) !== key.charCodeAt(i)) return false;
  return true;
}
