/**
 * The reference interpreter for control-plane decisions (SPEC S-T2, S-T3, S-T7): `create`,
 * `list` and `watch`, for a control plane that asks Rampart without a proxy. The oracle the
 * compiled control plane (`compile/control-plane.ts`) is checked against: grants are walked
 * afresh on every call, with the same `grantAllows` the request decisions use. Ownership
 * (S-T8) comes first, as for requests: a token never acts on a project its owner does not
 * belong to, and when nobody answers membership only a boundary naming the project counts.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import {
  controlOwnershipVerdict,
  createAllowedVerdict,
  createRefusedVerdict,
  listPermissionVerdict,
  listRefusedVerdict,
  listVerdict,
  checkControlToken,
  watchAllowedVerdict,
  watchOwnershipVerdict,
  watchRefusedVerdict,
} from "../bounds/control-verdicts.ts";
import type { ControlDecision, ListDecision, VisibleTunnel } from "../bounds/control-verdicts.ts";
import { grantRefusal, permissionFailure } from "../bounds/grant-refusal.ts";
import { OUTSIDER, UNKNOWN, ownerStanding, policyMembers } from "../bounds/ownership.ts";
import { filterMatches } from "../bounds/tunnel-filter.ts";
import {
  intersectFields,
  selectedFields,
  TUNNEL_FIELDS,
  unionFields,
} from "../bounds/tunnel-fields.ts";
import { checkWatchQueryToken } from "../bounds/watch-query.ts";
import { InternalError } from "../diagnostics/diagnostic.ts";
import type { TokenFacts } from "../ir/facts.ts";
import type { GrantIr, GrantNodeIr } from "../ir/types.ts";
import { grantAllows, grantAllowsNamed } from "./grant-allows.ts";

/**
 * May `token` create a tunnel with the properties of `tunnel` (its effective properties in
 * its project, project bounds applied)? A refusal names the failed conditions of the grant,
 * or the ownership rule (S-T8) when the owner may not act on the tunnel's project at all.
 */
export function interpretCreate(
  _policy: EffectivePolicy,
  token: TokenFacts | null,
  tunnel: EffectiveTunnel,
): ControlDecision {
  const checked = checkControlToken("create", token);
  if (checked.refused !== null) return checked.refused;
  const grant = checked.grant;
  const { projectId, workspace } = tunnel;
  const standing = ownerStanding(tunnel.auth.members, checked.token, projectId);
  if (standing === OUTSIDER)
    return controlOwnershipVerdict(
      "create",
      tunnel.auth.membersRule,
      standing,
      checked.token,
      projectId,
    );
  if (!grantAllows(grant, "create", tunnel, projectId, workspace, null, null))
    return createRefusedVerdict(grant, grantRefusal(grant, "create", tunnel));
  if (
    standing === UNKNOWN &&
    !grantAllowsNamed(grant, "create", tunnel, projectId, workspace, null, null)
  )
    return controlOwnershipVerdict(
      "create",
      tunnel.auth.membersRule,
      standing,
      checked.token,
      projectId,
    );
  return createAllowedVerdict(grant);
}

/** The fields of `tunnel` that a boundary reveals, or `null` when it hides the tunnel. */
export function nodeListFields(
  node: GrantNodeIr,
  tunnel: EffectiveTunnel,
): readonly string[] | null {
  switch (node.kind) {
    case "and": {
      let fields: readonly string[] = TUNNEL_FIELDS;
      for (const child of node.children) {
        const own = nodeListFields(child, tunnel);
        if (own === null) return null;
        fields = intersectFields(fields, own);
      }
      return fields;
    }
    case "or": {
      let fields: readonly string[] | null = null;
      for (const child of node.children) {
        const own = nodeListFields(child, tunnel);
        if (own !== null) fields = fields === null ? own : unionFields(fields, own);
      }
      return fields;
    }
    case "leaf": {
      if (
        node.workspaces !== null &&
        (tunnel.workspace === null || !node.workspaces.includes(tunnel.workspace))
      )
        return null;
      if (node.projects !== null && !node.projects.includes(tunnel.projectId)) return null;
      const act = node.list;
      if (act === null || (act.filter !== null && !filterMatches(act.filter, tunnel))) return null;
      return selectedFields(act.select);
    }
  }
}

function visibleTunnel(
  grant: GrantIr,
  token: TokenFacts,
  tunnel: EffectiveTunnel,
): VisibleTunnel | null {
  const { projectId, workspace } = tunnel;
  // S-T8: never a tunnel of a project the owner is outside of; unanswered, only a named one.
  const standing = ownerStanding(tunnel.auth.members, token, projectId);
  if (standing === OUTSIDER) return null;
  if (!grantAllows(grant, "list", tunnel, projectId, workspace, null, null)) return null;
  if (
    standing === UNKNOWN &&
    !grantAllowsNamed(grant, "list", tunnel, projectId, workspace, null, null)
  )
    return null;
  const fields = grant.resources === null ? TUNNEL_FIELDS : nodeListFields(grant.resources, tunnel);
  // INVARIANT: the field walk follows the same tree as grantAllows.
  if (fields === null) throw new InternalError(`list fields disagree on tunnel ${tunnel.id}`);
  return { tunnel, fields };
}

/**
 * Which of `tunnels` may `token` list, and which fields of each (`list.filters` hide tunnels,
 * `list.select` picks fields; an OR reveals the union of its branches, an AND the common part).
 */
export function interpretList(
  policy: EffectivePolicy,
  token: TokenFacts | null,
  tunnels: readonly EffectiveTunnel[] = policy.tunnels,
): ListDecision {
  const checked = checkControlToken("list", token);
  if (checked.refused !== null) return listRefusedVerdict(checked.refused);
  const grant = checked.grant;
  const permission = permissionFailure(grant, "list");
  if (permission !== null) return listPermissionVerdict(grant, [permission]);
  const project = policyMembers(policy);
  const standing = ownerStanding(project.members, checked.token, policy.projectId);
  if (standing === OUTSIDER)
    return listRefusedVerdict(
      controlOwnershipVerdict("list", project.rule, standing, checked.token, policy.projectId),
    );
  const visible: VisibleTunnel[] = [];
  for (const tunnel of tunnels) {
    const seen = visibleTunnel(grant, checked.token, tunnel);
    if (seen !== null) visible.push(seen);
  }
  return listVerdict(grant, visible);
}

/**
 * Is `token` acceptable as a query token on the watch endpoints (S-H7, S-T7) of `policy`'s
 * project? Then its owner must belong to the project (S-T8), or, when nobody answers
 * membership, its boundary must grant `list` through a leaf naming it. With `policy` `null`
 * only the token's shape is judged (S-T7), for a caller that checks ownership itself.
 */
export function interpretWatch(
  policy: EffectivePolicy | null,
  token: TokenFacts | null,
): ControlDecision {
  const checked = checkControlToken("watch", token);
  if (checked.refused !== null) return checked.refused;
  const { type, lifetimeSeconds } = checked.token;
  const verdict = checkWatchQueryToken(
    type,
    lifetimeSeconds,
    checked.grant,
    checked.token.otherPermissions ?? [],
  );
  if (!verdict.ok) return watchRefusedVerdict(verdict.reason);
  return policy === null
    ? watchAllowedVerdict()
    : watchOwnershipVerdict(policy, checked.token, checked.grant);
}
