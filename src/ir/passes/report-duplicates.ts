/** Shared by the duplicate checks: report every repeat of a value, pointing at the first. */
import type { Severity } from "../../diagnostics/diagnostic.ts";
import type { LowerContext } from "../lower-context.ts";
import { duplicate } from "../semantic-diagnostics.ts";

/** One occurrence of a value that must be unique, and where it is written. */
export interface Occurrence {
  readonly value: string;
  readonly pointer: string;
  /** Repeats inside one owner (the same tunnel) can be less severe than across owners. */
  readonly owner?: number;
}

/** Reports each occurrence whose value was already seen. */
export function reportDuplicates(
  occurrences: readonly Occurrence[],
  code: Parameters<typeof duplicate>[0],
  what: string,
  ctx: LowerContext,
  sameOwnerSeverity: Severity = "error",
): void {
  const first = new Map<string, Occurrence>();
  for (const occurrence of occurrences) {
    const seen = first.get(occurrence.value);
    if (seen === undefined) {
      first.set(occurrence.value, occurrence);
      continue;
    }
    const sameOwner = seen.owner !== undefined && seen.owner === occurrence.owner;
    ctx.report(
      duplicate(
        code,
        ctx.span(occurrence.pointer),
        what,
        occurrence.value,
        ctx.span(seen.pointer),
        sameOwner ? sameOwnerSeverity : "error",
      ),
    );
  }
}
