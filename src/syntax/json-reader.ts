/**
 * A position-tracking JSON reader (RFC 8259). `JSON.parse` loses positions and silently keeps
 * the last of two equal keys; this reader records a span for every value and every property
 * name, so schema errors get carets in JSON files just as in the DSL, and it refuses
 * duplicate keys. It never throws on bad input: every problem becomes an RP20xx diagnostic.
 *
 * Span tables, both keyed by JSON Pointer (RFC 6901):
 * - `spans`: pointer of a value → the span of the value (strings include their quotes);
 *   `""` is the whole document.
 * - `keySpans`: pointer of an object property → the span of its quoted name, so "unknown
 *   property" diagnostics underline the name rather than the whole value. Only diagnostics
 *   need it, so it is built on first use, from `spans` and the text (a name is the string
 *   just before its value's `:`), and large files do not pay for a second table.
 */
import { DiagnosticBag } from "../diagnostics/bag.ts";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile, Span } from "../diagnostics/span.ts";
import * as errors from "./json-errors.ts";
import { readWellFormedJson } from "./json-spans.ts";
import type { SpanIndexing } from "./json-spans.ts";
import { SpanStore } from "./span-store.ts";
import { SpanTree } from "./span-tree.ts";
import type { SpanNode, SpanRows } from "./span-tree.ts";

/** Limits on hostile input, checked before (size) and during (depth) reading. */
export interface JsonLimits {
  /** Most UTF-16 code units a file may have. */
  readonly maxLength: number;
  /** Most levels of nested arrays and objects. */
  readonly maxDepth: number;
}

/** Defaults: room for a 10,000-tunnel policy, far more nesting than any policy needs. */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxLength: 64 * 1024 * 1024, maxDepth: 128 };

/** A read JSON value and where each part of it was written. */
export interface JsonDocument {
  readonly value: unknown;
  readonly spans: SpanTree;
  /** Built on first use (a lookup or iteration), which only diagnostics need. */
  readonly keySpans: ReadonlyMap<string, Span>;
}

/** Thrown inside the reader to stop at a syntax error; caught in `readJson`, never escapes. */
class StopReading {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic) {
    this.diagnostic = diagnostic;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NUMBER_LIKE = /[-+.\dA-Za-z_]*/y;
const WORD = /[A-Za-z_$][\w$]*/y;

/**
 * Reads one JSON document. Fails with RP20xx diagnostics; never throws on bad input.
 * `indexing`: when a well-formed file's spans are indexed (`SpanIndexing`).
 */
export function readJson(
  source: SourceFile,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
  indexing: SpanIndexing = "on first use",
): Outcome<JsonDocument> {
  const bag = new DiagnosticBag();
  if (source.text.length > limits.maxLength) {
    bag.add(errors.tooLarge(span(source.name, 0, 0), source.text.length, limits.maxLength));
    return bag.fail();
  }
  const wellFormed = readWellFormedJson(
    source,
    limits.maxDepth,
    expectedValues(source),
    () => readCarefulRows(source, limits),
    indexing,
  );
  if (wellFormed !== undefined) {
    const { value, spans } = wellFormed;
    return bag.finish({ value, spans, keySpans: new LazyMap(() => buildKeySpans(source, spans)) });
  }
  return readJsonCarefully(source, limits);
}

/**
 * `readJson` by this file's own reader alone, which `readJson` leaves to `JSON.parse` when a
 * file is well formed (see `json-spans.ts`). For the tests that hold both ways to one result.
 */
export function readJsonCarefully(
  source: SourceFile,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
): Outcome<JsonDocument> {
  const bag = new DiagnosticBag();
  if (source.text.length > limits.maxLength) {
    bag.add(errors.tooLarge(span(source.name, 0, 0), source.text.length, limits.maxLength));
    return bag.fail();
  }
  const reader = new JsonReader(source, limits, bag);
  try {
    const value = reader.readDocument();
    const { spans } = reader;
    return bag.finish({ value, spans, keySpans: new LazyMap(() => buildKeySpans(source, spans)) });
  } catch (stop) {
    if (!(stop instanceof StopReading)) throw stop;
    bag.add(stop.diagnostic);
    return bag.fail();
  }
}

/**
 * The rows the careful reader records for a text `JSON.parse` accepted and `readWellFormedJson`
 * took, which the fast path's span index reads instead when it cannot (an escaped name).
 */
export function readCarefulRows(source: SourceFile, limits: JsonLimits): SpanRows {
  const reader = new JsonReader(source, limits, new DiagnosticBag());
  reader.readDocument();
  return reader.rows;
}

/** How many values to make room for in the span table: indented policy JSON has one per ~30 characters. */
function expectedValues(source: SourceFile): number {
  return source.text.length / 24;
}

function span(file: string, start: number, end: number): Span {
  return { file, start, end };
}

/**
 * A map built on first use. A getter on the document would not do: destructuring the read
 * document (`const { spans, keySpans } = …`) calls it, building the table for every file.
 */
class LazyMap<K, V> implements ReadonlyMap<K, V> {
  #build: (() => ReadonlyMap<K, V>) | undefined;
  #map: ReadonlyMap<K, V> | undefined;

  constructor(build: () => ReadonlyMap<K, V>) {
    this.#build = build;
  }

  get #built(): ReadonlyMap<K, V> {
    if (this.#map === undefined) {
      this.#map = (this.#build as () => ReadonlyMap<K, V>)();
      this.#build = undefined;
    }
    return this.#map;
  }

  get(key: K): V | undefined {
    return this.#built.get(key);
  }

  has(key: K): boolean {
    return this.#built.has(key);
  }

  get size(): number {
    return this.#built.size;
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    this.#built.forEach((value, key) => callback(value, key, this));
  }

  entries(): MapIterator<[K, V]> {
    return this.#built.entries();
  }

  keys(): MapIterator<K> {
    return this.#built.keys();
  }

  values(): MapIterator<V> {
    return this.#built.values();
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#built.entries();
  }
}

/** Recursive descent over the text; depth is bounded by `limits.maxDepth`, so the stack is too. */
class JsonReader {
  readonly spans: SpanTree;
  readonly rows: SpanStore;
  readonly #text: string;
  readonly #file: string;
  readonly #limits: JsonLimits;
  readonly #bag: DiagnosticBag;
  /** `#file` in the span table. */
  readonly #fileId: number;
  #pos = 0;

  constructor(source: SourceFile, limits: JsonLimits, bag: DiagnosticBag) {
    this.rows = new SpanStore(expectedValues(source));
    this.spans = new SpanTree(this.rows);
    this.#text = source.text;
    this.#file = source.name;
    this.#limits = limits;
    this.#bag = bag;
    this.#fileId = this.spans.fileId(source.name);
  }

  readDocument(): unknown {
    // RFC 8259 lets a reader ignore a byte order mark; editors on some systems write one.
    if (this.#text.charCodeAt(0) === 0xfeff) this.#pos = 1;
    this.#skipSpace();
    const value = this.#readValue(this.spans.root, 0);
    this.#skipSpace();
    if (this.#pos < this.#text.length) {
      this.#stop(errors.trailingContent(this.#span(this.#pos, this.#trimmedEnd())));
    }
    return value;
  }

  #readValue(node: SpanNode, depth: number): unknown {
    const start = this.#pos;
    const value = this.#readValueAt(node, depth);
    // HOT PATH: a row in the span table, no span object (a large policy has ~500,000 values).
    node.setRange(this.#fileId, start, this.#pos);
    return value;
  }

  #readValueAt(node: SpanNode, depth: number): unknown {
    const c = this.#text.charCodeAt(this.#pos);
    if (c === 0x7b) return this.#readObject(node, depth + 1);
    if (c === 0x5b) return this.#readArray(node, depth + 1);
    if (c === QUOTE) return this.#readString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2e)
      return this.#readNumber();
    if (this.#atWord()) return this.#readLiteral();
    return this.#unexpected("a value");
  }

  #readObject(node: SpanNode, depth: number): Record<string, unknown> {
    this.#checkDepth(depth);
    const result: Record<string, unknown> = {};
    this.#pos++;
    this.#skipSpace();
    if (this.#eat(0x7d)) return result;
    for (;;) {
      const keyStart = this.#pos;
      const name = this.#readKey();
      const valueNode = node.child(name);
      // HOT PATH: no per-object set of seen keys; the object itself tells.
      const first = Object.hasOwn(result, name) ? this.#firstKeySpan(valueNode) : undefined;
      if (first !== undefined) {
        this.#bag.add(errors.duplicateKey(this.#span(keyStart, this.#pos), name, first));
      }
      this.#skipSpace();
      if (!this.#eat(0x3a)) this.#unexpected("`:` after the property name");
      this.#skipSpace();
      // A duplicate is an error, so the document is refused; its value is still read to find
      // the errors after it, but the first value keeps the spans.
      if (first !== undefined) this.#readValueAt(valueNode, depth);
      else {
        defineProperty(result, name, this.#readValue(valueNode, depth));
      }
      this.#skipSpace();
      if (this.#eat(0x7d)) return result;
      this.#readComma("`,` or `}`", 0x7d);
    }
  }

  #firstKeySpan(node: SpanNode): Span | undefined {
    const value = node.span;
    const start = value === undefined ? -1 : keyStartBefore(this.#text, value.start);
    return value === undefined || start < 0
      ? undefined
      : this.#span(start, keyEndBefore(this.#text, value.start));
  }

  /** Reads the `,` between entries; a closing bracket right after it is a trailing comma. */
  #readComma(expected: string, close: number): void {
    const comma = this.#pos;
    if (!this.#eat(0x2c)) this.#unexpected(expected);
    this.#skipSpace();
    if (this.#text.charCodeAt(this.#pos) === close) {
      this.#stop(errors.trailingComma(this.#span(comma, comma + 1)));
    }
  }

  /** A property name (the cursor then follows its closing quote). */
  #readKey(): string {
    const start = this.#pos;
    if (this.#text.charCodeAt(start) === QUOTE) return this.#readString();
    if (this.#atWord()) {
      WORD.lastIndex = start;
      const word = WORD.exec(this.#text)?.[0] ?? "";
      this.#stop(errors.unquotedPropertyName(this.#span(start, start + word.length), word));
    }
    return this.#unexpected("a property name in double quotes");
  }

  #readArray(node: SpanNode, depth: number): unknown[] {
    this.#checkDepth(depth);
    const result: unknown[] = [];
    this.#pos++;
    this.#skipSpace();
    if (this.#eat(0x5d)) return result;
    for (;;) {
      result.push(this.#readValue(node.child(result.length), depth));
      this.#skipSpace();
      if (this.#eat(0x5d)) return result;
      this.#readComma("`,` or `]`", 0x5d);
    }
  }

  #readString(): string {
    const text = this.#text;
    const open = this.#pos;
    let chunkStart = ++this.#pos;
    let out = "";
    for (;;) {
      const c = text.charCodeAt(this.#pos);
      if (c === QUOTE) {
        out += text.slice(chunkStart, this.#pos++);
        return out;
      }
      if (Number.isNaN(c) || c === 0x0a || c === 0x0d) {
        this.#stop(errors.unterminatedString(this.#span(open, this.#pos)));
      }
      if (c < 0x20) {
        this.#stop(
          errors.controlCharacter(this.#span(this.#pos, this.#pos + 1), text.charAt(this.#pos)),
        );
      }
      if (c === BACKSLASH) {
        out += text.slice(chunkStart, this.#pos);
        out += this.#readEscape();
        chunkStart = this.#pos;
      } else {
        this.#pos++;
      }
    }
  }

  #readEscape(): string {
    const start = this.#pos;
    const letter = this.#text.charAt(start + 1);
    const simple = SIMPLE_ESCAPES[letter];
    if (simple !== undefined) {
      this.#pos += 2;
      return simple;
    }
    if (letter === "u") {
      const hex = this.#text.slice(start + 2, start + 6);
      if (/^[0-9A-Fa-f]{4}$/.test(hex)) {
        this.#pos += 6;
        return String.fromCharCode(parseInt(hex, 16));
      }
      const bad = /^[0-9A-Fa-f]*/.exec(hex)?.[0].length ?? 0;
      this.#stop(
        errors.invalidEscape(this.#span(start, start + 2 + bad), `\\u${hex.slice(0, bad)}`),
      );
    }
    if (letter === "" || letter === "\n" || letter === "\r") {
      this.#stop(errors.unterminatedString(this.#span(this.#openQuote(start), start + 1)));
    }
    const following = String.fromCodePoint(this.#text.codePointAt(start + 1) ?? 0);
    return this.#stop(
      errors.invalidEscape(this.#span(start, start + 1 + following.length), `\\${following}`),
    );
  }

  /** The opening quote of the string whose escape starts at `offset` (for the span of RP2003). */
  #openQuote(offset: number): number {
    const lineStart = this.#text.lastIndexOf("\n", offset) + 1;
    const quote = this.#text.lastIndexOf('"', offset);
    return quote >= lineStart ? quote : offset;
  }

  #readNumber(): number {
    const start = this.#pos;
    NUMBER_LIKE.lastIndex = start;
    const candidate = NUMBER_LIKE.exec(this.#text)?.[0] ?? "";
    NUMBER.lastIndex = start;
    const valid = NUMBER.exec(this.#text)?.[0] ?? "";
    // A number must end where the number-like run ends: `01`, `1.`, `1e`, `+1` and `12abc` are errors.
    if (valid.length === 0 || valid.length !== candidate.length) {
      this.#stop(
        errors.invalidNumber(
          this.#span(start, start + Math.max(candidate.length, 1)),
          candidate || "-",
          "syntax",
        ),
      );
    }
    this.#pos = start + valid.length;
    const value = Number(valid);
    if (!Number.isFinite(value))
      this.#stop(errors.invalidNumber(this.#span(start, this.#pos), valid, "range"));
    return value;
  }

  #readLiteral(): boolean | null {
    const start = this.#pos;
    WORD.lastIndex = start;
    const word = WORD.exec(this.#text)?.[0] ?? "";
    this.#pos = start + word.length;
    if (word === "true") return true;
    if (word === "false") return false;
    if (word === "null") return null;
    return this.#stop(errors.invalidLiteral(this.#span(start, this.#pos), word));
  }

  #skipSpace(): void {
    const text = this.#text;
    for (;;) {
      const c = text.charCodeAt(this.#pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.#pos++;
      else if (
        c === 0x2f &&
        (text.charCodeAt(this.#pos + 1) === 0x2f || text.charCodeAt(this.#pos + 1) === 0x2a)
      ) {
        this.#stop(errors.commentNotAllowed(this.#span(this.#pos, this.#commentEnd())));
      } else return;
    }
  }

  #commentEnd(): number {
    const text = this.#text;
    if (text.charCodeAt(this.#pos + 1) === 0x2f) {
      const eol = text.indexOf("\n", this.#pos);
      return eol < 0 ? text.length : eol > 0 && text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
    }
    const close = text.indexOf("*/", this.#pos + 2);
    return close < 0 ? text.length : close + 2;
  }

  #checkDepth(depth: number): void {
    if (depth > this.#limits.maxDepth)
      this.#stop(errors.tooDeep(this.#span(this.#pos, this.#pos + 1), this.#limits.maxDepth));
  }

  #atWord(): boolean {
    const c = this.#text.charCodeAt(this.#pos);
    return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24;
  }

  #eat(char: number): boolean {
    if (this.#text.charCodeAt(this.#pos) !== char) return false;
    this.#pos++;
    return true;
  }

  /** Stops at the character under the cursor, or at the end of the text. */
  #unexpected(expected: string): never {
    const text = this.#text;
    if (this.#pos >= text.length) {
      const end = this.#trimmedEnd();
      this.#stop(
        errors.unexpectedEnd(this.#span(end, end), expected, end === 0 || text.trim() === "\ufeff"),
      );
    }
    const cp = text.codePointAt(this.#pos) ?? 0;
    const char = String.fromCodePoint(cp);
    return this.#stop(
      errors.unexpectedCharacter(this.#span(this.#pos, this.#pos + char.length), char, expected),
    );
  }

  /** The offset after the last non-space character, where "unexpected end" carets belong. */
  #trimmedEnd(): number {
    return this.#text.trimEnd().length;
  }

  #span(start: number, end: number): Span {
    return span(this.#file, start, end);
  }

  #stop(diagnostic: Diagnostic): never {
    throw new StopReading(diagnostic);
  }
}

/** The offset just after the closing quote of the name before the value at `valueStart`. */
function keyEndBefore(text: string, valueStart: number): number {
  let i = valueStart - 1;
  while (i >= 0 && text.charCodeAt(i) !== 0x3a) i--;
  i--;
  while (i >= 0 && text.charCodeAt(i) !== QUOTE) i--;
  return i + 1;
}

/**
 * The offset of the opening quote of the name before the value at `valueStart`, in text the
 * reader accepted: inside a string a quote is always escaped, so the opening quote is the
 * first one, going back, that follows an even number of backslashes.
 */
function keyStartBefore(text: string, valueStart: number): number {
  let i = keyEndBefore(text, valueStart) - 2;
  for (; i >= 0; i--) {
    if (text.charCodeAt(i) !== QUOTE) continue;
    let backslashes = 0;
    while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return -1;
}

/** The span of every property name, from the value spans (see the file comment). */
function buildKeySpans(source: SourceFile, spans: ReadonlyMap<string, Span>): Map<string, Span> {
  const keySpans = new Map<string, Span>();
  for (const [pointer, value] of spans) {
    if (pointer === "") continue;
    const parent = spans.get(pointer.slice(0, pointer.lastIndexOf("/")));
    // Members of arrays have no name; only an object's members do.
    if (parent === undefined || source.text.charCodeAt(parent.start) !== 0x7b) continue;
    const start = keyStartBefore(source.text, value.start);
    if (start >= 0)
      keySpans.set(pointer, span(source.name, start, keyEndBefore(source.text, value.start)));
  }
  return keySpans;
}

/** Sets a property so that `__proto__` becomes an own property, as `JSON.parse` does it. */
function defineProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
