/**
 * Format version 2 shares repeated objects and arrays through the payload's `shared` table.
 * The writer's side: the IR comes back equal and the file is smaller. The loader's side: a
 * forged table (a reference out of range, a cycle, an exponential tree, a reference where a
 * scalar belongs) is a clear RP5005, never a throw and never an endless walk.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { writeBundle } from "../../src/compile/bundle.ts";
import { canonicalJson } from "../../src/compile/bundle/canonical-json.ts";
import { loadBundle, readBundle } from "../../src/compile/load-bundle.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { arbEffectivePolicy } from "../../src/testkit/index.ts";
import { bundleOf, payloadOf, problemOf } from "./bundle-payloads.ts";
import type { Json } from "./bundle-payloads.ts";

function samplePolicies(count: number, seed: number): EffectivePolicy[] {
  return fc.sample(arbEffectivePolicy(), { numRuns: count, seed });
}

/** The first tunnel of the first policy of a written bundle, for editing. */
function firstTunnel(payload: { [key: string]: Json }): { [key: string]: Json } {
  const policies = payload["policies"] as { [key: string]: Json }[];
  const tunnels = policies[0]?.["tunnels"];
  const tunnel = Array.isArray(tunnels) ? tunnels[0] : undefined;
  assert.ok(tunnel !== null && typeof tunnel === "object" && !Array.isArray(tunnel));
  return tunnel;
}

describe("bundle sharing (format versions 2 and 3)", () => {
  it("writes repeated values once and reads back the same effective IR", () => {
    const policies = samplePolicies(6, 7);
    const text = writeBundle(policies, []);
    const shared = payloadOf(text)["shared"];
    assert.ok(Array.isArray(shared) && shared.length > 0);
    const unshared = canonicalJson({ diagnostics: [], policies });
    assert.ok(text.length < unshared.length, `${text.length} ≥ ${unshared.length}`);
    const read = readBundle(text);
    assert.ok(read.value !== undefined, JSON.stringify(read.diagnostics));
    assert.deepStrictEqual(read.value.policies, JSON.parse(JSON.stringify(policies)));
  });

  it("reads a payload without a shared table (nothing shared)", () => {
    const policies = samplePolicies(2, 11);
    const payload = { policies, diagnostics: [], files: [] };
    const read = readBundle(bundleOf(JSON.parse(canonicalJson(payload)) as Json));
    assert.ok(read.value !== undefined, JSON.stringify(read.diagnostics));
    assert.deepStrictEqual(read.value.policies, JSON.parse(JSON.stringify(policies)));
  });

  it("RP5005: a reference to a shared value that does not exist", () => {
    const payload = payloadOf(writeBundle(samplePolicies(1, 3), []));
    firstTunnel(payload)["tls"] = 1_000_000;
    assert.match(problemOf(bundleOf(payload)), /no shared value 1000000/);
  });

  it("RP5005: a shared value that refers to itself", () => {
    const payload = payloadOf(writeBundle(samplePolicies(1, 3), []));
    const shared = payload["shared"] as Json[];
    // An IP set whose ranges are the set itself.
    shared.push({ ranges: shared.length });
    firstTunnel(payload)["allowedIps"] = shared.length - 1;
    assert.match(problemOf(bundleOf(payload)), /shared value \d+ refers to itself/);
  });

  it("RP5005: shared values that expand to an exponential tree", () => {
    const payload = payloadOf(writeBundle(samplePolicies(1, 3), []));
    const shared = payload["shared"] as Json[];
    let node = shared.length;
    shared.push({
      kind: "leaf",
      workspaces: null,
      projects: null,
      create: null,
      connect: null,
      list: null,
    });
    for (let depth = 0; depth < 80; depth++) {
      shared.push({ kind: "and", children: [node, node] });
      node = shared.length - 1;
    }
    const policy = (payload["policies"] as { [key: string]: Json }[])[0];
    assert.ok(policy !== undefined);
    policy["grants"] = {
      g: {
        name: "g",
        type: null,
        parent: null,
        expiresAt: null,
        permissions: null,
        resources: node,
        spans: {},
      },
    };
    assert.match(problemOf(bundleOf(payload)), /expand to too many values/);
  });

  it("RP5005: a number where a scalar belongs is not a reference", () => {
    const payload = payloadOf(writeBundle(samplePolicies(1, 3), []));
    firstTunnel(payload)["id"] = 0;
    assert.match(problemOf(bundleOf(payload)), /tunnels\.0\.id`: expected a string/);
  });

  it("keeps a `__proto__` member an ordinary member when it is a reference", () => {
    const payload = payloadOf(writeBundle(samplePolicies(1, 3), []));
    const shared = payload["shared"] as Json[];
    shared.push({
      name: "p",
      type: null,
      parent: null,
      expiresAt: null,
      permissions: null,
      resources: null,
      spans: {},
    });
    // JSON.parse makes `__proto__` an own member, as it does when a bundle file is read.
    const edited = JSON.parse(
      JSON.stringify(payload).replace('"grants":{', `"grants":{"__proto__":${shared.length - 1},`),
    ) as Json;
    const read = readBundle(bundleOf(edited));
    assert.ok(read.value !== undefined, JSON.stringify(read.diagnostics));
    const grants = read.value.policies[0]?.grants;
    assert.ok(grants !== undefined && Object.hasOwn(grants, "__proto__"));
    assert.equal(Object.getPrototypeOf(grants), Object.prototype);
  });

  it("never throw on a shared table broken at a random place", () => {
    const text = writeBundle(samplePolicies(3, 5), []);
    const breakage = fc.record({
      at: fc.nat(),
      value: fc.oneof(fc.nat({ max: 400 }), fc.constant(-1), fc.constant(null), fc.string()),
    });
    fc.assert(
      fc.property(breakage, ({ at, value }) => {
        const payload = payloadOf(text);
        const shared = payload["shared"] as Json[];
        const target = shared[at % shared.length];
        if (target !== null && typeof target === "object") {
          const keys = Object.keys(target);
          const key = Array.isArray(target)
            ? at % Math.max(1, target.length)
            : keys[at % keys.length];
          if (key !== undefined) (target as Record<string | number, Json>)[key] = value;
        }
        const result = loadBundle(bundleOf(payload));
        assert.ok(
          result.value !== undefined ||
            (result.diagnostics.length === 1 && result.diagnostics[0]?.code === "RP5005"),
        );
      }),
      { numRuns: 300 },
    );
  });
});
