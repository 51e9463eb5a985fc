/**
 * The storage behind `SpanTree`: one row per written value, in typed-array columns.
 *
 * A 10,000-tunnel policy has ~370,000 values. As one object per value (span object, member
 * arrays) the table took ~100 MB of heap that lived as long as the parse, and the garbage
 * collector copied it from the young generation to the old one while parsing. As columns it
 * takes ~15 MB, outside the collected heap except for the member names.
 *
 * Members are linked in the order written (first, last, next). A node found to have many
 * members when one is looked up gets an index: by name for an object, by position for an
 * array. (Counting members as they were written took a column and a check per value, for the
 * few nodes with many members: the top-level lists.)
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
/** Rows per page of the span cache (`SpanStore.spanPages`). */
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;

/** What a node's members are keyed by, once it has any. */
const LEAF = 0;
const ARRAY = 1;
const OBJECT = 2;
const KEYED_BY = 3;
/** Set with ARRAY or OBJECT on a node whose members are in `indexes`: no map lookup to find out. */
const INDEXED = 4;

/** The rows of a span tree; row 0 is the document's root. */
export class SpanStore {
  // Plain properties set in the constructor (`declare`d: no class field is defined first), not
  // `#` fields: the front ends write ~500,000 rows through `append`, much of it before V8 has
  // optimized it, and there each `#` field read is a keyed load of a private name. TypeScript's
  // `private` still keeps them out of every other module.
  declare private capacity: number;
  declare private size: number;
  /** A row's file number plus one: 0 where no span was written. */
  declare private fileOf: Int32Array;
  declare private startOf: Int32Array;
  declare private endOf: Int32Array;
  declare private parentOf: Int32Array;
  declare private firstOf: Int32Array;
  declare private lastOf: Int32Array;
  declare private nextOf: Int32Array;
  declare private kindOf: Uint8Array;
  /** Each row's name (object member) or index (array member) in its parent. */
  declare private keyOf: (string | number | undefined)[];
  declare private readonly indexes: Map<number, Map<string, number> | number[]>;
  declare private readonly fileNames: string[];
  /**
   * The span objects handed out so far, by row, in pages of `PAGE` rows made on the first read
   * in them: `undefined` until read. A page is small enough to be made holey in fast elements,
   * so writing row 300,000 before row 200 needs no array filled up to it (a write far past the
   * end of an array turns it into a hash table), and rows never read cost nothing.
   */
  declare private readonly spanPages: ((Span | undefined)[] | undefined)[];
  declare private readonly fileNumbers: Map<string, number>;

  /** `expectedRows`: room to make up front (the columns double when they fill). */
  constructor(expectedRows = 0) {
    const capacity = Math.max(1024, Math.ceil(expectedRows));
    this.capacity = capacity;
    this.size = 1;
    this.fileOf = new Int32Array(capacity);
    this.startOf = new Int32Array(capacity);
    this.endOf = new Int32Array(capacity);
    this.parentOf = new Int32Array(capacity);
    this.firstOf = new Int32Array(capacity);
    this.lastOf = new Int32Array(capacity);
    this.nextOf = new Int32Array(capacity);
    // Made at full length (holey): pushing row by row copied it ~30 times on a large file.
    this.keyOf = new Array<string | number | undefined>(capacity);
    this.keyOf[0] = "";
    this.kindOf = new Uint8Array(capacity);
    this.indexes = new Map();
    this.fileNames = [];
    this.spanPages = [];
    this.fileNumbers = new Map();
  }

  /**
   * The span stored at `id`, if any. The object is made on the first read and kept, so that
   * every reader shares it: the IR keeps the spans it reads (~200,000 for 10,000 tunnels).
   */
  span(id: number): Span | undefined {
    const page = this.spanPages[id >>> PAGE_BITS];
    const made = page?.[id & PAGE_MASK];
    if (made !== undefined) return made;
    const file = this.fileOf[id] ?? 0;
    if (file === 0) return undefined;
    const span = {
      // SAFETY: a row's file number was made by `fileId`, which pushed the name at that index.
      file: this.fileNames[file - 1] as string,
      start: this.startOf[id] ?? 0,
      end: this.endOf[id] ?? 0,
    };
    this.page(id)[id & PAGE_MASK] = span;
    return span;
  }

  /** The page of the span cache that holds row `id`, made (with those before it) if absent. */
  private page(id: number): (Span | undefined)[] {
    const spans = this.spanPages;
    const index = id >>> PAGE_BITS;
    // Pages are pushed in order (a few hundred at most), so the outer array stays packed.
    while (spans.length <= index) spans.push(undefined);
    return (spans[index] ??= new Array<Span | undefined>(PAGE));
  }

  /** Forgets the span object of row `id`, if one was made. */
  private forget(id: number): void {
    const page = this.spanPages[id >>> PAGE_BITS];
    if (page !== undefined && page[id & PAGE_MASK] !== undefined) page[id & PAGE_MASK] = undefined;
  }

  hasSpan(id: number): boolean {
    return (this.fileOf[id] ?? 0) !== 0;
  }

  setSpan(id: number, span: Span | undefined): void {
    if (span === undefined) {
      this.forget(id);
      this.fileOf[id] = 0;
      return;
    }
    this.setRange(id, this.fileId(span.file), span.start, span.end);
  }

  /** The number that stands for file `name` in `setRange`. */
  fileId(name: string): number {
    let file = this.fileNumbers.get(name);
    if (file === undefined) {
      file = this.fileNames.push(name) - 1;
      this.fileNumbers.set(name, file);
    }
    return file;
  }

  /** `setSpan` without a span object: file `fileId(name)`, offsets `[start, end)`. */
  setRange(id: number, file: number, start: number, end: number): void {
    this.forget(id);
    this.fileOf[id] = file + 1;
    this.startOf[id] = start;
    this.endOf[id] = end;
  }

  parent(id: number): number {
    return id === 0 ? NONE : (this.parentOf[id] ?? NONE);
  }

  key(id: number): string | number {
    return this.keyOf[id] ?? "";
  }

  /** The member `key` of `id` (an index as a number, a name as a string), created if absent. */
  child(id: number, key: string | number): number {
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
    let kind = this.kindOf[id] ?? LEAF;
    if (kind === LEAF) {
      kind = typeof key === "number" ? ARRAY : OBJECT;
      this.kindOf[id] = kind;
    } else if ((kind & KEYED_BY) === ARRAY && typeof key === "string") {
      this.becomeObject(id);
      kind = this.kindOf[id] ?? OBJECT;
    }
    const stored = (kind & KEYED_BY) === OBJECT && typeof key === "number" ? String(key) : key;
    const row = this.add(id, stored);
    if ((kind & INDEXED) !== 0) {
      const index = this.indexes.get(id);
      if (index instanceof Map) index.set(String(stored), row);
      else if (index !== undefined) index[Number(stored)] = row;
    }
    return row;
  }

  /**
   * `append`, then `setRange` on the new row: one call per value for the writers that know
   * both at once (the DSL's direct path). A new row has no span object to forget.
   */
  appendSpan(id: number, key: string | number, file: number, start: number, end: number): number {
    const row = this.append(id, key);
    this.fileOf[row] = file + 1;
    this.startOf[row] = start;
    this.endOf[row] = end;
    return row;
  }

  /** The member `key` of `id`, or -1 when none was written. */
  member(id: number, key: string | number): number {
    const kind = this.kindOf[id] ?? LEAF;
    if ((kind & KEYED_BY) === ARRAY) {
      const i = typeof key === "number" ? key : ARRAY_INDEX.test(key) ? Number(key) : NONE;
      return i === NONE ? NONE : this.at(id, i);
    }
    if (kind === LEAF) return NONE;
    const name = typeof key === "string" ? key : String(key);
    if ((kind & INDEXED) !== 0) {
      // SAFETY: an OBJECT node's index is by name (`buildIndex`).
      return (this.indexes.get(id) as Map<string, number>).get(name) ?? NONE;
    }
    // HOT PATH: lowering looks up ~17 members per tunnel; objects here have a dozen keys.
    let walked = 0;
    for (let kid = this.firstOf[id] ?? END; kid !== END; kid = this.nextOf[kid] ?? END) {
      if (this.keyOf[kid] === name) return this.walked(id, walked, kid);
      walked++;
    }
    return this.walked(id, walked, NONE);
  }

  /** `found`, after a lookup that walked `walked` members of `id`: indexes a node with many. */
  private walked(id: number, walked: number, found: number): number {
    if (walked > INDEX_AT) this.buildIndex(id);
    return found;
  }

  /**
   * `member` of the encoded JSON Pointer reference token `pointer[from, to)`, compared in
   * place: a lookup cuts no strings out of the pointer unless the token is escaped.
   */
  // HOT PATH: lowering looks up ~17 pointers per tunnel and grant.
  memberIn(id: number, pointer: string, from: number, to: number): number {
    const kind = this.kindOf[id] ?? LEAF;
    if ((kind & KEYED_BY) === ARRAY) {
      const i = arrayIndex(pointer, from, to);
      return i === NONE ? NONE : this.at(id, i);
    }
    if (kind === LEAF) return NONE;
    const tilde = pointer.indexOf("~", from);
    if ((kind & INDEXED) !== 0 || (tilde >= 0 && tilde < to)) {
      return this.member(id, decodePointerToken(pointer.slice(from, to)));
    }
    const length = to - from;
    let walked = 0;
    for (let kid = this.firstOf[id] ?? END; kid !== END; kid = this.nextOf[kid] ?? END) {
      // SAFETY: an OBJECT node's members are keyed by name (`becomeObject` converts indexes).
      const key = this.keyOf[kid] as string;
      if (key.length === length && pointer.startsWith(key, from)) {
        return this.walked(id, walked, kid);
      }
      walked++;
    }
    return this.walked(id, walked, NONE);
  }

  /** The members of `id`: an array's by index, an object's in the order written. */
  members(id: number): number[] {
    const out: number[] = [];
    for (let kid = this.firstOf[id] ?? END; kid !== END; kid = this.nextOf[kid] ?? END)
      out.push(kid);
    if (((this.kindOf[id] ?? LEAF) & KEYED_BY) === ARRAY) {
      // SAFETY: an ARRAY node's members are keyed by index (a name makes it an OBJECT).
      out.sort((a, b) => (this.keyOf[a] as number) - (this.keyOf[b] as number));
    }
    return out;
  }

  /** An array member by position: through the index, or by walking a short list. */
  private at(id: number, i: number): number {
    if (((this.kindOf[id] ?? LEAF) & INDEXED) !== 0) {
      // SAFETY: an ARRAY node's index is by position (`buildIndex`).
      return (this.indexes.get(id) as number[])[i] ?? NONE;
    }
    let walked = 0;
    for (let kid = this.firstOf[id] ?? END; kid !== END; kid = this.nextOf[kid] ?? END) {
      if (this.keyOf[kid] === i) return this.walked(id, walked, kid);
      walked++;
    }
    return this.walked(id, walked, NONE);
  }

  private add(parent: number, key: string | number): number {
    if (this.size === this.capacity) this.grow();
    const row = this.size++;
    this.parentOf[row] = parent;
    this.keyOf[row] = key;
    const last = this.lastOf[parent] ?? END;
    if (last === END) this.firstOf[parent] = row;
    else this.nextOf[last] = row;
    this.lastOf[parent] = row;
    return row;
  }

  /** An array that meets a name that is not an index becomes an object with names "0", "1" … */
  private becomeObject(id: number): void {
    this.kindOf[id] = OBJECT;
    for (let kid = this.firstOf[id] ?? END; kid !== END; kid = this.nextOf[kid] ?? END) {
      this.keyOf[kid] = String(this.keyOf[kid]);
    }
    if (this.indexes.delete(id)) this.buildIndex(id);
  }

  private buildIndex(id: number): void {
    this.kindOf[id] = (this.kindOf[id] ?? LEAF) | INDEXED;
    if (((this.kindOf[id] ?? LEAF) & KEYED_BY) === OBJECT) {
      const byName = new Map<string, number>();
      for (let kid = this.firstOf[id] ?? END; kid !== END; kid = this.nextOf[kid] ?? END) {
        byName.set(String(this.keyOf[kid]), kid);
      }
      this.indexes.set(id, byName);
    } else {
      const byPosition: number[] = [];
      for (let kid = this.firstOf[id] ?? END; kid !== END; kid = this.nextOf[kid] ?? END) {
        byPosition[Number(this.keyOf[kid])] = kid;
      }
      this.indexes.set(id, byPosition);
    }
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const grow = <T extends Int32Array | Uint8Array>(old: T): T => {
      // SAFETY: the constructor of an Int32Array or Uint8Array makes one of its own kind.
      const next = new (old.constructor as new (n: number) => T)(capacity);
      next.set(old);
      return next;
    };
    this.fileOf = grow(this.fileOf);
    this.startOf = grow(this.startOf);
    this.endOf = grow(this.endOf);
    this.parentOf = grow(this.parentOf);
    this.firstOf = grow(this.firstOf);
    this.lastOf = grow(this.lastOf);
    this.nextOf = grow(this.nextOf);
    this.kindOf = grow(this.kindOf);
    const keys = new Array<string | number | undefined>(capacity);
    for (let row = 0; row < this.size; row++) keys[row] = this.keyOf[row];
    this.keyOf = keys;
    this.capacity = capacity;
  }
}

/** The array index `pointer[from, to)` spells (digits, no leading zero), else -1. */
export function arrayIndex(pointer: string, from: number, to: number): number {
  if (to === from || (to - from > 1 && pointer.charCodeAt(from) === 0x30)) return NONE;
  let index = 0;
  for (let i = from; i < to; i++) {
    const digit = pointer.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return NONE;
    index = index * 10 + digit;
  }
  return index;
}
