/**
 * Line and column positions of spans, shared by the renderers. Lines and columns are 1-based
 * and count UTF-16 code units (SARIF `columnKind: "utf16CodeUnits"`, as editors count them);
 * an end position is exclusive: the position just after the last character of the span.
 */
import { LineIndex } from "./span.ts";
import type { LineCol, SourceFile, Span } from "./span.ts";

/** Start and end of a span as line/column pairs. */
export interface SpanPosition {
  readonly start: LineCol;
  readonly end: LineCol;
}

const indexes = new WeakMap<SourceFile, LineIndex>();

/** The line index of a source file, built once per file object. */
export function lineIndexOf(source: SourceFile): LineIndex {
  let index = indexes.get(source);
  if (index === undefined) {
    index = new LineIndex(source.text);
    indexes.set(source, index);
  }
  return index;
}

/** Clamps an offset into the text, so a stale or hostile span can never index past the end. */
export function clampOffset(offset: number, text: string): number {
  if (!Number.isFinite(offset) || offset < 0) return 0;
  return Math.min(Math.trunc(offset), text.length);
}

/** The positions of a span, or `undefined` when its file is not among the sources. */
export function positionOf(
  span: Span,
  sources: ReadonlyMap<string, SourceFile>,
): SpanPosition | undefined {
  const source = sources.get(span.file);
  if (source === undefined) return undefined;
  const index = lineIndexOf(source);
  const start = clampOffset(span.start, source.text);
  const end = Math.max(start, clampOffset(span.end, source.text));
  return { start: index.locate(start), end: index.locate(end) };
}
