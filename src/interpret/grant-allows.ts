/**
 * Does a grant allow an action on a tunnel (SPEC S-T2, S-T3, S-T5)? Permissions first, then
 * the `resources.tunnels` tree: AND needs every child, OR any child, and a leaf needs its
 * workspace/project scope, the action present, its filter, and (for `connect`) the request
 * path and method.
 */
import type { EffectiveTunnel } from "../bounds/effective.ts";
import type { RequestFacts } from "../ir/facts.ts";
import { requestPathAllowed } from "../ir/path.ts";
import type { ActionIr, GrantIr, GrantNodeIr, Permission } from "../ir/types.ts";
import { filterMatches } from "../bounds/tunnel-filter.ts";

/** A tunnel action a grant can give. */
export type GrantAction = "create" | "connect" | "list";

/** The permission each action needs when `permissions` is a list (S-T2). */
export const ACTION_PERMISSION: Readonly<Record<GrantAction, Permission>> = {
  list: "tunnels.resources.read-only",
  create: "tunnels.tunnels.create-delete",
  connect: "tunnels.streams.create-delete",
};

/** What is being asked: the tunnel and, for `connect`, the raw request path and method. */
interface Ask {
  readonly action: GrantAction;
  readonly tunnel: EffectiveTunnel;
  readonly projectId: string;
  readonly workspace: string | null;
  readonly path: string | null;
  readonly method: string | null;
}

function actionAllows(act: ActionIr, ask: Ask): boolean {
  if (act.filter !== null && !filterMatches(act.filter, ask.tunnel)) return false;
  if (ask.action !== "connect") return true;
  // An unnormalizable path matches no path restriction (fail closed).
  if (act.path !== null && (ask.path === null || !requestPathAllowed(act.path, ask.path)))
    return false;
  return (
    act.methods === null || (ask.method !== null && act.methods.includes(ask.method.toUpperCase()))
  );
}

function nodeAllows(node: GrantNodeIr, ask: Ask): boolean {
  switch (node.kind) {
    case "and":
      return node.children.every((c) => nodeAllows(c, ask));
    case "or":
      return node.children.some((c) => nodeAllows(c, ask));
    case "leaf": {
      if (
        node.workspaces !== null &&
        (ask.workspace === null || !node.workspaces.includes(ask.workspace))
      )
        return false;
      if (node.projects !== null && !node.projects.includes(ask.projectId)) return false;
      const act = node[ask.action];
      return act !== null && actionAllows(act, ask);
    }
  }
}

/**
 * Whether the tree allows the action through a leaf that names the project (S-T8, when no
 * one answers membership): a leaf must list the project in `projects`; an OR needs such a
 * child; an AND needs every child to allow and one of them to name the project.
 */
function nodeAllowsNamed(node: GrantNodeIr, ask: Ask): boolean {
  switch (node.kind) {
    case "and":
      return (
        node.children.every((c) => nodeAllows(c, ask)) &&
        node.children.some((c) => nodeAllowsNamed(c, ask))
      );
    case "or":
      return node.children.some((c) => nodeAllowsNamed(c, ask));
    case "leaf":
      return (
        node.projects !== null && node.projects.includes(ask.projectId) && nodeAllows(node, ask)
      );
  }
}

/**
 * `grantAllows`, accepting only what the boundary grants through a leaf that names the project
 * explicitly (S-T8): a token without a boundary, or with only scope-only or workspace leaves,
 * gets nothing.
 */
export function grantAllowsNamed(
  grant: GrantIr,
  action: GrantAction,
  tunnel: EffectiveTunnel,
  projectId: string,
  workspace: string | null,
  path: string | null,
  method: string | null,
): boolean {
  if (grant.permissions !== null && !grant.permissions.includes(ACTION_PERMISSION[action]))
    return false;
  if (grant.resources === null) return false;
  return nodeAllowsNamed(grant.resources, { action, tunnel, projectId, workspace, path, method });
}

/** `grantConnects` for a token whose owner's membership nobody answers (S-T8). */
export function grantConnectsNamed(
  grant: GrantIr,
  tunnel: EffectiveTunnel,
  facts: RequestFacts,
): boolean {
  return grantAllowsNamed(
    grant,
    "connect",
    tunnel,
    tunnel.projectId,
    tunnel.workspace,
    facts.path,
    facts.method,
  );
}

/**
 * Whether `grant` allows `action` on `tunnel` of project `projectId` (in `workspace`), for a
 * request to `path` (raw, as received) with `method`. `path` and `method` matter for `connect`.
 */
export function grantAllows(
  grant: GrantIr,
  action: GrantAction,
  tunnel: EffectiveTunnel,
  projectId: string,
  workspace: string | null,
  path: string | null,
  method: string | null,
): boolean {
  if (grant.permissions !== null && !grant.permissions.includes(ACTION_PERMISSION[action]))
    return false;
  if (grant.resources === null) return true;
  return nodeAllows(grant.resources, { action, tunnel, projectId, workspace, path, method });
}

/** Whether `grant` lets this request connect to `tunnel` (its own project and workspace). */
export function grantConnects(
  grant: GrantIr,
  tunnel: EffectiveTunnel,
  facts: RequestFacts,
): boolean {
  return grantAllows(
    grant,
    "connect",
    tunnel,
    tunnel.projectId,
    tunnel.workspace,
    facts.path,
    facts.method,
  );
}
