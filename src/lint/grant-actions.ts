/**
 * The actions of a grant's resource tree, visited in tree order (per leaf: connect, create,
 * list). Rules that look at every action of 10,000 grants walk the tree instead of collecting
 * the actions into fresh arrays per grant.
 */
import type { ActionIr, GrantIr, GrantNodeIr } from "../ir/types.ts";

/** A tunnel action a grant leaf can give. */
export type ActionKind = "connect" | "create" | "list";

/** Calls `visit` on each action under `node`, in tree order. */
export function forEachAction(
  node: GrantNodeIr,
  visit: (action: ActionIr, kind: ActionKind) => void,
): void {
  if (node.kind !== "leaf") {
    for (const child of node.children) forEachAction(child, visit);
    return;
  }
  if (node.connect !== null) visit(node.connect, "connect");
  if (node.create !== null) visit(node.create, "create");
  if (node.list !== null) visit(node.list, "list");
}

/**
 * Calls `visit` on each action of each grant, grant by grant, each in tree order: what
 * `forEachAction` on every grant's resources visits, without a visitor made per grant. Indexed
 * loops: this runs once per lint, mostly before it is optimized, where `for … of` allocates an
 * iterator result per step.
 */
export function forEachGrantAction(
  grants: readonly GrantIr[],
  visit: (grant: GrantIr, action: ActionIr, kind: ActionKind) => void,
): void {
  for (let g = 0; g < grants.length; g++) {
    // SAFETY: g < grants.length, the loop's bound.
    const grant = grants[g] as GrantIr;
    if (grant.resources !== null) visitNode(grant, grant.resources, visit);
  }
}

function visitNode(
  grant: GrantIr,
  node: GrantNodeIr,
  visit: (grant: GrantIr, action: ActionIr, kind: ActionKind) => void,
): void {
  if (node.kind !== "leaf") {
    const children = node.children;
    // SAFETY: c < children.length, the loop's bound.
    for (let c = 0; c < children.length; c++) visitNode(grant, children[c] as GrantNodeIr, visit);
    return;
  }
  if (node.connect !== null) visit(grant, node.connect, "connect");
  if (node.create !== null) visit(grant, node.create, "create");
  if (node.list !== null) visit(grant, node.list, "list");
}
