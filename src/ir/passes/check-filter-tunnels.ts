/**
 * A `connect` or `list` filter that selects tunnels by exact `id` or `name` (bare string,
 * `exact` or `oneof`) should name a tunnel of this project, when its leaf applies to this
 * project: a typo there silently grants nothing. `create` filters are left alone, since they
 * constrain tunnels that do not exist yet; regexes are patterns, not references.
 */
import { didYouMean } from "../../diagnostics/did-you-mean.ts";
import { unknownFilterTunnel } from "../semantic-diagnostics.ts";
import type { FilterIr, GrantNodeIr, ProjectIr } from "../types.ts";
import type { Pass } from "./pass.ts";

type LeafIr = Extract<GrantNodeIr, { kind: "leaf" }>;

function leaves(node: GrantNodeIr): LeafIr[] {
  return node.kind === "leaf" ? [node] : node.children.flatMap(leaves);
}

/** Whether a leaf can apply to this project (unknown workspace: assume it can). */
function appliesTo(leaf: LeafIr, project: ProjectIr): boolean {
  const projectOk =
    leaf.projects === null ||
    leaf.projects.includes(project.id) ||
    (project.name !== null && leaf.projects.includes(project.name));
  const workspaceOk =
    leaf.workspaces === null ||
    project.workspace === null ||
    leaf.workspaces.includes(project.workspace);
  return projectOk && workspaceOk;
}

/** Every `id` / `name` literal a filter tree compares with. */
function namedTunnels(filter: FilterIr): { field: "id" | "name"; value: string }[] {
  switch (filter.kind) {
    case "and":
    case "or":
      return filter.children.flatMap(namedTunnels);
    case "string": {
      const field = filter.field;
      if (field !== "id" && field !== "name") return [];
      if (filter.match.kind === "exact") return [{ field, value: filter.match.value }];
      if (filter.match.kind === "oneof")
        return filter.match.values.map((value) => ({ field, value }));
      return [];
    }
    default:
      return [];
  }
}

export const checkFilterTunnels: Pass = {
  name: "check-filter-tunnels",
  run: ({ ir, ctx }) => {
    const known = {
      id: new Set(ir.tunnels.map((t) => t.id)),
      name: new Set(ir.tunnels.flatMap((t) => (t.name === null ? [] : [t.name]))),
    };
    for (const grant of ir.grants) {
      if (grant.resources === null) continue;
      for (const leaf of leaves(grant.resources)) {
        if (!appliesTo(leaf, ir.project)) continue;
        for (const action of [leaf.connect, leaf.list]) {
          if (action === null || action.filter === null) continue;
          for (const { field, value } of namedTunnels(action.filter)) {
            if (known[field].has(value)) continue;
            ctx.report(
              unknownFilterTunnel(action.origin, field, value, didYouMean(value, known[field])),
            );
          }
        }
      }
    }
  },
};
