/**
 * The reference interpreter for control-plane decisions (SPEC S-T2, S-T3, S-T7): `create`,
 * `list` and `watch`, for a control plane that asks Rampart without a proxy. The oracle the
 * compiled control plane (`compile/control-plane.ts`) is checked against: grants are walked
 * afresh on every call, with the same `grantAllows` the request decisions use.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import {
  createAllowedVerdict,
  createRefusedVerdict,
  listPermissionVerdict,
  listRefusedVerdict,
  listVerdict,
  checkControlToken,
  watchAllowedVerdict,
  watchRefusedVerdict,
} from "../bounds/control-verdicts.ts";
import type { ControlDecision, ListDecision, VisibleTunnel } from "../bounds/control-verdicts.ts";
import { grantRefusal, permissionFailure } from "../bounds/grant-refusal.ts";
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
import { grantAllows } from "./grant-allows.ts";

/**
 * May `token` create a tunnel with the properties of `tunnel` (its effective properties in
 * its project, project bounds applied)? A refusal names the failed conditions of the grant.
 * `policy` is the project decided for; the grant rule reads only the token and the tunnel, and
 * the parameter is where project membership (S-T8) comes in.
 */
export function interpretCreate(
  _policy: EffectivePolicy,
  token: TokenFacts | null,
  tunnel: EffectiveTunnel,
): ControlDecision {
  const checked = checkControlToken("create", token);
  if (checked.refused !== null) return checked.refused;
  const grant = checked.grant;
  if (grantAllows(grant, "create", tunnel, tunnel.projectId, tunnel.workspace, null, null))
    return createAllowedVerdict(grant);
  return createRefusedVerdict(grant, grantRefusal(grant, "create", tunnel));
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

function visibleTunnel(grant: GrantIr, tunnel: EffectiveTunnel): VisibleTunnel | null {
  if (!grantAllows(grant, "list", tunnel, tunnel.projectId, tunnel.workspace, null, null))
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
  const visible: VisibleTunnel[] = [];
  for (const tunnel of tunnels) {
    const seen = visibleTunnel(grant, tunnel);
    if (seen !== null) visible.push(seen);
  }
  return listVerdict(grant, visible);
}

/**
 * Is `token` acceptable as a query token on the watch endpoints (S-H7, S-T7)? The rule reads
 * the token only, so the policy may be `null`.
 */
export function interpretWatch(
  _policy: EffectivePolicy | null,
  token: TokenFacts | null,
): ControlDecision {
  const checked = checkControlToken("watch", token);
  if (checked.refused !== null) return checked.refused;
  const { type, lifetimeSeconds } = checked.token;
  const verdict = checkWatchQueryToken(type, lifetimeSeconds, checked.grant);
  return verdict.ok ? watchAllowedVerdict() : watchRefusedVerdict(verdict.reason);
}
