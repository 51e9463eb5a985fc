/**
 * The source map of a generated module (v3, written with `@jridgewell/gen-mapping`): each line
 * that holds a tunnel or a grant points at where that tunnel or grant is written in the policy,
 * so a debugger or a stack trace in an edge worker leads back to the policy's lines.
 */
import { GenMapping, addMapping, setSourceContent, toEncodedMap } from "@jridgewell/gen-mapping";
import type { Span } from "../../diagnostics/span.ts";

/** A generated line (zero-based) that holds one policy element, and where that element is written. */
export interface PlacedElement {
  readonly line: number;
  readonly column: number;
  readonly origin: Span | null;
}

/** A source map, ready for `JSON.stringify`. */
export type ModuleSourceMap = ReturnType<typeof toEncodedMap>;

/** Zero-based line and column of an offset in `text`. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 0;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start };
}

/** Maps each placed element's line to its origin; elements without an origin or text are left out. */
export function moduleSourceMap(
  placed: readonly PlacedElement[],
  sources: ReadonlyMap<string, string>,
): ModuleSourceMap {
  const map = new GenMapping();
  for (const [name, text] of sources) setSourceContent(map, name, text);
  for (const element of placed) {
    const text = element.origin === null ? undefined : sources.get(element.origin.file);
    if (element.origin === null || text === undefined) continue;
    const original = position(text, element.origin.start);
    addMapping(map, {
      generated: { line: element.line + 1, column: element.column },
      source: element.origin.file,
      original: { line: original.line + 1, column: original.column },
    });
  }
  return toEncodedMap(map);
}
