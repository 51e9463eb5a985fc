/**
 * RP8004: a grant path restriction that no request path can reach: the pattern matches no
 * normalized path (a regex without the leading `/`, an exact path that normalization would
 * rewrite), or the branches of an `all { … }` node restrict paths to sets that never meet.
 * Decided exactly with the path automata of `analysis/path-space.ts`.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { findPath, obviousPathWitness, pathMatchAdmitsSome } from "../../analysis/path-space.ts";
import type { ActionIr, GrantIr, GrantNodeIr, PathMatchIr } from "../../ir/types.ts";
import { forEachGrantAction } from "../grant-actions.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";

const messages = {
  pathMatchesNothing: (path: string, grant: string) =>
    `path \`${path}\` of grant \`${grant}\` matches no request path`,
  allBranchesNeverOverlap: (grant: string, paths: string) =>
    `the branches of an \`all\` node of grant \`${grant}\` allow paths that never overlap (${paths})`,
};

function describe(match: PathMatchIr): string {
  switch (match.kind) {
    case "exact":
      return `== "${match.value}"`;
    case "oneof":
      return `in [${match.values.map((v) => `"${v}"`).join(", ")}]`;
    case "prefix":
      return `prefix [${match.values.map((v) => `"${v}"`).join(", ")}]`;
    case "glob":
      return `glob [${match.patterns.map((v) => `"${v}"`).join(", ")}]`;
    case "regex":
      return `~ "${match.source}"`;
  }
}

/** The path restrictions every request through this node must meet (one per AND branch). */
function connectPaths(node: GrantNodeIr): PathMatchIr[] | null {
  if (node.kind === "leaf") return node.connect?.path ? [node.connect.path] : null;
  if (node.kind === "or") return null;
  const parts = node.children.map(connectPaths).filter((p): p is PathMatchIr[] => p !== null);
  return parts.length === 0 ? null : parts.flat();
}

const NO_NODES: readonly GrantNodeIr[] = [];

function andNodes(node: GrantNodeIr): readonly GrantNodeIr[] {
  if (node.kind === "leaf") return NO_NODES;
  return [...(node.kind === "and" ? [node] : []), ...node.children.flatMap(andNodes)];
}

/**
 * Whether some normalized path matches, as far as this rule needs to know: an obvious witness
 * settles it without an automaton (most grants name their own paths). Where the exact search
 * would say "unknown" instead, it hit its bound on this one pattern, so it hits it on every
 * conjunction holding the pattern too, and the `all` check reports nothing either way.
 */
function admitsSome(match: PathMatchIr): boolean | undefined {
  return obviousPathWitness(match) !== null ? true : pathMatchAdmitsSome(match);
}

/** Appends the finding of one action whose path matches nothing to `out`. */
function addPathFinding(
  grant: GrantIr,
  action: ActionIr,
  out: Diagnostic[],
  report: Report<typeof messages>,
): void {
  if (action.path === null || admitsSome(action.path) !== false) return;
  out.push(
    report("pathMatchesNothing", [describe(action.path), grant.name], {
      span: action.origin ?? grant.origin,
      help: "request paths are matched after normalization: they start with `/`, have no `.`, `..` or empty segments and no query",
    }),
  );
}

/** Appends the findings of one grant's `all { … }` nodes to `out`. */
function addAndFindings(grant: GrantIr, out: Diagnostic[], report: Report<typeof messages>): void {
  if (grant.resources === null || grant.resources.kind === "leaf") return;
  for (const node of andNodes(grant.resources)) {
    const paths = connectPaths(node);
    if (paths === null || paths.length < 2 || !paths.every((p) => admitsSome(p) === true)) continue;
    if (findPath(paths, []).kind !== "none") continue;
    out.push(
      report("allBranchesNeverOverlap", [grant.name, paths.map(describe).join(" and ")], {
        span: node.origin ?? grant.origin,
        help: "every branch of `all { … }` must allow the path, so no request can use this grant to connect",
      }),
    );
  }
}

function check({ ir }: LintContext, report: Report<typeof messages>): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Grant by grant: its actions' findings, then its `all` nodes' (most grants are one leaf).
  let last: GrantIr | null = null;
  forEachGrantAction(ir.grants, (grant, action) => {
    if (grant !== last) {
      if (last !== null) addAndFindings(last, out, report);
      last = grant;
    }
    addPathFinding(grant, action, out, report);
  });
  if (last !== null) addAndFindings(last, out, report);
  return out;
}

export const unreachableGrantPath: LintRule = createRule({
  meta: {
    code: "RP8004",
    name: "lint/unreachable-grant-path",
    description: "a grant's path pattern matches no normalized request path",
    defaultSeverity: "warning",
    messages,
  },
  check,
});
