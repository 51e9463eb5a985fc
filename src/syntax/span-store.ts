/**
 * The storage behind `SpanTree`: one row per written value, in typed-array columns.
 *
 * A 10,000-tunnel policy has ~370,000 values. As one object per value (span object, member
 * arrays) the table took ~100 MB of heap that lived as long as the parse, and the garbage
 * collector copied it from the young generation to the old one while parsing. As columns it
 * takes ~12 MB, all outside the collected heap: a member's name is a number in a table of
 * the names written (a policy has a few dozen), so no column holds a pointer for the
 * collector to trace, and memory is touched only for the rows written (the first write to a
 * fresh page costs more than the row: a column sized for the whole file is never filled).
 *
 * Members are linked in the order written (first, last, next). A node whose members are
 * looked up past the first few gets an index: by name for an object, by position for an array.
 */

import type { Span } from "../diagnostics/span.ts";
import { decodePointerToken } from "../diagnostics/json-pointer.ts";

/** A lookup that walks past this many members indexes the node (below, a scan is faster). */
const INDEX_AT = 16;
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
const NONE = -1;
/**
 * "No row" in the link columns (first, last, next): row 0 is the root, never a member. Zero,
 * so that the columns are used as the allocator hands them out, with no fill: filling touched
 * every page of ~20 MB of columns before the first value was written.
 */
const END = 0;
/** Rows per page of the span cache (`SpanStore.#spans`). */
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;

/** What a node's members are keyed by, once it has any. */
const LEAF = 0;
const ARRAY = 1;
const OBJECT = 2;
const KEYED_BY = 3;
/** Set with ARRAY or OBJECT on a node whose members are in `#index`: no map lookup to find out. */
const INDEXED = 4;

/** The rows of a span tree; row 0 is the document's root. */
export class SpanStore {
  #capacity: number;
  #size = 1;
  /**
   * A row's file number plus one: 0 where no span was written. One byte while fewer than 255
   * files are named (a policy names one), four after.
   */
  #file: Uint8Array | Int32Array;
  #start: Int32Array;
  #end: Int32Array;
  /**
   * Each row's parent, made on the first `parent` call (only JSON Pointers of rows need it:
   * the formatter's, a few diagnostics'), then kept up to date.
   */
  #parent: Int32Array | undefined;
  #first: Int32Array;
  #last: Int32Array;
  #next: Int32Array;
  #kind: Uint8Array;
  /**
   * Each row's key in its parent: the position of an array member (0 or more), or for an
   * object member `-1 - n`, where `n` numbers its name in `#names` (`nameKey`).
   */
  #key: Int32Array;
  /** The names of object members, numbered in the order first written. */
  readonly #names: string[] = [];
  readonly #nameIds = new Map<string, number>();
  readonly #index = new Map<number, Map<string, number> | number[]>();
  readonly #files: string[] = [];
  /**
   * The span objects handed out so far, by row, in pages of `PAGE` rows made on the first read
   * in them: `undefined` until read. A page is small enough to be made holey in fast elements,
   * so writing row 300,000 before row 200 needs no array filled up to it (a write far past the
   * end of an array turns it into a hash table), and rows never read cost nothing.
   */
  readonly #spans: ((Span | undefined)[] | undefined)[] = [];
  readonly #fileIds = new Map<string, number>();

  /** `expectedRows`: room to make up front (the columns double when they fill). */
  constructor(expectedRows = 0) {
    const capacity = Math.max(1024, Math.ceil(expectedRows));
    this.#capacity = capacity;
    this.#file = new Uint8Array(capacity);
    this.#start = new Int32Array(capacity);
    this.#end = new Int32Array(capacity);
    this.#first = new Int32Array(capacity);
    this.#last = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
    this.#key = new Int32Array(capacity);
    this.#kind = new Uint8Array(capacity);
  }

  /**
   * The span stored at `id`, if any. The object is made on the first read and kept, so that
   * every reader shares it: the IR keeps the spans it reads (~200,000 for 10,000 tunnels).
   */
  span(id: number): Span | undefined {
    const page = this.#spans[id >>> PAGE_BITS];
    const made = page?.[id & PAGE_MASK];
    if (made !== undefined) return made;
    const file = this.#file[id] ?? 0;
    if (file === 0) return undefined;
    const span = {
      // SAFETY: a row's file number was made by `fileId`, which pushed the name at that index.
      file: this.#files[file - 1] as string,
      start: this.#start[id] ?? 0,
      end: this.#end[id] ?? 0,
    };
    this.#page(id)[id & PAGE_MASK] = span;
    return span;
  }

  /** The page of the span cache that holds row `id`, made (with those before it) if absent. */
  #page(id: number): (Span | undefined)[] {
    const spans = this.#spans;
    const index = id >>> PAGE_BITS;
    // Pages are pushed in order (a few hundred at most), so the outer array stays packed.
    while (spans.length <= index) spans.push(undefined);
    return (spans[index] ??= new Array<Span | undefined>(PAGE));
  }

  /** Forgets the span object of row `id`, if one was made. */
  #forget(id: number): void {
    const page = this.#spans[id >>> PAGE_BITS];
    if (page !== undefined && page[id & PAGE_MASK] !== undefined) page[id & PAGE_MASK] = undefined;
  }

  hasSpan(id: number): boolean {
    return (this.#file[id] ?? 0) !== 0;
  }

  setSpan(id: number, span: Span | undefined): void {
    if (span === undefined) {
      this.#forget(id);
      this.#file[id] = 0;
      return;
    }
    this.setRange(id, this.fileId(span.file), span.start, span.end);
  }

  /** The number that stands for file `name` in `setRange`. */
  fileId(name: string): number {
    let file = this.#fileIds.get(name);
    if (file === undefined) {
      file = this.#files.push(name) - 1;
      this.#fileIds.set(name, file);
    }
    return file;
  }

  /** `setSpan` without a span object: file `fileId(name)`, offsets `[start, end)`. */
  setRange(id: number, file: number, start: number, end: number): void {
    this.#forget(id);
    // The 255th file widens the column (a byte holds file numbers plus one up to 255).
    if (file >= 255 && this.#file instanceof Uint8Array) this.#file = Int32Array.from(this.#file);
    this.#file[id] = file + 1;
    this.#start[id] = start;
    this.#end[id] = end;
  }

  parent(id: number): number {
    if (id === 0) return NONE;
    this.#parent ??= this.#parents();
    return this.#parent[id] ?? NONE;
  }

  /** Every row's parent, from the member links. */
  #parents(): Int32Array {
    const parents = new Int32Array(this.#capacity);
    for (let id = 0; id < this.#size; id++) {
      for (let kid = this.#first[id] ?? END; kid !== END; kid = this.#next[kid] ?? END) {
        parents[kid] = id;
      }
    }
    return parents;
  }

  key(id: number): string | number {
    if (id === 0) return "";
    const key = this.#key[id] ?? 0;
    return key >= 0 ? key : (this.#names[-1 - key] ?? "");
  }

  /** The key of name `name` in the key column (`-1 - n`, `n` its number in `#names`), made if new. */
  #nameKey(name: string): number {
    let id = this.#nameIds.get(name);
    if (id === undefined) {
      id = this.#names.push(name) - 1;
      this.#nameIds.set(name, id);
    }
    return -1 - id;
  }

  /** The member `key` of `id` (an index as a number, a name as a string), created if absent. */
  child(id: number, key: string | number): number {
    const kind = this.#kind[id] ?? LEAF;
    // HOT PATH (the DSL front end): a name of an object not indexed yet is numbered once,
    // for the search and the append both.
    if (typeof key === "string" && (kind === LEAF || kind === OBJECT)) {
      const nameKey = this.#nameKey(key);
      let walked = 0;
      for (let kid = this.#first[id] ?? END; kid !== END; kid = this.#next[kid] ?? END) {
        if (this.#key[kid] === nameKey) return kid;
        if (++walked > INDEX_AT) {
          const found = this.#indexed(id, key);
          return found === NONE ? this.append(id, key) : found;
        }
      }
      if (kind === LEAF) this.#kind[id] = OBJECT;
      return this.#add(id, nameKey);
    }
    const found = this.member(id, key);
    if (found !== NONE) return found;
    return this.append(id, key);
  }

  /**
   * A new member `key` of `id`, which must not have one yet (`child` without the search, for a
   * writer that knows its keys are new: the JSON fast path, whose keys `JSON.parse` made unique).
   */
  // HOT PATH: one call per value written (~500,000 for 10,000 tunnels and grants).
  append(id: number, key: string | number): number {
    let kind = this.#kind[id] ?? LEAF;
    if (kind === LEAF) {
      kind = typeof key === "number" ? ARRAY : OBJECT;
      this.#kind[id] = kind;
    } else if ((kind & KEYED_BY) === ARRAY && typeof key === "string") {
      this.#becomeObject(id);
      kind = this.#kind[id] ?? OBJECT;
    }
    if ((kind & KEYED_BY) === ARRAY) {
      // SAFETY: an ARRAY node is given only number keys (a name made it an OBJECT above).
      const i = key as number;
      const row = this.#add(id, i);
      // SAFETY: an ARRAY node's index is by position (`#buildIndex`).
      if ((kind & INDEXED) !== 0) (this.#index.get(id) as number[])[i] = row;
      return row;
    }
    const name = typeof key === "string" ? key : String(key);
    const row = this.#add(id, this.#nameKey(name));
    // SAFETY: an OBJECT node's index is by name (`#buildIndex`).
    if ((kind & INDEXED) !== 0) (this.#index.get(id) as Map<string, number>).set(name, row);
    return row;
  }

  /** The member `key` of `id`, or -1 when none was written. */
  member(id: number, key: string | number): number {
    const kind = this.#kind[id] ?? LEAF;
    if ((kind & KEYED_BY) === ARRAY) {
      const i = typeof key === "number" ? key : ARRAY_INDEX.test(key) ? Number(key) : NONE;
      return i === NONE ? NONE : this.#at(id, i);
    }
    if (kind === LEAF) return NONE;
    const name = typeof key === "string" ? key : String(key);
    if ((kind & INDEXED) !== 0) {
      // SAFETY: an OBJECT node's index is by name (`#buildIndex`).
      return (this.#index.get(id) as Map<string, number>).get(name) ?? NONE;
    }
    // A name never written is no member of anything.
    // HOT PATH: lowering looks up ~17 members per tunnel; objects here have a dozen keys. The
    // names are compared as strings (the same string, mostly: a pointer compare), which costs
    // less than numbering `name` through a map first.
    const names = this.#names;
    let walked = 0;
    for (let kid = this.#first[id] ?? END; kid !== END; kid = this.#next[kid] ?? END) {
      if (names[-1 - (this.#key[kid] ?? 0)] === name) return kid;
      if (++walked > INDEX_AT) return this.#indexed(id, name);
    }
    return NONE;
  }

  /** Indexes the members of `id` (an OBJECT node) and finds `name` among them. */
  #indexed(id: number, name: string): number {
    this.#buildIndex(id);
    // SAFETY: an OBJECT node's index is by name (`#buildIndex`).
    return (this.#index.get(id) as Map<string, number>).get(name) ?? NONE;
  }

  /**
   * `member` of the encoded JSON Pointer reference token `pointer[from, to)`, compared in
   * place: a lookup cuts no strings out of the pointer unless the token is escaped.
   */
  // HOT PATH: lowering looks up ~17 pointers per tunnel and grant.
  memberIn(id: number, pointer: string, from: number, to: number): number {
    const kind = this.#kind[id] ?? LEAF;
    if ((kind & KEYED_BY) === ARRAY) {
      const i = arrayIndex(pointer, from, to);
      return i === NONE ? NONE : this.#at(id, i);
    }
    if (kind === LEAF) return NONE;
    const tilde = pointer.indexOf("~", from);
    if ((kind & INDEXED) !== 0 || (tilde >= 0 && tilde < to)) {
      return this.member(id, decodePointerToken(pointer.slice(from, to)));
    }
    const length = to - from;
    const names = this.#names;
    let walked = 0;
    for (let kid = this.#first[id] ?? END; kid !== END; kid = this.#next[kid] ?? END) {
      // An OBJECT node's members are keyed by name (`#becomeObject` converts indexes).
      const key = names[-1 - (this.#key[kid] ?? 0)] ?? "";
      if (key.length === length && pointer.startsWith(key, from)) return kid;
      if (++walked > INDEX_AT) return this.#indexed(id, pointer.slice(from, to));
    }
    return NONE;
  }

  /** The members of `id`: an array's by index, an object's in the order written. */
  members(id: number): number[] {
    const out: number[] = [];
    for (let kid = this.#first[id] ?? END; kid !== END; kid = this.#next[kid] ?? END) out.push(kid);
    if (((this.#kind[id] ?? LEAF) & KEYED_BY) === ARRAY) {
      // An ARRAY node's members are keyed by position (a name makes it an OBJECT).
      out.sort((a, b) => (this.#key[a] ?? 0) - (this.#key[b] ?? 0));
    }
    return out;
  }

  /** An array member by position: through the index, or by walking a short list. */
  #at(id: number, i: number): number {
    if (((this.#kind[id] ?? LEAF) & INDEXED) !== 0) {
      // SAFETY: an ARRAY node's index is by position (`#buildIndex`).
      return (this.#index.get(id) as number[])[i] ?? NONE;
    }
    let walked = 0;
    for (let kid = this.#first[id] ?? END; kid !== END; kid = this.#next[kid] ?? END) {
      if (this.#key[kid] === i) return kid;
      if (++walked > INDEX_AT) {
        this.#buildIndex(id);
        // SAFETY: an ARRAY node's index is by position (`#buildIndex`).
        return (this.#index.get(id) as number[])[i] ?? NONE;
      }
    }
    return NONE;
  }

  /** A new row, last member of `parent`, with key `key` (a position or a `#nameKey`). */
  #add(parent: number, key: number): number {
    if (this.#size === this.#capacity) this.#grow();
    const row = this.#size++;
    if (this.#parent !== undefined) this.#parent[row] = parent;
    this.#key[row] = key;
    const last = this.#last[parent] ?? END;
    if (last === END) this.#first[parent] = row;
    else this.#next[last] = row;
    this.#last[parent] = row;
    return row;
  }

  /** An array that meets a name that is not an index becomes an object with names "0", "1" … */
  #becomeObject(id: number): void {
    this.#kind[id] = OBJECT;
    for (let kid = this.#first[id] ?? END; kid !== END; kid = this.#next[kid] ?? END) {
      this.#key[kid] = this.#nameKey(String(this.#key[kid] ?? 0));
    }
    if (this.#index.delete(id)) this.#buildIndex(id);
  }

  #buildIndex(id: number): void {
    this.#kind[id] = (this.#kind[id] ?? LEAF) | INDEXED;
    if (((this.#kind[id] ?? LEAF) & KEYED_BY) === OBJECT) {
      const byName = new Map<string, number>();
      for (let kid = this.#first[id] ?? END; kid !== END; kid = this.#next[kid] ?? END) {
        byName.set(this.#names[-1 - (this.#key[kid] ?? 0)] ?? "", kid);
      }
      this.#index.set(id, byName);
    } else {
      const byPosition: number[] = [];
      for (let kid = this.#first[id] ?? END; kid !== END; kid = this.#next[kid] ?? END) {
        byPosition[this.#key[kid] ?? 0] = kid;
      }
      this.#index.set(id, byPosition);
    }
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const grow = <T extends Int32Array | Uint8Array>(old: T): T => {
      // SAFETY: the constructor of an Int32Array or Uint8Array makes one of its own kind.
      const next = new (old.constructor as new (n: number) => T)(capacity);
      next.set(old);
      return next;
    };
    this.#file = grow(this.#file);
    this.#start = grow(this.#start);
    this.#end = grow(this.#end);
    if (this.#parent !== undefined) this.#parent = grow(this.#parent);
    this.#first = grow(this.#first);
    this.#last = grow(this.#last);
    this.#next = grow(this.#next);
    this.#key = grow(this.#key);
    this.#kind = grow(this.#kind);
    this.#capacity = capacity;
  }
}

/** The array index `pointer[from, to)` spells (digits, no leading zero), else -1. */
function arrayIndex(pointer: string, from: number, to: number): number {
  if (to === from || (to - from > 1 && pointer.charCodeAt(from) === 0x30)) return NONE;
  let index = 0;
  for (let i = from; i < to; i++) {
    const digit = pointer.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return NONE;
    index = index * 10 + digit;
  }
  return index;
}
