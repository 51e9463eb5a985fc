/**
 * `rampart diff` (issue #8) when a grant selects tunnels by their trusted IPs (S-T4): removing
 * a tunnel's trusted IPs changes what the grant's tokens may reach, a later-stage decision
 * that depends on the tunnel's edge lists. Found by the diff exactness property.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffPolicies, diffSpace } from "../../src/analysis/diff/diff-policies.ts";
import { decisionKey } from "../../src/analysis/decision-key.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { computeEffective } from "../../src/bounds/intersect.ts";
import { interpret } from "../../src/interpret/request.ts";
import type { TunnelIr } from "../../src/ir/types.ts";
import {
  actionIr,
  grantIr,
  grantLeaf,
  ipSet,
  policyIr,
  requestFacts,
  tunnelIr,
  validToken,
} from "../../src/testkit/builders.ts";

const ops = grantIr({
  name: "ops",
  resources: grantLeaf({
    connect: actionIr({ filter: { kind: "ips", within: ipSet("192.0.2.0/24", "2001:db8::/32") } }),
  }),
});

function effective(tunnel: Partial<TunnelIr>): EffectivePolicy {
  const result = computeEffective(
    policyIr({ tunnels: [tunnelIr({ id: "api", tokenAuth: true, ...tunnel })], grants: [ops] }),
  );
  assert.ok(result.value !== undefined);
  return result.value;
}

describe("diff: grants that select tunnels by trusted IPs (S-T4)", () => {
  it("reports the requests whose token scope changes when a tunnel's trusted IPs are dropped", () => {
    const before = effective({ trustedIps: ipSet("192.0.2.0/24") });
    const after = effective({});
    const facts = requestFacts({
      host: "api.example.com",
      clientIp: "192.0.2.7",
      token: validToken(ops),
    });
    const d0 = interpret(before, facts);
    const d1 = interpret(after, facts);
    assert.notEqual(decisionKey(d0), decisionKey(d1), "the decision really changes");
    const atoms = diffSpace(before, after).classify(facts, "ops");
    const covering = diffPolicies(before, after).regions.filter((r) =>
      r.conditions.every((c) => c.atoms.some((a) => a.id === atoms.get(c.dimension))),
    );
    assert.equal(covering.length, 1);
    assert.equal(decisionKey(covering[0]!.before), decisionKey(d0));
    assert.equal(decisionKey(covering[0]!.after), decisionKey(d1));
  });
});
