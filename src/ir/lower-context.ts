/**
 * What every lowering function needs: where a JSON Pointer of the document is written, and
 * somewhere to report problems. Policy files give real spans; token claims (which have no
 * source text) give none. This module imports nothing from the front ends, so the runtime can
 * lower token claims with the same code as the linter.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Span } from "../diagnostics/span.ts";
import type { SpanMap } from "./types.ts";

export interface LowerContext {
  /** The span of the value at a JSON Pointer (or of its nearest ancestor), if known. */
  span(pointer: string): Span | undefined;
  report(diagnostic: Diagnostic): void;
}

/** A context without source text that keeps what was reported (for token claims). */
export function collectingContext(): LowerContext & { readonly diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  return { span: () => undefined, report: (d) => diagnostics.push(d), diagnostics };
}

/** Joins a pointer and a key (RFC 6901 escaping). */
export function at(pointer: string, key: string | number): string {
  // HOT PATH: called for every value lowered; most keys need no escaping.
  if (typeof key === "number" || !/[~/]/.test(key)) return `${pointer}/${key}`;
  return `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

/** The spans of an object's present properties, keyed by their document names. */
export function propertySpans(value: object, pointer: string, ctx: LowerContext): SpanMap {
  const spans: Record<string, Span | undefined> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) spans[key] = ctx.span(at(pointer, key));
  }
  return spans;
}

/** Sorted, without duplicates: the canonical form of an unordered list of strings. */
export function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
