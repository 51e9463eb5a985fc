/**
 * Equal per-tunnel structures of the effective policy are one shared object (issue #19): the
 * bounds of tunnels that write no TLS, trusted-IP or GeoIP setting of their own are the
 * project's, made once; rules of the project and defaults are made once. Sharing is safe only
 * because nothing downstream writes into the effective policy: with the whole policy frozen,
 * lint, the interpreter, the compiled decisions and the bundle writer give what they give on
 * the policy unfrozen (a write into a frozen object throws in module code).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import { writeBundle } from "../../src/compile/bundle.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { interpretRequest } from "../../src/interpret/request.ts";
import { lazySpanEntries } from "../../src/ir/lazy-spans.ts";
import type { PolicyIr, TunnelIr } from "../../src/ir/types.ts";
import { runLintRules } from "../../src/lint/run.ts";
import { checkPolicySource } from "../../src/pipeline.ts";
import { handshakeFacts, requestFacts } from "../../src/testkit/builders.ts";
import { largePolicyDsl } from "../bench/parse-policy.ts";

/** The bench policy at 150 tunnels and 150 grants, lowered and bounded. */
function benchPolicy(): { ir: PolicyIr; effective: EffectivePolicy } {
  const checked = checkPolicySource({ name: "bench.rampart", text: largePolicyDsl(150, 150) });
  assert.ok(checked.ir);
  assert.ok(checked.effective);
  return { ir: checked.ir, effective: checked.effective };
}

/** The request tunnel of each effective tunnel (bounds keeps the IR's order, one for one). */
function requestOf(ir: PolicyIr, tunnel: EffectiveTunnel): TunnelIr {
  const request = ir.tunnels.find((t) => t.id === tunnel.id);
  assert.ok(request);
  return request;
}

/** Freezes every object and array reachable from `value` (lazy span maps cannot be written). */
function deepFreeze(value: unknown, seen = new Set<object>()): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (lazySpanEntries(value) !== undefined) return;
  for (const member of Object.values(value)) deepFreeze(member, seen);
  Object.freeze(value);
}

/** What each downstream reader makes of a policy, as comparable values. */
function downstream(ir: PolicyIr, effective: EffectivePolicy): unknown {
  const compiled = compilePolicy(effective, { eager: true });
  const hosts = effective.tunnels.flatMap((t) => t.hosts.slice(0, 1));
  return {
    lint: runLintRules(effective, ir),
    bundle: writeBundle([effective], []),
    interpreted: hosts.map((host) => interpretRequest(effective, requestFacts({ host })).decision),
    compiled: hosts.map((host) => compiled.request(requestFacts({ host }))),
    handshakes: hosts.map((host) => compiled.handshake(handshakeFacts({ sni: host }))),
  };
}

describe("shared structures of the effective policy (issue #19)", () => {
  const { ir, effective } = benchPolicy();
  const tunnels = effective.tunnels;

  it("S-A5: tunnels that set no TLS of their own share one effective TLS", () => {
    const silent = tunnels.filter((t) => {
      const request = requestOf(ir, t);
      return (
        t.tls.terminated &&
        request.tlsMin === null &&
        request.postQuantum === null &&
        request.ech === null
      );
    });
    assert.ok(silent.length > 50);
    assert.equal(new Set(silent.map((t) => t.tls)).size, 1);
    assert.equal(new Set(tunnels.map((t) => t.tls.postQuantum)).size, 1);
  });

  it("S-A3, S-A4: tunnels without lists of their own share the project's bound and rules", () => {
    const noIps = tunnels.filter((t) => requestOf(ir, t).trustedIps === null);
    const noCountries = tunnels.filter((t) => requestOf(ir, t).countries === null);
    assert.ok(noIps.length > 50 && noCountries.length > 50);
    assert.equal(new Set(noIps.map((t) => t.ipRules)).size, 1);
    assert.equal(new Set(noIps.map((t) => t.allowedIps)).size, 1);
    assert.equal(new Set(noCountries.map((t) => t.countryRules)).size, 1);
    // The project's list is one rule object wherever a tunnel list is intersected with it too.
    const projectIpRules = new Set(
      tunnels.flatMap((t) => t.ipRules.filter((r) => r.rule === "project.trusted_ips")),
    );
    assert.equal(projectIpRules.size, 1);
  });

  it("S-A2: project and default rules are one object each across tunnels", () => {
    assert.equal(new Set(tunnels.map((t) => t.auth.membersRule)).size, 1);
    const defaults = tunnels
      .flatMap((t) => [t.tls.minRule, t.tls.postQuantumRule, t.tls.echRule])
      .filter((r) => r.rule.startsWith("default."));
    assert.ok(defaults.length > 0);
    assert.equal(new Set(defaults.map((r) => r.rule)).size, new Set(defaults).size);
  });

  it("nothing downstream writes into the effective policy: frozen, every output is the same", () => {
    const before = downstream(ir, effective);
    const frozen = benchPolicy();
    deepFreeze(frozen.effective);
    deepFreeze(frozen.ir);
    assert.ok(Object.isFrozen(frozen.effective.tunnels[0]?.tls));
    assert.deepEqual(downstream(frozen.ir, frozen.effective), before);
  });
});
