/**
 * Explicit edge cases of the compiled decisions, each checked against the reference
 * interpreter and against the outcome the SPEC asks for.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { Decision } from "../../src/ir/decision.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import type { GrantIr, PolicyIr } from "../../src/ir/types.ts";
import { interpretHandshake, interpretRequest } from "../../src/interpret/index.ts";
import {
  actionIr,
  grantIr,
  grantLeaf,
  handshakeFacts,
  ipSet,
  countrySet,
  policyIr,
  projectIr,
  requestFacts,
  tunnelIr,
  validToken,
} from "../../src/testkit/index.ts";

function effective(ir: PolicyIr): EffectivePolicy {
  const outcome = computeEffective(ir);
  assert.ok(outcome.value !== undefined, JSON.stringify(outcome.diagnostics));
  return outcome.value;
}

/** Decides with the compiled policy, checks the interpreter agrees, returns the decision. */
function decide(policy: EffectivePolicy, overrides: Partial<RequestFacts>): Decision {
  const facts = requestFacts(overrides);
  const compiled = compilePolicy(policy).request(facts);
  assert.deepStrictEqual(compiled, interpretRequest(policy, facts).decision);
  return compiled;
}

const trusted = (...entries: string[]) =>
  effective(
    policyIr({ project: projectIr({ plan: "enterprise", trustedIps: ipSet(...entries) }) }),
  );

describe("compiled request decisions: explicit edge cases", () => {
  it("S-A3: /32 and /128 entries admit exactly one address", () => {
    const policy = trusted("10.1.2.3", "2001:db8::1");
    assert.equal(decide(policy, { clientIp: "10.1.2.3" }).outcome, "forward");
    assert.equal(decide(policy, { clientIp: "10.1.2.4" }).policy, "ip");
    assert.equal(decide(policy, { clientIp: "2001:db8::1" }).outcome, "forward");
    assert.equal(decide(policy, { clientIp: "2001:db8::2" }).policy, "ip");
  });

  it("S-A3: /0 admits its own family only", () => {
    const v4 = trusted("0.0.0.0/0");
    assert.equal(decide(v4, { clientIp: "255.255.255.255" }).outcome, "forward");
    assert.equal(decide(v4, { clientIp: "::1" }).policy, "ip");
    const v6 = trusted("::/0");
    assert.equal(decide(v6, { clientIp: "ffff::" }).outcome, "forward");
    assert.equal(decide(v6, { clientIp: "10.0.0.1" }).policy, "ip");
  });

  it("S-A3: adjacent ranges admit both sides of the seam and nothing past them", () => {
    const policy = trusted("192.0.2.0/25", "192.0.2.128/25");
    for (const ip of ["192.0.2.127", "192.0.2.128", "192.0.2.0", "192.0.2.255"]) {
      assert.equal(decide(policy, { clientIp: ip }).outcome, "forward", ip);
    }
    for (const ip of ["192.0.1.255", "192.0.3.0"])
      assert.equal(decide(policy, { clientIp: ip }).policy, "ip", ip);
  });

  it("S-A3: an IPv4-mapped client is its IPv4 address", () => {
    const policy = trusted("10.0.0.0/8");
    assert.equal(decide(policy, { clientIp: "::ffff:10.9.9.9" }).outcome, "forward");
    assert.equal(decide(policy, { clientIp: "::ffff:a09:909" }).outcome, "forward");
    assert.equal(decide(policy, { clientIp: "::ffff:11.0.0.0" }).policy, "ip");
  });

  it("S-A3: an address that does not parse is denied by any list, allowed when none applies", () => {
    assert.equal(decide(trusted("0.0.0.0/0", "::/0"), { clientIp: "010.0.0.1" }).policy, "ip");
    assert.equal(decide(effective(policyIr()), { clientIp: "not-an-ip" }).outcome, "forward");
  });

  it("S-A4: an unknown country never matches an allow-list", () => {
    const policy = effective(
      policyIr({ project: projectIr({ plan: "enterprise", countries: countrySet("DE") }) }),
    );
    assert.equal(decide(policy, { country: "DE" }).outcome, "forward");
    assert.equal(decide(policy, { country: null }).policy, "geo");
    assert.equal(decide(policy, { country: "de" }).policy, "geo");
  });

  it("S-X1: exact hosts win over wildcards, a wildcard covers exactly one label, hosts compare case-insensitively", () => {
    const policy = effective(
      policyIr({
        tunnels: [
          tunnelIr({ id: "wild", hosts: ["*.example.com"] }),
          tunnelIr({ id: "exact", hosts: ["api.example.com"] }),
        ],
      }),
    );
    assert.equal(decide(policy, { host: "api.example.com" }).rule, "tunnel:exact");
    assert.equal(decide(policy, { host: "API.Example.com" }).rule, "tunnel:exact");
    assert.equal(decide(policy, { host: "www.example.com" }).rule, "tunnel:wild");
    assert.equal(decide(policy, { host: "a.b.example.com" }).reason, "no_route");
    assert.equal(decide(policy, { host: "example.com" }).reason, "no_route");
  });
});

describe("compiled token grants", () => {
  const tokenPolicy = (grant: GrantIr) =>
    effective(policyIr({ tunnels: [tunnelIr({ tokenAuth: true })], grants: [grant] }));
  const scoped = grantIr({
    name: "api",
    resources: grantLeaf({
      connect: actionIr({ path: { kind: "prefix", values: ["/api"] }, methods: ["GET"] }),
    }),
  });

  it("S-T5: match prefixes on segment boundaries over the normalized path", () => {
    const policy = tokenPolicy(scoped);
    const token = validToken(scoped);
    assert.equal(decide(policy, { token, path: "/api" }).outcome, "forward");
    assert.equal(decide(policy, { token, path: "/api/x?y=1" }).outcome, "forward");
    assert.equal(decide(policy, { token, path: "/apix" }).reason, "insufficient_scope");
    assert.equal(decide(policy, { token, path: "/api/../admin" }).reason, "insufficient_scope");
    assert.equal(decide(policy, { token, path: "/%61pi/x" }).outcome, "forward");
    assert.equal(decide(policy, { token, path: "/api%2fx" }).reason, "insufficient_scope");
    assert.equal(
      decide(policy, { token, path: "/api/x", method: "POST" }).reason,
      "insufficient_scope",
    );
  });

  it("S-T3: an empty path restriction or a missing connect action grants nothing", () => {
    const none = grantIr({ name: "none", resources: grantLeaf({ connect: null }) });
    assert.equal(
      decide(tokenPolicy(none), { token: validToken(none) }).reason,
      "insufficient_scope",
    );
    const empty = grantIr({
      name: "empty",
      resources: grantLeaf({ connect: actionIr({ path: { kind: "oneof", values: [] } }) }),
    });
    assert.equal(
      decide(tokenPolicy(empty), { token: validToken(empty) }).reason,
      "insufficient_scope",
    );
  });

  it("cache a compiled grant by token id across requests", () => {
    const policy = tokenPolicy(scoped);
    const compiled = compilePolicy(policy);
    const token = validToken(scoped, { id: "jti-1" });
    for (const path of ["/api/a", "/admin", "/api/b"]) {
      const facts = requestFacts({ token, path });
      assert.deepStrictEqual(compiled.request(facts), interpretRequest(policy, facts).decision);
    }
  });
});

describe("compiled routing and handshakes", () => {
  it("S-X1: route() finds any published tunnel by host; request() only HTTP-family ones", () => {
    const policy = effective(
      policyIr({
        tunnels: [
          tunnelIr({ id: "raw", protocol: "tls-passthrough", hosts: ["raw.example.com"] }),
          tunnelIr({ id: "hidden", hosts: ["hidden.example.com"], publish: false }),
        ],
      }),
    );
    const compiled = compilePolicy(policy);
    assert.equal(compiled.route("RAW.example.com")?.tunnel.id, "raw");
    assert.equal(compiled.route("hidden.example.com"), null);
    assert.equal(decide(policy, { host: "raw.example.com" }).reason, "no_route");
    assert.equal(decide(policy, { host: "hidden.example.com" }).reason, "no_route");
    const handshake = compiled.handshake(
      handshakeFacts({ sni: "raw.example.com", version: "1.2" }),
    );
    assert.deepStrictEqual(
      handshake,
      interpretHandshake(policy, handshakeFacts({ sni: "raw.example.com", version: "1.2" }))
        .decision,
    );
    assert.equal(handshake.allow, true);
  });

  it("S-A5: a routed tunnel decides its own requests the same eagerly or lazily", () => {
    const policy = effective(
      policyIr({ project: projectIr({ plan: "enterprise", tlsMin: "1.3" }) }),
    );
    const facts = requestFacts({ tlsVersion: "1.2" });
    const lazy = compilePolicy(policy).route("web.example.com");
    const eager = compilePolicy(policy, { eager: true }).route("web.example.com");
    assert.ok(lazy !== null && eager !== null);
    assert.deepStrictEqual(lazy.request(facts), interpretRequest(policy, facts).decision);
    assert.deepStrictEqual(eager.request(facts), lazy.request(facts));
    assert.equal(lazy.request(facts).policy, "tls");
  });
});
