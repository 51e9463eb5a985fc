// Issue #8 why-not: the smallest set of failed conditions of a denied request and the nearest
// changes that allow it, each confirmed by the interpreter.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { renderWhyNot, whyNot } from "../../src/analysis/why-not.ts";
import { interpret } from "../../src/interpret/request.ts";
import {
  actionIr,
  grantIr,
  grantLeaf,
  ipSet,
  policyIr,
  projectIr,
  requestFacts,
  tunnelIr,
  validToken,
} from "../../src/testkit/builders.ts";

const ci = grantIr({
  name: "ci",
  resources: grantLeaf({ connect: actionIr({ path: { kind: "prefix", values: ["/api"] } }) }),
});

function policy(tokenAuth: boolean): EffectivePolicy {
  const outcome = computeEffective(
    policyIr({
      project: projectIr({ trustedIps: ipSet("198.51.100.0/24", "10.0.0.0/8") }),
      tunnels: [tunnelIr({ id: "api", tokenAuth, rstreamAuth: false })],
      grants: [ci],
    }),
  );
  assert.ok(outcome.value !== undefined, JSON.stringify(outcome.diagnostics));
  return outcome.value;
}

describe("why-not (issue #8)", () => {
  it("S-A3: a client outside the trusted IPs is told which ranges would be allowed", () => {
    const p = policy(false);
    const w = whyNot(p, requestFacts({ host: "api.example.com", clientIp: "203.0.113.9" }));
    assert.equal(w.decision.policy, "ip");
    assert.deepEqual(w.failed, ["ip"]);
    assert.ok(w.alternatives.some((a) => a.changes[0]?.to.includes("198.51.100.0/24")));
    for (const a of w.alternatives) assert.equal(interpret(p, a.witness).outcome, "forward");
    assert.match(renderWhyNot(w), /allowed if .*198\.51\.100\.0\/24/);
  });

  it("S-H3: a token lacking the path scope gets the path and the grant change", () => {
    const p = policy(true);
    const facts = requestFacts({
      host: "api.example.com",
      clientIp: "10.1.2.3",
      path: "/admin/",
      token: validToken(p.grants["ci"] ?? ci),
    });
    const w = whyNot(p, facts);
    assert.equal(w.decision.reason, "insufficient_scope");
    assert.deepEqual(w.failed, ["path"]);
    assert.ok(w.alternatives.every((a) => interpret(p, a.witness).outcome === "forward"));
    assert.deepEqual(w.policyChanges, [
      "the token's grant `ci` covered /admin/ for GET on this tunnel",
    ]);
    assert.match(renderWhyNot(w), /allowed if the token's grant `ci` covered \/admin\//);
  });

  it("two failed conditions: the minimal set names both", () => {
    const p = policy(true);
    const w = whyNot(p, requestFacts({ host: "api.example.com", clientIp: "203.0.113.9" }));
    assert.deepEqual(w.failed, ["ip", "token"]);
    for (const a of w.alternatives) {
      assert.equal(a.changes.length, 2);
      assert.equal(interpret(p, a.witness).outcome, "forward");
    }
  });

  it("a forwarded request has nothing to explain", () => {
    const p = policy(false);
    const w = whyNot(p, requestFacts({ host: "api.example.com", clientIp: "10.0.0.1" }));
    assert.equal(w.decision.outcome, "forward");
    assert.equal(renderWhyNot(w), "the request is forwarded\n");
  });
});
