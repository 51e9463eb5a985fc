/**
 * Compiled control-plane decisions (SPEC S-T2, S-T3, S-T7) for a control plane that asks
 * Rampart without a proxy: may a token create a tunnel, which tunnels and fields may it list,
 * is it acceptable as a watch query token. Each token's grant is compiled on first use and
 * kept in a bounded LRU keyed by token id (a grant never changes for a token id), or weakly
 * by the grant object when the token has no id. Ownership (S-T8) is read from the token
 * on every call (it is not part of the grant). Verdicts come from the constructors the
 * interpreter uses, so both return equal objects.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import {
  checkControlToken,
  controlOwnershipVerdict,
  createAllowedVerdict,
  createRefusedVerdict,
  listPermissionVerdict,
  listRefusedVerdict,
  listVerdict,
  watchOwnershipVerdict,
  watchRefusedVerdict,
} from "../bounds/control-verdicts.ts";
import type { ControlDecision, ListDecision, VisibleTunnel } from "../bounds/control-verdicts.ts";
import { grantRefusal, permissionFailure } from "../bounds/grant-refusal.ts";
import { OUTSIDER, UNKNOWN, ownerStanding, policyMembers } from "../bounds/ownership.ts";
import type { Standing } from "../bounds/ownership.ts";
import { checkWatchQueryToken } from "../bounds/watch-query.ts";
import type { TokenFacts } from "../ir/facts.ts";
import type { GrantIr, ProjectMembersIr } from "../ir/types.ts";
import { compileControlGrant } from "./grants/control-grant.ts";
import type { CompiledControlGrant } from "./grants/control-grant.ts";
import { TOKEN_GRANT_CACHE_SIZE } from "./grants/grant-cache.ts";
import { LruCache } from "./lru.ts";

/** The control-plane decisions of one policy. */
export interface ControlPlane {
  readonly policy: EffectivePolicy;
  /** May `token` create a tunnel with the (effective) properties of `tunnel`? */
  create(token: TokenFacts | null, tunnel: EffectiveTunnel): ControlDecision;
  /** Which of `tunnels` (default: the policy's) may `token` list, and which fields of each? */
  list(token: TokenFacts | null, tunnels?: readonly EffectiveTunnel[]): ListDecision;
  /** Is `token` acceptable as a query token on the watch endpoints? */
  watch(token: TokenFacts | null): ControlDecision;
}

/** A compiled grant with the verdicts that do not depend on the tunnel, built once. */
interface Entry {
  readonly grant: GrantIr;
  readonly compiled: CompiledControlGrant;
  readonly createAllowed: ControlDecision;
  readonly listRefused: ListDecision | null;
}

function entryOf(grant: GrantIr): Entry {
  const compiled = compileControlGrant(grant);
  const permission = permissionFailure(grant, "list");
  return {
    grant,
    compiled,
    createAllowed: createAllowedVerdict(grant),
    listRefused: permission === null ? null : listPermissionVerdict(grant, [permission]),
  };
}

/** Compiles the control-plane decisions of a policy. */
export function compileControlPlane(
  policy: EffectivePolicy,
  cacheSize = TOKEN_GRANT_CACHE_SIZE,
): ControlPlane {
  const byId = new LruCache<string, Entry>(cacheSize);
  const byGrant = new WeakMap<GrantIr, Entry>();
  // HOT PATH: one Map read on a hit.
  const entryFor = (token: TokenFacts, grant: GrantIr): Entry => {
    const id = token.id;
    let entry = id === null ? byGrant.get(grant) : byId.get(id);
    if (entry !== undefined) return entry;
    entry = byGrant.get(grant);
    if (entry === undefined) byGrant.set(grant, (entry = entryOf(grant)));
    if (id !== null) byId.set(id, entry);
    return entry;
  };
  const project = policyMembers(policy);
  return {
    policy,
    create(token, tunnel) {
      const checked = checkControlToken("create", token);
      if (checked.refused !== null) return checked.refused;
      const grant = checked.grant;
      const standing = ownerStanding(tunnel.auth.members, checked.token, tunnel.projectId);
      if (standing === OUTSIDER) return createOwnership(tunnel, standing, checked.token);
      const entry = entryFor(checked.token, grant);
      if (!entry.compiled.create(tunnel))
        // Refusals are explained with the interpreter's walk: rare, and then worth the words.
        return createRefusedVerdict(grant, grantRefusal(grant, "create", tunnel));
      if (standing === UNKNOWN && !entry.compiled.createNamed(tunnel))
        return createOwnership(tunnel, standing, checked.token);
      return entry.createAllowed;
    },
    list(token, tunnels = policy.tunnels) {
      const checked = checkControlToken("list", token);
      if (checked.refused !== null) return listRefusedVerdict(checked.refused);
      const grant = checked.grant;
      const entry = entryFor(checked.token, grant);
      const fieldsOf = entry.compiled.list;
      if (fieldsOf === null) return entry.listRefused as ListDecision;
      const owner = checked.token;
      const standing = ownerStanding(project.members, owner, policy.projectId);
      if (standing === OUTSIDER)
        return listRefusedVerdict(
          controlOwnershipVerdict("list", project.rule, standing, checked.token, policy.projectId),
        );
      const named = entry.compiled.listNamed;
      // Tunnels of one project share its member list: the standing is computed once per run.
      let lastMembers: ProjectMembersIr | null | undefined;
      let lastProject = "";
      let lastStanding: Standing = OUTSIDER;
      const visible: VisibleTunnel[] = [];
      for (let i = 0; i < tunnels.length; i++) {
        const tunnel = tunnels[i] as EffectiveTunnel;
        const members = tunnel.auth.members;
        if (members !== lastMembers || tunnel.projectId !== lastProject) {
          lastMembers = members;
          lastProject = tunnel.projectId;
          lastStanding = ownerStanding(members, owner, lastProject);
        }
        if (lastStanding === OUTSIDER) continue;
        const fields = fieldsOf(tunnel);
        if (fields === null || (lastStanding === UNKNOWN && !named(tunnel))) continue;
        visible.push({ tunnel, fields });
      }
      return listVerdict(grant, visible);
    },
    watch(token) {
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
      return watchOwnershipVerdict(policy, checked.token, checked.grant);
    },
  };
}

function createOwnership(
  tunnel: EffectiveTunnel,
  standing: Standing,
  token: TokenFacts,
): ControlDecision {
  return controlOwnershipVerdict(
    "create",
    tunnel.auth.membersRule,
    standing,
    token,
    tunnel.projectId,
  );
}
