/** Shared by the duplicate checks of names: report every repeat of a value, pointing at the first. */
import type { LowerContext } from "../lower-context.ts";
import { duplicate } from "../semantic-diagnostics.ts";

/** Values that must be unique, in document order, and where each is written. */
export interface Occurrences {
  readonly values: readonly string[];
  /** The JSON Pointer of occurrence `i`; only built for a repeat and the value it repeats. */
  readonly pointer: (i: number) => string;
}

/** Reports each occurrence whose value was already seen. */
export function reportDuplicates(
  occurrences: Occurrences,
  code: Parameters<typeof duplicate>[0],
  what: string,
  ctx: LowerContext,
): void {
  const { values, pointer } = occurrences;
  const first = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    // SAFETY: i < values.length.
    const value = values[i] as string;
    const seen = first.get(value);
    if (seen === undefined) {
      first.set(value, i);
      continue;
    }
    ctx.report(duplicate(code, ctx.span(pointer(i)), what, value, ctx.span(pointer(seen))));
  }
}
