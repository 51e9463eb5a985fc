/**
 * The fast path of the JSON reader, for a well-formed file: the value comes from `JSON.parse`
 * (native code, several times faster than building it here), and the spans from an index of
 * the text (`json-span-index.ts`), with the same rows, order and spans as the careful reader's
 * table. When the caller reads spans at once (`"now"`: lowering does), the index is made by the
 * read, and its scan finds what `JSON.parse` reads differently (`json-text-index.ts`). Else
 * (`"on first use"`) it waits for the first span, and one walk of the value (names, depth,
 * finite numbers) and one search of the text for `:` find it: a name `JSON.parse` dropped
 * leaves the value fewer names than the text writes. A text with an escaped name, which the
 * index refuses, is checked the second way either way.
 *
 * It gives up (`undefined`) on anything the careful reader has something to say about, or that
 * `JSON.parse` reads differently: a syntax error, a duplicate key (`JSON.parse` keeps the last
 * value silently), nesting deeper than the limit, a number too large for a double, a byte
 * order mark. The caller then reads the file carefully, which reports it as before.
 */
import type { SourceFile } from "../diagnostics/span.ts";
import { JsonSpanIndex } from "./json-span-index.ts";
import { bytesAsCodeUnits } from "./code-units.ts";
import { SpanTree } from "./span-tree.ts";
import type { SpanRows } from "./span-tree.ts";

const QUOTE = 0x22;

/**
 * When a well-formed file's span index is made: `now`, by the read (whose scan then makes the
 * checks, instead of a walk of the value and a search of the text), for a caller that reads
 * spans at once, or `on first use`, for one that may never ask (a formatter).
 */
export type SpanIndexing = "now" | "on first use";

/**
 * `JSON.parse` of the text, with its spans as the careful reader records them; `undefined` when
 * the careful reader must read it (see the file comment). `expectedValues` sizes the span
 * index; `careful` gives the careful reader's rows, which the index reads instead for a text
 * with an escaped property name.
 */
export function readWellFormedJson(
  source: SourceFile,
  maxDepth: number,
  expectedValues: number,
  careful: () => SpanRows,
  indexing: SpanIndexing = "on first use",
): { value: unknown; spans: SpanTree } | undefined {
  const { text } = source;
  // A byte order mark is left to the careful reader, which skips it (`JSON.parse` refuses it).
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const index = new JsonSpanIndex(source, expectedValues, maxDepth, careful);
  if (indexing === "now") {
    // The index checks the text itself; for a text it refuses (an escaped name) it cannot
    // tell, and the walk and the count below decide.
    const asParsed = index.readsAsParsed();
    if (asParsed !== undefined) return asParsed ? { value, spans: new SpanTree(index) } : undefined;
  }
  const shape = new ShapeCheck(maxDepth);
  if (!shape.fits(value, 1)) return undefined;
  // The count of `:` can only be too high, by strings that look like a name's end (`":80"`);
  // then the index's scan decides (made now rather than at the first span): it finds a
  // repeated name itself, without the careful reader's rows.
  const units = bytesAsCodeUnits(text, source.bytes);
  if (shape.names !== countNameEnds(text, units) && index.readsAsParsed() !== true) {
    return undefined;
  }
  return { value, spans: new SpanTree(index) };
}

/**
 * One walk of a parsed value: its nesting is within the limit, its numbers are finite, and it
 * has `names` property names in all (fewer than the text writes when a name is repeated).
 */
class ShapeCheck {
  readonly #maxDepth: number;
  names = 0;

  constructor(maxDepth: number) {
    this.#maxDepth = maxDepth;
  }

  /** Whether `value`, at nesting `depth` if it is an array or object, fits the limits. */
  // HOT PATH: one call per value (~370,000 for 10,000 tunnels and grants).
  fits(value: unknown, depth: number): boolean {
    if (typeof value !== "object" || value === null) {
      return typeof value !== "number" || Number.isFinite(value);
    }
    if (depth > this.#maxDepth) return false;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (!this.fits(value[i], depth + 1)) return false;
      return true;
    }
    const fields = value as Record<string, unknown>;
    for (const name in fields) {
      this.names++;
      if (!this.fits(fields[name], depth + 1)) return false;
    }
    return true;
  }
}

/**
 * How many property names the text writes, at least: every `:` after a quote (and white
 * space). Each name ends so; a string may add a few (`":80"`, `"a\":b"`), which only makes the
 * count disagree with the parsed value's. `units`: the text's code units, if its bytes are
 * (`bytesAsCodeUnits`), read instead of the text: a file the CLI read is an external string,
 * whose `charCodeAt` calls into the runtime until it is optimized (~300,000 calls here).
 */
function countNameEnds(text: string, units: Uint8Array | undefined): number {
  let names = 0;
  for (let colon = text.indexOf(":"); colon >= 0; colon = text.indexOf(":", colon + 1)) {
    let i = colon - 1;
    let c = units === undefined ? text.charCodeAt(i) : (units[i] ?? 0);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      c = units === undefined ? text.charCodeAt(--i) : (units[--i] ?? 0);
    }
    if (c === QUOTE) names++;
  }
  return names;
}
