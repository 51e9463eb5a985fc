/**
 * RP8070: a path prefix or glob of a grant that another entry of the same list already
 * covers (`prefix ["/", "/api/"]`: `/` allows every path, so `/api/` adds nothing). Usually
 * the author meant the list to be narrower than it is. Containment is decided exactly with
 * the path automata of `analysis/path-space.ts`; lists longer than MAX_ENTRIES are skipped to
 * keep the pairwise check bounded.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import {
  obviousPathWitness,
  pathMatchAdmitsSome,
  pathMatchContains,
} from "../../analysis/path-space.ts";
import type { ActionIr, GrantIr, PathMatchIr } from "../../ir/types.ts";
import { forEachGrantAction } from "../grant-actions.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";

const MAX_ENTRIES = 32;
const SLASH = 0x2f;

type ListMatch = Extract<PathMatchIr, { kind: "prefix" } | { kind: "glob" }>;

function entries(match: ListMatch): readonly string[] {
  return match.kind === "prefix" ? match.values : match.patterns;
}

function single(match: ListMatch, value: string): PathMatchIr {
  return match.kind === "prefix"
    ? { kind: "prefix", values: [value] }
    : { kind: "glob", patterns: [value] };
}

/**
 * A cheap necessary condition, so most pairs build no automaton: a prefix covers another only
 * if it starts it (less a trailing `/`). Globs are left to the exact check.
 */
function mayCover(match: ListMatch, outer: string, inner: string): boolean {
  if (match.kind === "glob") return true;
  // Compared in place: lint asks this of every pair of entries of every list, so no trimmed
  // copy of `outer` is made per pair, nor a call of `endsWith` (`charCodeAt(-1)` of an empty
  // entry is NaN: no `/`).
  const stem = outer.charCodeAt(outer.length - 1) === SLASH ? outer.length - 1 : outer.length;
  return startsWithFirst(inner, outer, stem);
}

/**
 * Whether some normalized path matches the entry. An obvious witness settles it without an
 * automaton, as in RP8004: grants name their own paths, and a large policy has ~20,000 of them
 * (the automaton for each made lint of 10,000 grants take 11 s instead of 0.1 s).
 */
function admitsSome(match: PathMatchIr): boolean | undefined {
  return obviousPathWitness(match) !== null ? true : pathMatchAdmitsSome(match);
}

/**
 * Whether some pair of entries passes `mayCover`. Most lists have no such pair (a grant's
 * prefixes name different services): then nothing is shadowed, and no entry needs its own
 * match or a witness.
 */
function somePairMayCover(match: ListMatch, values: readonly string[]): boolean {
  // Indexed: asked of every list of every grant, mostly before it is optimized, where the
  // closures of `some` would be made per list.
  for (let j = 0; j < values.length; j++) {
    for (let i = 0; i < values.length; i++) {
      // SAFETY: i and j are below values.length, the loops' bound.
      if (i !== j && mayCover(match, values[j] as string, values[i] as string)) return true;
    }
  }
  return false;
}

/** `text.startsWith(prefix.slice(0, length))`, without the slice. */
function startsWithFirst(text: string, prefix: string, length: number): boolean {
  if (text.length < length) return false;
  for (let k = 0; k < length; k++) {
    if (text.charCodeAt(k) !== prefix.charCodeAt(k)) return false;
  }
  return true;
}

/** No shadowed entry (shared: the answer for nearly every list). */
const NONE_SHADOWED: readonly { entry: string; by: string }[] = [];

/** Each shadowed entry with the first entry that covers it (mutual covers report one side). */
function shadowed(match: ListMatch): readonly { entry: string; by: string }[] {
  const values = entries(match);
  if (values.length < 2 || values.length > MAX_ENTRIES) return NONE_SHADOWED;
  if (!somePairMayCover(match, values)) return NONE_SHADOWED;
  const entriesWithMatch = values.map((value) => ({ value, match: single(match, value) }));
  const found: { entry: string; by: string }[] = [];
  entriesWithMatch.forEach((inner, i) => {
    // An entry no path reaches is RP8004's finding, not this one.
    if (admitsSome(inner.match) !== true) return;
    const cover = entriesWithMatch.find(
      (outer, j) =>
        j !== i &&
        mayCover(match, outer.value, inner.value) &&
        pathMatchContains(outer.match, inner.match) === true &&
        // Two entries that allow the same paths: report the later one only.
        (j < i || pathMatchContains(inner.match, outer.match) !== true),
    );
    if (cover !== undefined) found.push({ entry: inner.value, by: cover.value });
  });
  return found;
}

const messages = {
  redundantEntry: (kind: string, entry: string, grant: string, by: string) =>
    `path ${kind} \`${entry}\` of grant \`${grant}\` is redundant: \`${by}\` in the same list already allows every path it allows`,
};

function addFindings(
  grant: GrantIr,
  action: ActionIr,
  out: Diagnostic[],
  report: Report<typeof messages>,
): void {
  const path = action.path;
  if (path === null || (path.kind !== "prefix" && path.kind !== "glob")) return;
  const found = shadowed(path);
  if (found.length === 0) return;
  for (const { entry, by } of found) {
    out.push(
      report("redundantEntry", [path.kind, entry, grant.name, by], {
        span: action.origin ?? grant.origin,
        help: `remove \`${entry}\`, or narrow \`${by}\` if the list was meant to allow less`,
      }),
    );
  }
}

function check({ ir }: LintContext, report: Report<typeof messages>): Diagnostic[] {
  const out: Diagnostic[] = [];
  forEachGrantAction(ir.grants, (grant, action) => addFindings(grant, action, out, report));
  return out;
}

export const shadowedPathPattern: LintRule = createRule({
  meta: {
    code: "RP8070",
    name: "lint/shadowed-path-pattern",
    description: "a grant's path prefix or glob is covered by another entry of the same list",
    defaultSeverity: "warning",
    messages,
  },
  check,
});
