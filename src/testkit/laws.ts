/**
 * The laws of the bounds algebra and the decision pipeline, as fast-check properties that any
 * suite can run (`fc.assert(lawIntersectionNeverBroadens(), { numRuns: 10_000 })`). Each takes
 * an optional engine factory, so the same laws check compiled decisions as well as the
 * reference interpreter.
 */
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import type { EffectivePolicy } from "../bounds/effective.ts";
import { reduceGrant } from "../bounds/grants.ts";
import { computeEffective } from "../bounds/intersect.ts";
import { grantAllows } from "../interpret/grant-allows.ts";
import type { GrantAction } from "../interpret/grant-allows.ts";
import { interpretHandshake } from "../interpret/handshake.ts";
import { interpretRequest } from "../interpret/request.ts";
import { irKey } from "../ir/equal.ts";
import type { Decision } from "../ir/decision.ts";
import type { HandshakeFacts, RequestFacts } from "../ir/facts.ts";
import type {
  ActionIr,
  FilterIr,
  GrantNodeIr,
  PolicyIr,
  ProjectIr,
  TunnelIr,
} from "../ir/types.ts";
import { interpreterEngine } from "../policy-tests/run.ts";
import type { PolicyTestEngine } from "../policy-tests/run.ts";
import {
  arbEffectivePolicy,
  arbGrant,
  arbHandshakeFacts,
  arbPath,
  arbPolicyIr,
  arbProjectIr,
  arbRequestFacts,
  arbTunnelIr,
} from "./arbitraries.ts";
import { passesEveryLayer } from "./layers.ts";

/** Builds the decision functions of an effective policy (interpreter or compiler). */
export type EngineFactory = (policy: EffectivePolicy) => PolicyTestEngine;

const NO_EDGE = {
  trustedIps: null,
  countries: null,
  tlsMin: null,
  postQuantum: null,
  ech: null,
} as const;

function policyOf(project: ProjectIr, tunnel: TunnelIr): PolicyIr {
  return {
    source: "law.rampart",
    project,
    tunnels: [tunnel],
    grants: [],
    credentials: [],
    tests: [],
  };
}

function effectiveOrNull(ir: PolicyIr): EffectivePolicy | null {
  return computeEffective(ir).value ?? null;
}

function must(policy: EffectivePolicy | null, what: string): EffectivePolicy {
  if (policy === null)
    throw new Error(`${what} failed the bounds stage although the intersection passed`);
  return policy;
}

/** The fields of a decision that do not depend on which side's rule is cited. */
function verdictKey(d: Decision): string {
  return `${d.outcome}/${d.status}/${d.reason}/${d.policy ?? ""}`;
}

/** A filter that matches every tunnel. */
const ANY_TUNNEL: FilterIr = { kind: "and", children: [] };

/** A filter without the leaves that inspect the intersected properties (they see effective values). */
function edgeBlindFilter(filter: FilterIr): FilterIr {
  switch (filter.kind) {
    case "and":
    case "or":
      return { kind: filter.kind, children: filter.children.map(edgeBlindFilter) };
    case "ips":
    case "countries":
      return ANY_TUNNEL;
    case "string":
      return filter.field === "tls_min_version" ? ANY_TUNNEL : filter;
    default:
      return filter;
  }
}

function edgeBlindAction(action: ActionIr | null): ActionIr | null {
  return action === null || action.filter === null
    ? action
    : { ...action, filter: edgeBlindFilter(action.filter) };
}

function edgeBlindNode(node: GrantNodeIr): GrantNodeIr {
  if (node.kind !== "leaf") return { kind: node.kind, children: node.children.map(edgeBlindNode) };
  return {
    ...node,
    create: edgeBlindAction(node.create),
    connect: edgeBlindAction(node.connect),
    list: edgeBlindAction(node.list),
  };
}

/**
 * The request with a token grant that does not select tunnels by trusted IPs, countries or
 * TLS minimum. Such filters look at the *effective* values, which narrowing changes by design
 * (a `geo_ip within [FR, JP]` filter selects a tunnel only once it is narrowed to FR), so they
 * are outside what "never broadens" is about.
 */
function withEdgeBlindToken(request: RequestFacts): RequestFacts {
  const grant = request.token?.grant ?? null;
  if (request.token === null || grant === null || grant.resources === null) return request;
  return {
    ...request,
    token: { ...request.token, grant: { ...grant, resources: edgeBlindNode(grant.resources) } },
  };
}

/** Auth, challenge and exposure held neutral, so every run exercises the edge layers. */
const OPEN_TUNNEL = {
  publish: true,
  tokenAuth: false,
  rstreamAuth: false,
  mtls: null,
  challenge: false,
} as const;

/**
 * Intersection never broadens: a request (or handshake) that the effective policy of project ∩
 * tunnel admits, the project alone and the tunnel alone admit too (token grants that select
 * tunnels by the intersected properties excepted: see `withEdgeBlindToken`). Half the runs keep the
 * generated auth settings; the other half open them, so that edge decisions are reached often.
 */
export function lawIntersectionNeverBroadens(engineOf: EngineFactory = interpreterEngine) {
  return fc.property(
    arbProjectIr(),
    arbTunnelIr(),
    fc.boolean(),
    arbRequestFacts(),
    arbHandshakeFacts(),
    (generatedProject, generatedTunnel, open, generatedRequest, handshake) => {
      const request = withEdgeBlindToken(generatedRequest);
      const project: ProjectIr = open
        ? { ...generatedProject, publicAccess: "allowed" }
        : generatedProject;
      const tunnel: TunnelIr = open ? { ...generatedTunnel, ...OPEN_TUNNEL } : generatedTunnel;
      const combined = effectiveOrNull(policyOf(project, tunnel));
      if (combined === null) return true;
      const projectAlone = must(
        effectiveOrNull(policyOf(project, { ...tunnel, ...NO_EDGE })),
        "the project alone",
      );
      const tunnelAlone = must(
        effectiveOrNull(policyOf({ ...project, ...NO_EDGE }, tunnel)),
        "the tunnel alone",
      );
      const engines = [engineOf(combined), engineOf(projectAlone), engineOf(tunnelAlone)] as const;
      if (engines[0].request(request).outcome === "forward") {
        if (engines[1].request(request).outcome !== "forward") return false;
        if (engines[2].request(request).outcome !== "forward") return false;
      }
      if (engines[0].handshake(handshake).allow) {
        return engines[1].handshake(handshake).allow && engines[2].handshake(handshake).allow;
      }
      return true;
    },
  );
}

function edgeKey(policy: EffectivePolicy): string {
  const t = policy.tunnels[0];
  if (t === undefined) return "none";
  return irKey({
    ips: t.allowedIps?.ranges.map((r) => r.cidr) ?? null,
    countries: t.allowedCountries,
    tls: { ...t.tls, minRule: null, postQuantumRule: null, echRule: null },
  });
}

/**
 * Idempotence: intersecting the project with the effective tunnel again changes nothing, and a
 * tunnel that requests exactly the project's bounds gets exactly them.
 */
export function lawIntersectionIdempotent() {
  return fc.property(arbProjectIr(), arbTunnelIr(), (project, tunnel) => {
    const once = effectiveOrNull(policyOf(project, tunnel));
    if (once === null) return true;
    const t = once.tunnels[0];
    if (t === undefined) return false;
    const again: TunnelIr = {
      ...tunnel,
      trustedIps: t.allowedIps,
      countries: t.allowedCountries,
      tlsMin: t.tls.terminated ? t.tls.storedMin : tunnel.tlsMin,
      postQuantum: t.tls.terminated ? t.tls.postQuantum : tunnel.postQuantum,
      ech: t.tls.terminated ? t.tls.ech : tunnel.ech,
    };
    const twice = must(effectiveOrNull(policyOf(project, again)), "the re-intersection");
    if (edgeKey(once) !== edgeKey(twice)) return false;
    // A ∩ A = A: a tunnel asking for exactly the project's sets gets exactly them.
    const mirrored = effectiveOrNull(
      policyOf(project, {
        ...tunnel,
        trustedIps: project.trustedIps,
        countries: project.countries,
      }),
    );
    const projectOnly = effectiveOrNull(
      policyOf(project, { ...tunnel, trustedIps: null, countries: null }),
    );
    return (
      mirrored === null ||
      projectOnly === null ||
      edgeIpsCountries(mirrored) === edgeIpsCountries(projectOnly)
    );
  });
}

function edgeIpsCountries(policy: EffectivePolicy): string {
  const t = policy.tunnels[0];
  return irKey({
    ips: t?.allowedIps?.ranges.map((r) => r.cidr) ?? null,
    countries: t?.allowedCountries ?? null,
  });
}

/**
 * Order independence: swapping the project's and the tunnel's trusted IPs and countries gives
 * the same effective sets and the same verdicts.
 */
export function lawIntersectionOrderIndependent(engineOf: EngineFactory = interpreterEngine) {
  return fc.property(
    arbProjectIr(),
    arbTunnelIr(),
    arbRequestFacts(),
    (project, tunnel, request) => {
      const straight = effectiveOrNull(policyOf(project, tunnel));
      const swapped = effectiveOrNull(
        policyOf(
          { ...project, trustedIps: tunnel.trustedIps, countries: tunnel.countries },
          { ...tunnel, trustedIps: project.trustedIps, countries: project.countries },
        ),
      );
      if (straight === null || swapped === null) return (straight === null) === (swapped === null);
      if (edgeIpsCountries(straight) !== edgeIpsCountries(swapped)) return false;
      return (
        verdictKey(engineOf(straight).request(request)) ===
        verdictKey(engineOf(swapped).request(request))
      );
    },
  );
}

/**
 * A derived token never allows what its parent denies: the reduced grant allows an action only
 * where the parent allows it, and a request forwarded on the reduced token is forwarded on the
 * parent's.
 */
export function lawDerivedTokenNeverWidens(engineOf: EngineFactory = interpreterEngine) {
  return fc.property(
    arbEffectivePolicy(),
    arbGrant("parent"),
    arbGrant("child"),
    arbRequestFacts(),
    fc.constantFrom<GrantAction>("connect", "list", "create"),
    arbPath(),
    (policy, parent, child, request, action, path) => {
      const tunnel = policy.tunnels[0];
      if (tunnel === undefined) return true;
      const reduced = reduceGrant(parent, { ...child, parent: parent.name });
      const allows = (g: typeof parent) =>
        grantAllows(g, action, tunnel, policy.projectId, policy.workspace, path, request.method);
      if (allows(reduced) && !allows(parent)) return false;
      const withToken = (g: typeof parent): RequestFacts => ({
        ...request,
        token: {
          source: "header",
          status: "valid",
          id: g.name,
          type: g.type,
          lifetimeSeconds: 60,
          grant: g,
          subject: "s",
          memberOf: [policy.projectId],
        },
      });
      const engine = engineOf(policy);
      const viaReduced = engine.request(withToken(reduced));
      if (viaReduced.outcome === "forward" && viaReduced.identity?.method === "token") {
        return engine.request(withToken(parent)).outcome === "forward";
      }
      return true;
    },
  );
}

/** Nothing is forwarded without passing routing, edge access, challenge and authentication. */
export function lawForwardPassesEveryLayer(engineOf: EngineFactory = interpreterEngine) {
  return fc.property(
    arbEffectivePolicy().chain((policy) => fc.tuple(fc.constant(policy), arbRequestFacts(policy))),
    ([policy, request]) =>
      engineOf(policy).request(request).outcome !== "forward" || passesEveryLayer(policy, request),
  );
}

/** Differential: an engine decides exactly as the reference interpreter (the compiler's law). */
export function lawAgreesWithInterpreter(engineOf: EngineFactory) {
  return fc.property(
    arbPolicyIr()
      .map((ir) => computeEffective(ir).value)
      .filter((p): p is EffectivePolicy => p !== undefined)
      .chain((policy) =>
        fc.tuple(fc.constant(policy), arbRequestFacts(policy), arbHandshakeFacts()),
      ),
    ([policy, request, handshake]: [EffectivePolicy, RequestFacts, HandshakeFacts]) => {
      const engine = engineOf(policy);
      // Spans included: a compiled decision must cite the same rule at the same place.
      return (
        isDeepStrictEqual(engine.request(request), interpretRequest(policy, request).decision) &&
        isDeepStrictEqual(
          engine.handshake(handshake),
          interpretHandshake(policy, handshake).decision,
        )
      );
    },
  );
}
