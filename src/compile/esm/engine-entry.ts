/**
 * The decision engine an ES module target carries (`rampart compile --target esm`): bundled
 * into the module with its dependencies, no imports left. It turns the embedded payload — the
 * same payload a bundle file carries — into the same compiled decisions `loadBundle` builds,
 * so a module and a bundle decide alike by construction. Closures only: no eval, no `Function`.
 */
import type { Decision, HandshakeDecision } from "../../ir/decision.ts";
import type { HandshakeFacts, RequestFacts } from "../../ir/facts.ts";
import { compilePolicy } from "../compile-policy.ts";
import { compileControlPlane } from "../control-plane.ts";
import type { ControlPlane } from "../control-plane.ts";
import type { CompiledPolicy } from "../engine.ts";
import { validatePayload } from "../bundle/validate-payload.ts";

/** What a module exports once instantiated. */
export interface ModuleDecisions {
  readonly policies: readonly CompiledPolicy[];
  /** One control plane per policy (create, list, watch), in the policies' order. */
  readonly controlPlanes: readonly ControlPlane[];
  request(facts: RequestFacts): Decision;
  handshake(facts: HandshakeFacts): HandshakeDecision;
}

/** No policy serves the host (or SNI): the first policy's own `no_route` answer decides. */
function pick(policies: readonly CompiledPolicy[], host: string): CompiledPolicy | undefined {
  for (const policy of policies) if (policy.route(host) !== null) return policy;
  return policies[0];
}

/** The payload as a module carries it: JSON texts, one per tunnel and per grant. */
export interface ModulePayload {
  readonly shared: string;
  readonly diagnostics: string;
  readonly policies: readonly {
    readonly policy: string;
    readonly tunnels: readonly string[];
    readonly grants: readonly string[];
  }[];
}

/** The bundle payload the parts spell: each policy's tunnels and grants put back in place. */
function assemble(parts: ModulePayload): unknown {
  return {
    shared: JSON.parse(parts.shared) as unknown,
    diagnostics: JSON.parse(parts.diagnostics) as unknown,
    policies: parts.policies.map((p) => ({
      ...(JSON.parse(p.policy) as object),
      tunnels: p.tunnels.map((t) => JSON.parse(t) as unknown),
      grants: Object.fromEntries(p.grants.map((g) => JSON.parse(g) as [string, unknown])),
    })),
  };
}

/**
 * Builds the decisions from the payload. It is checked as a bundle's is (shared values
 * resolved, shapes and canonical CIDRs checked), so an edited module fails loudly when it is
 * imported instead of deciding from malformed data.
 */
export function instantiate(parts: ModulePayload, expansionLimit: number): ModuleDecisions {
  const checked = validatePayload(assemble(parts), expansionLimit);
  if (!checked.ok) throw new Error(`rampart module: malformed payload at ${checked.problem}`);
  const policies = checked.payload.policies.map((p) => compilePolicy(p));
  const controlPlanes = checked.payload.policies.map((p) => compileControlPlane(p));
  if (policies.length === 1 && policies[0] !== undefined) {
    const only = policies[0];
    return {
      policies,
      controlPlanes,
      request: (facts) => only.request(facts),
      handshake: (facts) => only.handshake(facts),
    };
  }
  return {
    policies,
    controlPlanes,
    request(facts) {
      const policy = pick(policies, facts.host);
      if (policy === undefined) throw new Error("rampart module: the payload has no policy");
      return policy.request(facts);
    },
    handshake(facts) {
      const policy = pick(policies, facts.sni);
      if (policy === undefined) throw new Error("rampart module: the payload has no policy");
      return policy.handshake(facts);
    },
  };
}
