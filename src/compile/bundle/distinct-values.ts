/**
 * The distinct objects and arrays under some roots, found by structure (hash-consing) for the
 * bundle writer (`share-repeated.ts`). A value is its shape (an array of some length, or an
 * object's present member names in sorted order) and one token per item or member: a scalar,
 * or the id of a nested distinct value. Two values get the same id exactly when their JSON
 * texts, with nested values written as their ids, are equal; ids are given children first, in
 * the order values are met. Tokens live in typed arrays and texts are made once, when written:
 * keying each value by its text cost seconds and hundreds of MB on 10,000 tunnels.
 */

import { lazySpanEntries } from "../../ir/lazy-spans.ts";
import { grownInt32, grownUint8 } from "./typed-growth.ts";
import { TextPieces } from "./text-pieces.ts";

/** A token naming a nested distinct value by its id. */
export const TOKEN_CHILD = 0;
/**
 * A string or another scalar but a 32-bit integer (`true`, `null`, `1.5` …), by the id of its
 * JSON text among the pieces (`pieces`). Equal texts are one piece: a string's text starts with
 * a quote and no other scalar's does.
 */
export const TOKEN_PIECE = 1;
/** A number that is a 32-bit integer, by its value (most numbers of an IR: offsets). */
export const TOKEN_INT = 2;
/**
 * A source span written as a `[file, start, end]` tuple (format version 3), by its index among
 * the spans read. Spans are compared by content, not index: they are no distinct values of
 * their own (112,203 of the 292,894 on the 10,000-tunnel bench), so they skip the hash table.
 */
export const TOKEN_SPAN = 4;

/**
 * How a value is written around its tokens: the piece before each token (`{"name":`,
 * `,"next":` or `[`, `,`), then the piece after the last token (`}`, or the whole text when
 * there is none: `{}`), as consecutive pieces from `firstPiece`.
 */
interface Shape {
  readonly firstPiece: number;
  /** The length of the openers and the closer together. */
  readonly overhead: number;
}

/** Adds a shape's openers and closer to `pieces`, in order. */
function shapeOf(pieces: TextPieces, openers: readonly string[], closer: string): Shape {
  const firstPiece = pieces.count;
  addPieces(pieces, openers);
  pieces.add(closer);
  // One join rather than a loop: V8 compiled the loop on stack replacement at the bench's grant
  // map (10,000 openers) and left that code again at each later shape.
  return { firstPiece, overhead: closer.length + openers.join("").length };
}

/**
 * Adds texts to `pieces`. A function with nothing after its loop: compiled on stack
 * replacement at the bench's grant map (10,000 openers), that code has no later step that
 * lacks type feedback to leave it again at.
 */
function addPieces(pieces: TextPieces, texts: readonly string[]): void {
  // SAFETY: i < texts.length.
  for (let i = 0; i < texts.length; i++) pieces.add(texts[i] as string);
}

/**
 * One step in the tree of member-name lists: the list so far (its last name and the step
 * before, not a copy: an object of 10,000 members is 10,000 steps), and its shape once used.
 */
class NamesNode {
  readonly name: string;
  readonly parent: NamesNode | null;
  shape = -1;
  /**
   * In the tree of names as met (an object's own order): the positions of these names in
   * sorted order, once an object ended here. Sorting each object's names again cost more than
   * reading its members.
   */
  order: Int32Array | null = null;
  /** In the same tree: the shape of an object with all of these members defined. */
  shapeAllDefined = -1;
  /** In the same tree, with spans as tuples: whether these are a span's names. */
  span = false;
  #names: readonly string[] | null = null;
  #next: Map<string, NamesNode> | null = null;
  // Objects of one type meet their names in one order: the last step taken is usually next.
  // Always a string (never null), so that V8 compares names, all internalized, by reference
  // rather than through its generic equality (~1.3 million names on 10,000 tunnels).
  #lastName = "";
  #lastNode: NamesNode | null = null;

  constructor(name: string, parent: NamesNode | null) {
    this.name = name;
    this.parent = parent;
  }

  /**
   * The member names from the root to this step, made once: each object with an undefined
   * member asks again, and making the list in a loop each time, V8 left code compiled on stack
   * replacement (at the first, 10,000-name list) at every later call.
   */
  names(): readonly string[] {
    this.#names ??= namesTo(this);
    return this.#names;
  }

  then(name: string): NamesNode {
    if (name === this.#lastName && this.#lastNode !== null) return this.#lastNode;
    this.#next ??= new Map();
    let node = this.#next.get(name);
    if (node === undefined) this.#next.set(name, (node = new NamesNode(name, this)));
    this.#lastName = name;
    this.#lastNode = node;
    return node;
  }
}

/** The orders a span's members may be met in (`spanOf` builds `file`, `start`, `end`). */
const SPAN_NAME_ORDERS = [
  ["file", "start", "end"],
  ["file", "end", "start"],
  ["start", "file", "end"],
  ["start", "end", "file"],
  ["end", "file", "start"],
  ["end", "start", "file"],
];

/**
 * The step at the end of `names` from `start`. A loop of its own, not in `#addRecord`: the bench's
 * grant map (10,000 members) made V8 compile `#addRecord` on stack replacement at its first
 * call, before the code after the loop had run; every call still interpreted then entered that
 * code and left it again (~1,000 deoptimizations in one cold write).
 */
function follow(start: NamesNode, names: readonly string[]): NamesNode {
  let node = start;
  // SAFETY: i < names.length.
  for (let i = 0; i < names.length; i++) node = node.then(names[i] as string);
  return node;
}

/** The member names from the root to a step. */
function namesTo(last: NamesNode): string[] {
  const names: string[] = [];
  for (let node: NamesNode | null = last; node?.parent != null; node = node.parent) {
    names.push(node.name);
  }
  return names.reverse();
}

/** One step of MurmurHash3 (32-bit): every bit of `word` reaches the low bits used as a bucket. */
function mix(hash: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  const h = hash ^ k;
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finish: spreads the last words' bits. */
function finish(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The first length of every column that grows (a power of two, as the hash table's must be).
 * Small, so that each column grows, and its field is written again, while the code that
 * grows it still runs unoptimized. Starting at 1,024–4,096, V8 compiled `#intern`, `#store`,
 * `#equals` and `#push` before their first growth (taking the columns for constants and the
 * growth for dead code), threw that code away at it and ran them unoptimized again for a
 * while: ~330,000 more keyed reads through the unoptimized code's caches in a cold write of
 * 10,000 tunnels.
 */
const FIRST_LENGTH = 16;

export class DistinctValues {
  /** How many distinct values there are; their ids are 0 … count - 1. */
  count = 0;

  /**
   * With spans as tuples: the file names of the spans read, in the order met (the payload's
   * `files` table). Null when spans are ordinary objects (format version 2, the ESM target).
   */
  readonly files: string[] | null;
  readonly #fileIndex = new Map<string, number>();
  #lastFile: string | null = null;
  #lastFileIndex = 0;
  /** Per file index, the piece that starts its spans' text (`[0,`). */
  readonly #spanOpenings: number[] = [];
  /** The spans read, three numbers each: file index, start, end. */
  #spans: Int32Array = new Int32Array(3 * FIRST_LENGTH);
  #spanCount = 0;

  // Per distinct value: its shape, where its tokens start (and the next value's start where
  // they end), its hash.
  #shapeIds: Int32Array = new Int32Array(FIRST_LENGTH);
  #starts: Int32Array = new Int32Array(FIRST_LENGTH);
  #hashes: Int32Array = new Int32Array(FIRST_LENGTH);

  // The tokens of every distinct value, back to back.
  #kinds: Uint8Array = new Uint8Array(FIRST_LENGTH);
  #tokens: Int32Array = new Int32Array(FIRST_LENGTH);
  #slots = 0;

  // The tokens of the values being read (a parent's below its children's).
  #stackKinds: Uint8Array = new Uint8Array(FIRST_LENGTH);
  #stackTokens: Int32Array = new Int32Array(FIRST_LENGTH);
  #top = 0;

  /** Open addressing: id + 1 of the value in each bucket, 0 when empty. */
  #buckets: Int32Array = new Int32Array(FIRST_LENGTH);

  /** The text of every opener, closer and scalar token, each encoded once. */
  readonly pieces = new TextPieces();
  readonly #shapes: Shape[] = [];
  readonly #arrayShapes: number[] = [];
  readonly #names = new NamesNode("", null);
  /** The member names of objects in their own order, to their sorted order. */
  readonly #namesAsMet = new NamesNode("", null);
  /** Each string met, to the piece of its JSON text. */
  #strings = new Map<string, number>();
  // The string met last and its piece: a span's file name, met in every span, is found by
  // one comparison of references.
  #lastString: string | null = null;
  #lastStringPiece = 0;
  // `true`, `false` and `null`, the most frequent literals, kept apart from the table.
  readonly #true = this.pieces.add("true");
  readonly #false = this.pieces.add("false");
  readonly #null = this.pieces.add("null");
  /** The JSON text of every other scalar met but 32-bit integers, to its piece. */
  readonly #literals = new Map<string, number>([
    ["true", this.#true],
    ["false", this.#false],
    ["null", this.#null],
  ]);
  /**
   * The id of objects with nested objects or arrays that were met twice. The IR refers to one
   * object from many places (a rule set every tunnel inherits): its id is found again without
   * reading it again. Only a value found equal to one stored before is remembered (the second
   * time a shared object is read): most objects with nested ones are a tunnel's or a grant's
   * own, met once, and remembering every one of them (~180,000 on 10,000 tunnels and grants)
   * cost more than reading the shared ones twice. Objects of scalars alone (most of them:
   * spans) are cheaper to read again than to remember. Which values are remembered changes no
   * id: a value read again finds itself and all its nested values stored.
   */
  #byIdentity = new Map<object, number>();
  #sealed = false;

  /** `spansAsTuples`: write objects of exactly `file`, `start` and `end` as tuples. */
  constructor(spansAsTuples = false) {
    this.files = spansAsTuples ? [] : null;
    if (!spansAsTuples) return;
    for (const names of SPAN_NAME_ORDERS) {
      let node = this.#namesAsMet;
      for (const name of names) node = node.then(name);
      node.span = true;
    }
  }

  /**
   * The id of a value's distinct entry, or null for a scalar. A span read as a tuple is no
   * distinct value: its id is negative, `-1 - index` (see `spanOpening`).
   */
  add(value: unknown): number | null {
    if (this.#sealed) throw new Error("DistinctValues: a value added after seal()");
    if (value === null || typeof value !== "object") return null;
    return this.#addObject(value);
  }

  /**
   * The piece that starts the `[file, start, end]` text of the span of index `index`: `[`, the
   * file's index and a comma.
   */
  spanOpening(index: number): number {
    // SAFETY: a span token indexes the spans read, three numbers each; its file, the files.
    return this.#spanOpenings[this.#spans[3 * index] as number] as number;
  }

  spanStart(index: number): number {
    // SAFETY: as in spanOpening.
    return this.#spans[3 * index + 1] as number;
  }

  spanEnd(index: number): number {
    // SAFETY: as in spanOpening.
    return this.#spans[3 * index + 2] as number;
  }

  /**
   * Ends the adding: frees what only finding values needs (the hash table, the values met
   * by identity, the strings by text: about a third of what this holds on 10,000 tunnels),
   * so it can be collected while the text is written.
   */
  seal(): void {
    this.#sealed = true;
    this.#byIdentity = new Map();
    this.#strings = new Map();
    this.#buckets = new Int32Array(0);
    this.#hashes = new Int32Array(0);
  }

  slotStart(id: number): number {
    // SAFETY: ids are below `count`, within the per-value arrays.
    return this.#starts[id] as number;
  }

  slotEnd(id: number): number {
    // SAFETY: as in slotStart.
    return this.#starts[id + 1] as number;
  }

  slotKind(slot: number): number {
    // SAFETY: slots are below `#slots`, within the token arrays.
    return this.#kinds[slot] as number;
  }

  slotValue(slot: number): number {
    // SAFETY: as in slotKind.
    return this.#tokens[slot] as number;
  }

  /**
   * The piece before a value's first token; the one before its token `i` is `firstPiece + i`,
   * and after its last token comes its closer.
   */
  firstPiece(id: number): number {
    return this.#shape(id).firstPiece;
  }

  #shape(id: number): Shape {
    // SAFETY: ids are below `count`; a value's shape id indexes `#shapes`.
    return this.#shapes[this.#shapeIds[id] as number] as Shape;
  }

  #addObject(value: object): number {
    return Array.isArray(value) ? this.#addArray(value) : this.#addRecord(value);
  }

  #addArray(value: readonly unknown[]): number {
    const base = this.#top;
    // Whether the value holds an object or an array, known at the first: then it was
    // looked up by identity, and is remembered by it when found equal to a stored value.
    let remembered = false;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === null || typeof item !== "object") {
        this.#pushScalar(item, true);
        continue;
      }
      if (!remembered) {
        remembered = true;
        const met = this.#byIdentity.get(value);
        if (met !== undefined) return this.#drop(base, met);
      }
      this.#pushChild(this.#addObject(item));
    }
    const before = this.count;
    const id = this.#intern(this.#arrayShape(value.length), base);
    this.#top = base;
    if (remembered && id < before) this.#byIdentity.set(value, id);
    return id;
  }

  /**
   * An object: its own enumerable members, by `Object.keys` and `Object.values` (one call
   * each, in the same order, rather than a keyed lookup per member, which the many object
   * types of an IR make megamorphic). Its names as met lead to their sorted order.
   */
  #addRecord(value: object): number {
    // A lazy span map (a tunnel's or grant's `spans`) is written as its plain map (`toJSON`),
    // read from it with no object made.
    const lazy = lazySpanEntries(value);
    const met = follow(this.#namesAsMet, lazy?.keys ?? Object.keys(value));
    // A span's three members are read by name, with no list of its values: spans are most of
    // the objects met (~290,000 of ~480,000 on 10,000 tunnels and grants).
    if (met.span) {
      const span = this.#readSpan(value as Record<string, unknown>);
      if (span >= 0) return -1 - span;
    }
    const items: unknown[] = lazy?.spans ?? Object.values(value);
    const nested = holdsObject(items);
    // Remembered by identity when it holds an object or an array, as in #addArray.
    if (nested) {
      const known = this.#byIdentity.get(value);
      if (known !== undefined) return known;
    }
    const order = met.order ?? this.#sortedOrder(met);
    const base = this.#top;
    let allDefined = true;
    for (let i = 0; i < order.length; i++) {
      // SAFETY: `order` is a permutation of the positions in `items`.
      const item = items[order[i] as number];
      if (item === undefined) allDefined = false;
      else if (item === null || typeof item !== "object") this.#pushScalar(item, false);
      else this.#pushChild(this.#addObject(item));
    }
    const shape = allDefined ? met.shapeAllDefined : this.#definedShape(met, order, items);
    const before = this.count;
    const id = this.#intern(shape, base);
    this.#top = base;
    // Found, not added: met before, perhaps as this very object (see #byIdentity).
    if (nested && id < before) this.#byIdentity.set(value, id);
    return id;
  }

  /** The sorted order of the names as met up to `met`, and their shape all defined. */
  #sortedOrder(met: NamesNode): Int32Array {
    const names = met.names();
    const order = Int32Array.from(names.keys()).sort((a, b) => {
      // SAFETY: a and b are positions in `names`.
      const [x, y] = [names[a] as string, names[b] as string];
      // By code unit, as `Array.prototype.sort` orders strings.
      return x < y ? -1 : x > y ? 1 : 0;
    });
    // SAFETY: the positions in `order` are within `names`.
    const sorted = Array.from(order, (position) => names[position] as string);
    met.order = order;
    met.shapeAllDefined = this.#objectShape(follow(this.#names, sorted));
    return order;
  }

  /** The shape of an object some of whose members are undefined (not written). */
  #definedShape(met: NamesNode, order: Int32Array, items: readonly unknown[]): number {
    const names = met.names();
    let node = this.#names;
    for (const position of order) {
      if (items[position] === undefined) continue;
      // SAFETY: the positions in `order` are within `names`.
      node = node.then(names[position] as string);
    }
    return this.#objectShape(node);
  }

  /**
   * Stores a span's numbers and returns its index, or -1 when its members are not a span's
   * (a file name and offsets that are 32-bit integers ≥ 0): it is then an ordinary object.
   */
  #readSpan(value: Record<string, unknown>): number {
    const file = value["file"];
    const start = value["start"];
    const end = value["end"];
    if (typeof file !== "string" || typeof start !== "number" || typeof end !== "number") {
      return -1;
    }
    if ((start | 0) !== start || (end | 0) !== end || start < 0 || end < 0) return -1;
    if (Object.is(start, -0) || Object.is(end, -0)) return -1;
    let fileIndex = this.#lastFileIndex;
    if (file !== this.#lastFile) {
      const known = this.#fileIndex.get(file);
      // SAFETY: span names are only registered when `files` is a list.
      const files = this.files as string[];
      fileIndex = known ?? files.length;
      if (known === undefined) {
        files.push(file);
        this.#fileIndex.set(file, fileIndex);
        this.#spanOpenings.push(this.pieces.add(`[${fileIndex},`));
      }
      this.#lastFile = file;
      this.#lastFileIndex = fileIndex;
    }
    const index = this.#spanCount++;
    const at = 3 * index;
    this.#spans = grownInt32(this.#spans, at + 3);
    this.#spans[at] = fileIndex;
    this.#spans[at + 1] = start;
    this.#spans[at + 2] = end;
    return index;
  }

  /** A nested value's token: a span (a negative id) or a distinct value. */
  #pushChild(id: number): void {
    if (id < 0) this.#push(TOKEN_SPAN, -1 - id);
    else this.#push(TOKEN_CHILD, id);
  }

  /** Drops the tokens read from `base` on, for a value found by identity. */
  #drop(base: number, id: number): number {
    this.#top = base;
    return id;
  }

  #push(kind: number, token: number): void {
    const top = this.#top;
    if (top === this.#stackKinds.length) {
      this.#stackKinds = grownUint8(this.#stackKinds, top + 1);
      this.#stackTokens = grownInt32(this.#stackTokens, top + 1);
    }
    this.#stackKinds[top] = kind;
    this.#stackTokens[top] = token;
    this.#top = top + 1;
  }

  /** A scalar's token. In an array, what JSON cannot write is `null`; as a member, it is as before. */
  #pushScalar(item: unknown, inArray: boolean): void {
    if (item === true) this.#push(TOKEN_PIECE, this.#true);
    else if (item === false) this.#push(TOKEN_PIECE, this.#false);
    else if (item === null) this.#push(TOKEN_PIECE, this.#null);
    else if (typeof item === "string") {
      if (item === this.#lastString) {
        this.#push(TOKEN_PIECE, this.#lastStringPiece);
        return;
      }
      let piece = this.#strings.get(item);
      if (piece === undefined) {
        piece = this.pieces.addString(item);
        this.#strings.set(item, piece);
      }
      this.#lastString = item;
      this.#lastStringPiece = piece;
      this.#push(TOKEN_PIECE, piece);
    } else if (typeof item === "number" && (item | 0) === item) {
      this.#push(TOKEN_INT, item);
    } else {
      // `true`, `false`, `null`, other numbers (a non-finite one is `null`), and what
      // JSON.stringify does not write: `null` in an array, the text `undefined` as a member
      // (never in an IR).
      const text = inArray ? (JSON.stringify(item) ?? "null") : String(JSON.stringify(item));
      let piece = this.#literals.get(text);
      if (piece === undefined) {
        piece = this.pieces.add(text);
        this.#literals.set(text, piece);
      }
      this.#push(TOKEN_PIECE, piece);
    }
  }

  #arrayShape(length: number): number {
    let shape = this.#arrayShapes[length];
    if (shape === undefined) {
      const openers = Array.from({ length }, (_, i) => (i === 0 ? "[" : ","));
      shape = this.#shapes.length;
      this.#shapes.push(shapeOf(this.pieces, openers, length === 0 ? "[]" : "]"));
      this.#arrayShapes[length] = shape;
    }
    return shape;
  }

  #objectShape(node: NamesNode): number {
    if (node.shape < 0) {
      const openers = node
        .names()
        .map((name, i) => `${i === 0 ? "{" : ","}${JSON.stringify(name)}:`);
      node.shape = this.#shapes.length;
      this.#shapes.push(shapeOf(this.pieces, openers, openers.length === 0 ? "{}" : "}"));
    }
    return node.shape;
  }

  /** The id of the value whose tokens are on the stack from `base`: found, or added. */
  #intern(shape: number, base: number): number {
    const top = this.#top;
    const kinds = this.#stackKinds;
    const tokens = this.#stackTokens;
    let hash = mix(0x811c9dc5, shape);
    for (let i = base; i < top; i++) {
      // SAFETY: base <= i < top, within the stack.
      const kind = kinds[i] as number;
      // A token and its kind in one word (kinds take 3 bits; a 32-bit integer's top 3 bits
      // are lost to the hash, not to the comparison).
      // SAFETY: as above.
      if (kind !== TOKEN_SPAN) hash = mix(hash, ((tokens[i] as number) << 3) | kind);
      // SAFETY: as above.
      else hash = this.#mixSpan(mix(hash, kind), tokens[i] as number);
    }
    hash = finish(hash);
    const mask = this.#buckets.length - 1;
    let bucket = hash & mask;
    for (;;) {
      // SAFETY: bucket <= mask, within the buckets.
      const entry = this.#buckets[bucket] as number;
      if (entry === 0) break;
      if (this.#equals(entry - 1, hash, shape, base)) return entry - 1;
      bucket = (bucket + 1) & mask;
    }
    const id = this.#store(shape, base, hash);
    this.#buckets[bucket] = id + 1;
    if (this.count * 2 > this.#buckets.length) this.#rehash();
    return id;
  }

  /** Mixes a span's content (not its index: equal spans read twice have two). */
  #mixSpan(hash: number, index: number): number {
    const spans = this.#spans;
    const at = 3 * index;
    // SAFETY: a span token indexes the spans read, three numbers each.
    const mixed = mix(mix(hash, spans[at] as number), spans[at + 1] as number);
    // SAFETY: as above.
    return mix(mixed, spans[at + 2] as number);
  }

  #sameSpan(a: number, b: number): boolean {
    const spans = this.#spans;
    return (
      spans[3 * a] === spans[3 * b] &&
      spans[3 * a + 1] === spans[3 * b + 1] &&
      spans[3 * a + 2] === spans[3 * b + 2]
    );
  }

  #equals(id: number, hash: number, shape: number, base: number): boolean {
    if (this.#hashes[id] !== hash || this.#shapeIds[id] !== shape) return false;
    // SAFETY: ids are below `count`.
    const start = this.#starts[id] as number;
    // SAFETY: as above.
    if ((this.#starts[id + 1] as number) - start !== this.#top - base) return false;
    for (let i = 0; i < this.#top - base; i++) {
      const kind = this.#kinds[start + i];
      if (kind !== this.#stackKinds[base + i]) return false;
      // SAFETY: both slots are within their token arrays.
      const [a, b] = [this.#tokens[start + i] as number, this.#stackTokens[base + i] as number];
      if (kind === TOKEN_SPAN ? !this.#sameSpan(a, b) : a !== b) return false;
    }
    return true;
  }

  #store(shape: number, base: number, hash: number): number {
    const id = this.count++;
    const size = this.#top - base;
    if (id === this.#shapeIds.length) {
      this.#shapeIds = grownInt32(this.#shapeIds, id + 1);
      this.#hashes = grownInt32(this.#hashes, id + 1);
    }
    // One more start than values: the last one's end.
    if (id + 2 > this.#starts.length) this.#starts = grownInt32(this.#starts, id + 2);
    const start = this.#slots;
    if (start + size > this.#tokens.length) {
      this.#kinds = grownUint8(this.#kinds, start + size);
      this.#tokens = grownInt32(this.#tokens, start + size);
    }
    const kinds = this.#kinds;
    const tokens = this.#tokens;
    const stackKinds = this.#stackKinds;
    const stackTokens = this.#stackTokens;
    for (let i = 0; i < size; i++) {
      // SAFETY: base + i < top, within the stack.
      kinds[start + i] = stackKinds[base + i] as number;
      // SAFETY: as above.
      tokens[start + i] = stackTokens[base + i] as number;
    }
    this.#slots = start + size;
    this.#shapeIds[id] = shape;
    this.#starts[id] = start;
    this.#starts[id + 1] = start + size;
    this.#hashes[id] = hash;
    return id;
  }

  /**
   * Whether a value's text with nothing shared is at least `min` characters long. Asked only of
   * values met twice or more (the sharing plan), and it stops counting at `min`: measuring
   * every value as it was stored cost more than the question.
   */
  textIsAtLeast(id: number, min: number): boolean {
    return this.#textLengthUpTo(id, min) >= min;
  }

  /** The length of a value's text, or any number ≥ `limit` once it reaches `limit`. */
  #textLengthUpTo(id: number, limit: number): number {
    let length = this.#shape(id).overhead;
    const end = this.slotEnd(id);
    for (let slot = this.slotStart(id); slot < end && length < limit; slot++) {
      const kind = this.slotKind(slot);
      const token = this.slotValue(slot);
      length +=
        kind === TOKEN_CHILD
          ? this.#textLengthUpTo(token, limit - length)
          : kind === TOKEN_INT
            ? intTextLength(token)
            : kind === TOKEN_SPAN
              ? this.#spanTextLength(token)
              : this.pieces.textLength(token);
    }
    return length;
  }

  /** The length of the `[file, start, end]` text of the span of index `index`. */
  #spanTextLength(index: number): number {
    const spans = this.#spans;
    const at = 3 * index;
    // SAFETY: a span token indexes the spans read, three numbers each.
    const [file, start, end] = [
      spans[at] as number,
      spans[at + 1] as number,
      spans[at + 2] as number,
    ];
    return 4 + intTextLength(file) + intTextLength(start) + intTextLength(end);
  }

  #rehash(): void {
    const buckets = new Int32Array(this.#buckets.length * 2);
    const mask = buckets.length - 1;
    for (let id = 0; id < this.count; id++) {
      // SAFETY: ids are below `count`.
      let bucket = (this.#hashes[id] as number) & mask;
      while (buckets[bucket] !== 0) bucket = (bucket + 1) & mask;
      buckets[bucket] = id + 1;
    }
    this.#buckets = buckets;
  }
}

/** Whether some item is an object or an array. */
function holdsObject(items: readonly unknown[]): boolean {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item !== null && typeof item === "object") return true;
  }
  return false;
}

/** The length of `String(value)` of a 32-bit integer, without making the string. */
function intTextLength(value: number): number {
  let digits = value < 0 ? 2 : 1;
  for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}
