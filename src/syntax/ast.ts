/**
 * The parsed form of a policy file, whichever front end read it: the document (the JSON
 * model of `model.ts`) and a side table of source spans keyed by JSON Pointer
 * (`/tunnels/0/trusted_ips/1`). Keeping spans beside the document, not inside it, lets both
 * front ends share one shape, lets ajv's `instancePath` find its span directly, and keeps
 * equality of documents free of positions.
 */
import type { Span, SourceFile } from "../diagnostics/span.ts";
import type { PolicyDocumentDoc } from "./model.ts";
import { SpanTree } from "./span-tree.ts";

/**
 * JSON Pointer (RFC 6901) of a value in the document → the source span that wrote it. Both
 * front ends give a `SpanTree` (see `span-tree.ts`), which builds no pointer strings while
 * parsing; any other map (tests, token claims) works the same.
 */
export type SpanTable = ReadonlyMap<string, Span>;

export interface PolicyAst {
  readonly source: SourceFile;
  readonly syntax: "dsl" | "json";
  readonly document: PolicyDocumentDoc;
  readonly spans: SpanTable;
}

/**
 * The span of a pointer, or of its nearest ancestor that has one (so a diagnostic about a
 * value written by a default still points somewhere sensible).
 */
export function spanAt(spans: SpanTable, pointer: string): Span | undefined {
  if (spans instanceof SpanTree) return spans.nearest(pointer);
  let p = pointer;
  for (;;) {
    const s = spans.get(p);
    if (s !== undefined) return s;
    if (p === "") return undefined;
    p = p.slice(0, p.lastIndexOf("/"));
  }
}
