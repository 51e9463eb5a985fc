/**
 * Arbitraries and laws for the control-plane decisions (`create`, `list`, `watch`; SPEC
 * S-T2, S-T3, S-T6, S-T7), as fast-check properties any suite can run. Each law takes an
 * optional engine factory, so the same laws check the compiled control plane as well as the
 * reference interpreter:
 *
 * ```ts
 * import { compileControlPlane } from "rampart";
 * fc.assert(lawDerivedTokenNeverSeesMore(compileControlPlane), { numRuns: 10_000 });
 * ```
 */
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import type { ControlDecision, ListDecision } from "../bounds/control-verdicts.ts";
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import { reduceGrant } from "../bounds/grants.ts";
import { effectiveTunnel } from "../bounds/intersect.ts";
import { selectedFields, TUNNEL_FIELDS, unionFields } from "../bounds/tunnel-fields.ts";
import { interpretCreate, interpretList, interpretWatch } from "../interpret/control-plane.ts";
import { MEMBER, OUTSIDER, UNKNOWN, ownerStanding, policyMembers } from "../bounds/ownership.ts";
import { grantAllows, grantAllowsNamed } from "../interpret/grant-allows.ts";
import type { TokenFacts, TokenOwner } from "../ir/facts.ts";
import type { ActionIr, FilterIr, GrantIr, GrantNodeIr, TokenType } from "../ir/types.ts";
import { arbFilter, arbGrant, arbOwner, arbProjectIr, arbTunnelIr } from "./arbitraries.ts";

/** The control-plane decisions of one policy (the compiled `ControlPlane` is one). */
export interface ControlEngine {
  create(token: TokenFacts | null, tunnel: EffectiveTunnel): ControlDecision;
  list(token: TokenFacts | null, tunnels?: readonly EffectiveTunnel[]): ListDecision;
  watch(token: TokenFacts | null): ControlDecision;
}

/** Builds the control-plane decisions of a policy (interpreter or compiler). */
export type ControlEngineFactory = (policy: EffectivePolicy) => ControlEngine;

/** The reference interpreter as a control engine. */
export function interpreterControlEngine(policy: EffectivePolicy): ControlEngine {
  return {
    create: (token, tunnel) => interpretCreate(policy, token, tunnel),
    list: (token, tunnels) => interpretList(policy, token, tunnels),
    watch: (token) => interpretWatch(policy, token),
  };
}

/** Field names `list.select` draws from: known ones and one the platform does not define. */
export const SELECT_POOL: readonly string[] = [
  "hostname",
  "id",
  "labels",
  "name",
  "protocol",
  "status",
  "nonsense",
];

/** A policy's tunnels: several ids, names, labels and projects, each passing the bounds. */
export function arbControlTunnels(): fc.Arbitrary<EffectiveTunnel[]> {
  const one = fc
    .record({
      project: arbProjectIr(),
      tunnel: arbTunnelIr(),
      id: fc.constantFrom("web", "api", "db"),
      name: fc.option(fc.constantFrom("web", "api"), { freq: 4 }),
      env: fc.option(fc.constantFrom("prod", "dev"), { freq: 4 }),
      projectId: fc.constantFrom("proj", "proj", "other"),
      workspace: fc.constantFrom("ws", "ws", "other", null),
    })
    .map(({ project, tunnel, id, name, env, projectId, workspace }) => {
      const built = effectiveTunnel(
        { ...project, id: projectId, workspace },
        { ...tunnel, id, name, labels: env === null ? {} : { env } },
      );
      return Array.isArray(built) ? null : built;
    })
    .filter((t): t is EffectiveTunnel => t !== null);
  return fc.array(one, { minLength: 1, maxLength: 5 });
}

function withSelect(action: ActionIr | null, select: readonly string[] | null): ActionIr | null {
  return action === null ? null : { ...action, select };
}

/** The tree with `list.select` lists drawn in turn from `selects`. */
function withSelects(
  node: GrantNodeIr,
  selects: readonly (readonly string[] | null)[],
): GrantNodeIr {
  let next = 0;
  const walk = (n: GrantNodeIr): GrantNodeIr => {
    if (n.kind !== "leaf") return { ...n, children: n.children.map(walk) };
    const select = selects.length === 0 ? null : (selects[next++ % selects.length] ?? null);
    return { ...n, list: withSelect(n.list, select) };
  };
  return walk(node);
}

/** A root grant whose `list` actions often pick fields with `select`. */
export function arbControlGrant(name = "g"): fc.Arbitrary<GrantIr> {
  return fc
    .tuple(
      arbGrant(name),
      fc.array(fc.option(fc.subarray([...SELECT_POOL]), { freq: 3 }), { maxLength: 4 }),
    )
    .map(([grant, selects]) =>
      grant.resources === null
        ? grant
        : { ...grant, resources: withSelects(grant.resources, selects) },
    );
}

/**
 * A valid token carrying `grant`, with the type and lifetime the watch rule looks at. By
 * default its owner belongs to every project the arbitraries draw (`proj`, `other`), as a
 * credential backend would say, so that only the grant decides; pass `owner` and `memberOf`
 * to test ownership (S-T8).
 */
export function controlToken(
  grant: GrantIr,
  type: TokenType | null = grant.type,
  lifetimeSeconds: number | null = 60,
  id: string | null = null,
  owner: TokenOwner | null = { kind: "user", id: "s" },
  memberOf: readonly string[] | null = ["proj", "other"],
): TokenFacts {
  return {
    source: "query",
    status: "valid",
    id,
    type,
    lifetimeSeconds,
    grant,
    subject: "s",
    owner,
    memberOf,
  };
}

/** What the credential backend says about the owner: nothing (`null`), or its projects. */
export function arbMemberOf(): fc.Arbitrary<readonly string[] | null> {
  return fc.constantFrom<readonly string[] | null>(
    null,
    null,
    ["proj", "other"],
    ["proj"],
    ["other"],
    [],
  );
}

/** A token: mostly valid with `grant` and an owner of any standing, sometimes absent or invalid. */
export function arbControlToken(grant: GrantIr): fc.Arbitrary<TokenFacts | null> {
  const valid = fc
    .record({
      type: fc.constantFrom<TokenType | null>("auth", "app", "pat", null),
      lifetime: fc.constantFrom<number | null>(60, 3600, 3601, 0, null),
      owner: arbOwner(),
      memberOf: arbMemberOf(),
    })
    .map(({ type, lifetime, owner, memberOf }) =>
      controlToken(grant, type, lifetime, null, owner, memberOf),
    );
  return fc.oneof(
    { weight: 12, arbitrary: valid },
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("malformed", "bad_signature", "expired", "not_yet_valid" as const)
        .map((status): TokenFacts => ({ ...controlToken(grant), status, grant: null })),
    },
  );
}

/** A case for the control-plane laws: the policy's tunnels, a grant, and a token for it. */
export function arbControlCase(): fc.Arbitrary<{
  policy: EffectivePolicy;
  grant: GrantIr;
  token: TokenFacts | null;
}> {
  return fc
    .tuple(arbControlTunnels(), arbControlGrant())
    .chain(([tunnels, grant]) =>
      arbControlToken(grant).map((token) => ({ policy: controlPolicy(tunnels), grant, token })),
    );
}

/** A policy holding just `tunnels` (the decisions read only its tunnels). */
export function controlPolicy(tunnels: readonly EffectiveTunnel[]): EffectivePolicy {
  return {
    source: "control.rampart",
    projectId: "proj",
    workspace: "ws",
    plan: "enterprise",
    publicAccess: "allowed",
    tunnels,
    grants: {},
    credentials: [],
    tests: [],
  };
}

/** Differential: an engine decides `create`, `list` and `watch` exactly as the interpreter. */
export function lawControlAgreesWithInterpreter(engineOf: ControlEngineFactory) {
  return fc.property(arbControlCase(), ({ policy, token }) => {
    const engine = engineOf(policy);
    const oracle = interpreterControlEngine(policy);
    return (
      policy.tunnels.every((t) =>
        isDeepStrictEqual(engine.create(token, t), oracle.create(token, t)),
      ) &&
      isDeepStrictEqual(engine.list(token), oracle.list(token)) &&
      isDeepStrictEqual(engine.watch(token), oracle.watch(token))
    );
  });
}

function subset(a: readonly string[], b: readonly string[]): boolean {
  return a.every((x) => b.includes(x));
}

/** Visible tunnel (by position in the list given) → its fields. */
function fieldsByTunnel(decision: ListDecision): Map<EffectiveTunnel, readonly string[]> {
  return new Map(decision.visible.map((v) => [v.tunnel, v.fields]));
}

/**
 * S-T6 for the control plane: a derived token never creates, lists or sees more than its
 * parent: wherever the reduced grant allows `create` the parent does, every tunnel it lists
 * the parent lists, with no field the parent does not show.
 */
export function lawDerivedTokenNeverSeesMore(
  engineOf: ControlEngineFactory = interpreterControlEngine,
) {
  return fc.property(
    arbControlTunnels(),
    arbControlGrant("parent"),
    arbControlGrant("child"),
    (tunnels, parent, child) => {
      const engine = engineOf(controlPolicy(tunnels));
      const reduced = reduceGrant(parent, { ...child, parent: parent.name });
      const viaReduced = controlToken(reduced);
      const viaParent = controlToken(parent);
      for (const t of tunnels) {
        if (engine.create(viaReduced, t).allow && !engine.create(viaParent, t).allow) return false;
      }
      const narrow = engine.list(viaReduced);
      if (!narrow.allow) return true;
      const wide = fieldsByTunnel(engine.list(viaParent));
      return narrow.visible.every((v) => {
        const parentFields = wide.get(v.tunnel);
        return parentFields !== undefined && subset(v.fields, parentFields);
      });
    },
  );
}

/** Every field a grant's `list` actions can reveal: the union of their `select`s. */
function selectableFields(grant: GrantIr): readonly string[] {
  if (grant.resources === null) return TUNNEL_FIELDS;
  let out: readonly string[] = [];
  const walk = (n: GrantNodeIr): void => {
    if (n.kind !== "leaf") n.children.forEach(walk);
    else if (n.list !== null) out = unionFields(out, selectedFields(n.list.select));
  };
  walk(grant.resources);
  return out;
}

/** A list result's fields are always within what some `select` of the grant names. */
export function lawListFieldsWithinSelect(
  engineOf: ControlEngineFactory = interpreterControlEngine,
) {
  return fc.property(arbControlTunnels(), arbControlGrant(), (tunnels, grant) => {
    const allowed = selectableFields(grant);
    return engineOf(controlPolicy(tunnels))
      .list(controlToken(grant))
      .visible.every((v) => subset(v.fields, allowed) && subset(v.fields, TUNNEL_FIELDS));
  });
}

function narrowedAction(action: ActionIr | null, extra: FilterIr): ActionIr | null {
  if (action === null) return null;
  const filter: FilterIr =
    action.filter === null ? extra : { kind: "and", children: [action.filter, extra] };
  return { ...action, filter };
}

function narrowedNode(node: GrantNodeIr, extra: FilterIr): GrantNodeIr {
  if (node.kind !== "leaf")
    return { ...node, children: node.children.map((c) => narrowedNode(c, extra)) };
  return {
    ...node,
    create: narrowedAction(node.create, extra),
    list: narrowedAction(node.list, extra),
  };
}

/** Filters narrow monotonically: ANDing a filter into every action never creates or lists more. */
export function lawFiltersNarrowMonotonically(
  engineOf: ControlEngineFactory = interpreterControlEngine,
) {
  return fc.property(
    arbControlTunnels(),
    arbControlGrant(),
    arbFilter(),
    (tunnels, grant, extra) => {
      if (grant.resources === null) return true;
      const narrowed: GrantIr = { ...grant, resources: narrowedNode(grant.resources, extra) };
      const engine = engineOf(controlPolicy(tunnels));
      for (const t of tunnels) {
        if (
          engine.create(controlToken(narrowed), t).allow &&
          !engine.create(controlToken(grant), t).allow
        )
          return false;
      }
      const wide = fieldsByTunnel(engine.list(controlToken(grant)));
      return engine.list(controlToken(narrowed)).visible.every((v) => {
        const before = wide.get(v.tunnel);
        return before !== undefined && subset(v.fields, before);
      });
    },
  );
}

/**
 * A refused `create` names what to change, and an allowed one names nothing; a token the watch
 * endpoints accept can never create a tunnel nor connect to one.
 */
export function lawRefusalsExplainAndWatchNeverMutates(
  engineOf: ControlEngineFactory = interpreterControlEngine,
) {
  return fc.property(arbControlCase(), ({ policy, token }) => {
    const engine = engineOf(policy);
    for (const t of policy.tunnels) {
      const create = engine.create(token, t);
      const byGrant = create.rule.startsWith("grant:");
      if (create.allow !== (create.failures.length === 0) && byGrant) return false;
    }
    if (!engine.watch(token).allow || token?.grant == null) return true;
    const grant = token.grant;
    return policy.tunnels.every(
      (t) =>
        !engine.create(token, t).allow &&
        !grantAllows(grant, "connect", t, t.projectId, t.workspace, "/", "GET"),
    );
  });
}

/**
 * S-T8 for the control plane: a token acts on a tunnel only as far as its owner may. A
 * member gets what the grant allows; an owner outside the project nothing (a `list` on the
 * policy's own project is refused outright); when nobody answers membership, only what the
 * boundary grants through a leaf naming the project. `watch` needs the same standing on the
 * policy's project. Ownership only ever takes away: what the token lists is a subset of what
 * the same grant lists for a member.
 */
export function lawOwnershipGatesControl(
  engineOf: ControlEngineFactory = interpreterControlEngine,
) {
  return fc.property(
    arbControlTunnels(),
    arbControlGrant(),
    arbOwner(),
    arbMemberOf(),
    (tunnels, grant, owner, memberOf) => {
      const policy = controlPolicy(tunnels);
      const engine = engineOf(policy);
      const token = controlToken(grant, grant.type, 60, null, owner, memberOf);
      const member = controlToken(grant);
      for (const t of tunnels) {
        const standing = ownerStanding(t.auth.members, token, t.projectId);
        const ask = [t, t.projectId, t.workspace, null, null] as const;
        const expected =
          standing === MEMBER
            ? grantAllows(grant, "create", ...ask)
            : standing === UNKNOWN && grantAllowsNamed(grant, "create", ...ask);
        if (engine.create(token, t).allow !== expected) return false;
      }
      const own = ownerStanding(policyMembers(policy).members, token, policy.projectId);
      const listed = engine.list(token);
      if (own === OUTSIDER && listed.allow) return false;
      const asMember = fieldsByTunnel(engine.list(member));
      for (const v of listed.visible) {
        const standing = ownerStanding(v.tunnel.auth.members, token, v.tunnel.projectId);
        if (standing === OUTSIDER) return false;
        const ask = [v.tunnel, v.tunnel.projectId, v.tunnel.workspace, null, null] as const;
        if (standing === UNKNOWN && !grantAllowsNamed(grant, "list", ...ask)) return false;
        if (!isDeepStrictEqual(asMember.get(v.tunnel), v.fields)) return false;
      }
      return !(own === OUTSIDER && engine.watch(token).allow);
    },
  );
}
