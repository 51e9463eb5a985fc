/**
 * RP8070: a path prefix or glob of a grant that another entry of the same list already
 * covers (`prefix ["/", "/api/"]`: `/` allows every path, so `/api/` adds nothing). Usually
 * the author meant the list to be narrower than it is. Containment is decided exactly with
 * the path automata of `analysis/path-space.ts`; lists longer than MAX_ENTRIES are skipped to
 * keep the pairwise check bounded.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { pathMatchAdmitsSome, pathMatchContains } from "../../analysis/path-space.ts";
import type { ActionIr, GrantIr, PathMatchIr } from "../../ir/types.ts";
import { forEachAction } from "../grant-actions.ts";
import type { LintContext, LintRule } from "../rule.ts";
import { spanPart } from "../rule.ts";

const MAX_ENTRIES = 32;

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
  return match.kind === "glob" || inner.startsWith(outer.replace(/\/$/, ""));
}

/** Each shadowed entry with the first entry that covers it (mutual covers report one side). */
function shadowed(match: ListMatch): { entry: string; by: string }[] {
  const values = entries(match);
  if (values.length < 2 || values.length > MAX_ENTRIES) return [];
  const singles = values.map((v) => single(match, v));
  const found: { entry: string; by: string }[] = [];
  values.forEach((entry, i) => {
    const inner = singles[i] as PathMatchIr;
    // An entry no path reaches is RP8004's finding, not this one.
    if (pathMatchAdmitsSome(inner) !== true) return;
    for (let j = 0; j < values.length; j++) {
      if (j === i || !mayCover(match, values[j] as string, entry)) continue;
      if (pathMatchContains(singles[j] as PathMatchIr, inner) !== true) continue;
      const mutual = pathMatchContains(inner, singles[j] as PathMatchIr) === true;
      if (mutual && j > i) continue;
      found.push({ entry, by: values[j] as string });
      return;
    }
  });
  return found;
}

function addFindings(grant: GrantIr, action: ActionIr, out: Diagnostic[]): void {
  const path = action.path;
  if (path === null || (path.kind !== "prefix" && path.kind !== "glob")) return;
  for (const { entry, by } of shadowed(path)) {
    out.push({
      code: "RP8070",
      severity: "warning",
      message: `path ${path.kind} \`${entry}\` of grant \`${grant.name}\` is redundant: \`${by}\` in the same list already allows every path it allows`,
      ...spanPart(action.origin ?? grant.origin),
      help: `remove \`${entry}\`, or narrow \`${by}\` if the list was meant to allow less`,
    });
  }
}

function check({ ir }: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const grant of ir.grants) {
    if (grant.resources === null) continue;
    forEachAction(grant.resources, (action) => addFindings(grant, action, out));
  }
  return out;
}

export const shadowedPathPattern: LintRule = { code: "RP8070", check };
