/**
 * Query tokens on the engine watch endpoints `/api/sse` and `/api/websocket` (SPEC S-H7,
 * S-T7). A token in a URL leaks into logs and histories, so only a short-lived, read-only
 * discovery token is accepted there.
 */
import type { GrantIr, GrantNodeIr, TokenType } from "../ir/types.ts";

/** The longest lifetime a watch query token may have, in seconds. */
export const MAX_WATCH_QUERY_LIFETIME_SECONDS = 3600;

/** Whether a query token is acceptable on a watch endpoint, and why not. */
export type WatchQueryVerdict =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

function refuse(reason: string): WatchQueryVerdict {
  return { ok: false, reason };
}

/** Whether some branch of the tree grants `action` (an AND branch needs it from every child). */
function someBranchGrants(node: GrantNodeIr, action: "create" | "connect"): boolean {
  switch (node.kind) {
    case "and":
      return node.children.every((c) => someBranchGrants(c, action));
    case "or":
      return node.children.some((c) => someBranchGrants(c, action));
    case "leaf":
      return node[action] !== null;
  }
}

/** Whether every leaf grants `list` (then every branch, a conjunction of leaves, does). */
function everyLeafLists(node: GrantNodeIr): boolean {
  return node.kind === "leaf" ? node.list !== null : node.children.every(everyLeafLists);
}

/**
 * Why some branch (a conjunction of leaves once AND/OR is expanded, PLATFORM-FORMATS §3.4)
 * grants more or less than exactly `list`, or `null`. A branch grants what all its leaves do,
 * so an AND with one list-only leaf grants nothing beyond `list`.
 */
function leafBeyondList(node: GrantNodeIr): string | null {
  if (!everyLeafLists(node)) return "a branch does not grant `list`";
  if (someBranchGrants(node, "create")) return "a branch grants `create`";
  if (someBranchGrants(node, "connect")) return "a branch grants `connect`";
  return null;
}

/**
 * Checks S-T7: type, lifetime, permissions and every branch of the resource tree.
 * `otherPermissions` are those the token carries for the platform's other surfaces: a URL
 * token must carry none (PLATFORM-FORMATS §3.4: every entry is read-only discovery). Required,
 * so that no caller skips that check by leaving it out.
 */
export function checkWatchQueryToken(
  type: TokenType | null,
  lifetimeSeconds: number | null,
  grant: GrantIr,
  otherPermissions: readonly string[],
): WatchQueryVerdict {
  if (type !== "auth" && type !== "app") {
    return refuse(
      `a ${type ?? "untyped"} token is not accepted in the query; use an auth or application token`,
    );
  }
  if (
    lifetimeSeconds === null ||
    lifetimeSeconds <= 0 ||
    lifetimeSeconds > MAX_WATCH_QUERY_LIFETIME_SECONDS
  ) {
    return refuse(
      `the token lifetime must be between 1 and ${MAX_WATCH_QUERY_LIFETIME_SECONDS} seconds`,
    );
  }
  const perms = grant.permissions;
  if (perms === null || perms.length !== 1 || perms[0] !== "tunnels.resources.read-only") {
    return refuse("the permissions must be exactly `tunnels.resources.read-only`");
  }
  if (otherPermissions.length > 0) {
    return refuse(
      `the permissions must be exactly \`tunnels.resources.read-only\`; this token also carries \`${otherPermissions.join("`, `")}\``,
    );
  }
  // INVARIANT: absent resources grant every action the permissions allow; we demand that the
  // token says `list` explicitly, so an absent tree is refused.
  if (grant.resources === null)
    return refuse("the token must name its resources and grant `list` on each branch");
  const beyond = leafBeyondList(grant.resources);
  return beyond === null
    ? { ok: true }
    : refuse(`${beyond}; every branch must grant \`list\` and nothing else`);
}
