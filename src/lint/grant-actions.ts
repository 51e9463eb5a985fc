/**
 * The actions of a grant's resource tree, visited in tree order (per leaf: connect, create,
 * list). Rules that look at every action of 10,000 grants walk the tree instead of collecting
 * the actions into fresh arrays per grant.
 */
import type { ActionIr, GrantNodeIr } from "../ir/types.ts";

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
