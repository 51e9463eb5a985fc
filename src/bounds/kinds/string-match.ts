/**
 * String matches of tunnel filters (SPEC S-T4, S-T5): exact, one of, or a regex searched
 * (unanchored unless it anchors itself). Shared by the interpreter and the narrowing check.
 */
import { regexMatches } from "../../ir/path.ts";
import type { StringMatchIr } from "../../ir/types.ts";

/** Whether a string match accepts a value. An unsafe or invalid regex accepts nothing. */
export function stringMatches(match: StringMatchIr, value: string): boolean {
  switch (match.kind) {
    case "exact":
      return match.value === value;
    case "oneof":
      return match.values.includes(value);
    case "regex":
      return regexMatches(match.source, value);
  }
}

/** The finite set of values a match accepts, or `null` for a regex. */
export function matchValues(match: StringMatchIr): readonly string[] | null {
  if (match.kind === "exact") return [match.value];
  if (match.kind === "oneof") return match.values;
  return null;
}
