// Issue #19, a diff whose report follows the change: a project bound (S-A1, S-A3) reaches
// every tunnel, and a tunnel that many grants reach has a leaf per grant. Changes the edge
// alone made are reported per edge cell, decided past the edge on the side that lets them
// through, and tunnels that changed alike are one region that lists them, with one witness
// confirmed on both versions. The exactness property (diff-exactness.test.ts) covers both
// forms on random pairs; this test pins them on a policy of the shape that needs them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { diffPolicies, diffSpace } from "../../src/analysis/diff/diff-policies.ts";
import { renderDiffJson, renderDiffText } from "../../src/analysis/diff/render-diff.ts";
import type { Region } from "../../src/analysis/diff/types.ts";
import { regionHostCount, widens } from "../../src/analysis/diff/types.ts";
import { decisionKey } from "../../src/analysis/decision-key.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import { interpret } from "../../src/interpret/request.ts";
import {
  actionIr,
  countrySet,
  grantIr,
  grantLeaf,
  ipSet,
  policyIr,
  projectIr,
  requestFacts,
  tunnelIr,
} from "../../src/testkit/builders.ts";

const TUNNELS = 12;
const GRANTS = 40;

/**
 * Twelve token tunnels that take the project's trusted IPs (the last two with a GeoIP list of
 * their own), and forty grants, each for one tunnel and a path of its own.
 */
function version(...projectIps: string[]): EffectivePolicy {
  const result = computeEffective(
    policyIr({
      project: projectIr({
        plan: "enterprise",
        publicAccess: "allowed",
        trustedIps: ipSet(...projectIps),
      }),
      tunnels: Array.from({ length: TUNNELS }, (_, i) =>
        tunnelIr({
          id: `t${i}`,
          hosts: [`t${i}.example.com`],
          tokenAuth: true,
          ...(i >= TUNNELS - 2 ? { countries: countrySet("DE") } : {}),
        }),
      ),
      grants: Array.from({ length: GRANTS }, (_, g) =>
        grantIr({
          name: `g${g}`,
          permissions: ["tunnels.streams.create-delete"],
          resources: grantLeaf({
            connect: actionIr({
              filter: {
                kind: "string",
                field: "id",
                match: { kind: "exact", value: `t${g % TUNNELS}` },
              },
              path: { kind: "prefix", values: [`/svc${g}`] },
            }),
          }),
        }),
      ),
    }),
  );
  assert.ok(result.value !== undefined, "the bench policy checks");
  return result.value;
}

const BEFORE = version("10.0.0.0/8");
const AFTER = version("10.0.0.0/8", "198.51.100.0/24");

function request(host: string, clientIp: string, country: string | null): RequestFacts {
  return requestFacts({ host, port: null, path: "/svc0/x", clientIp, country, tlsVersion: "1.3" });
}

function hostsOf(region: Region): string[] {
  return region.conditions.find((c) => c.dimension === "host")?.atoms.map((a) => a.id) ?? [];
}

describe("rampart diff groups what changed alike (issue #19, S-A1, S-A3)", () => {
  it("S-A3: a widened project bound is one region for the ten tunnels without GeoIP, decided past the edge after", () => {
    const diff = diffPolicies(BEFORE, AFTER);
    for (const r of diff.regions) assert.ok(r.witness.confirmed, `unconfirmed: ${r.kind}`);
    assert.equal(diff.stopped, undefined);
    assert.ok(widens(diff));
    const group = diff.regions.find((r) => regionHostCount(r) > 1);
    assert.ok(group !== undefined, "a region groups tunnels");
    assert.equal(regionHostCount(group), TUNNELS - 2);
    assert.equal(group.kind, "newly-allowed");
    assert.equal(group.varies, "after");
    assert.equal(group.before.policy, "ip");
    // One region per tunnel with GeoIP (the country they trust) plus what their list refuses:
    // a handful of regions where listing leaf by leaf gives one per grant and path.
    assert.ok(diff.regions.length <= 6, `${diff.regions.length} regions`);
    const listed = diffPolicies(BEFORE, AFTER, { liftAbove: Number.POSITIVE_INFINITY });
    assert.ok(listed.regions.length > GRANTS, `${listed.regions.length} regions listed`);
  });

  it("S-A3: a request from the new range to a grouped tunnel lies in the group and changed as it says", () => {
    const diff = diffPolicies(BEFORE, AFTER);
    const space = diffSpace(BEFORE, AFTER);
    for (let i = 0; i < TUNNELS; i++) {
      const facts = request(`t${i}.example.com`, "198.51.100.7", i >= TUNNELS - 2 ? "DE" : "FR");
      const atoms = space.classify(facts, null);
      const covering = diff.regions.filter((r) =>
        r.conditions.every((c) => c.atoms.some((a) => a.id === atoms.get(c.dimension))),
      );
      assert.equal(covering.length, 1, `t${i}: one region`);
      const region = covering[0] as Region;
      const [before, after] = [interpret(BEFORE, facts), interpret(AFTER, facts)];
      assert.equal(decisionKey(region.before), decisionKey(before));
      assert.notEqual(after.stage, "edge");
      assert.equal(region.varies, "after");
      if (i < TUNNELS - 2) assert.ok(hostsOf(region).length === TUNNELS - 2);
    }
    // An address both versions trust changes nothing.
    const unchanged = space.classify(request("t0.example.com", "10.1.2.3", null), null);
    assert.ok(
      !diff.regions.some((r) =>
        r.conditions.every((c) => c.atoms.some((a) => a.id === unchanged.get(c.dimension))),
      ),
    );
  });

  it("names the group's tunnels in text and lists them all in JSON", () => {
    const diff = diffPolicies(BEFORE, AFTER);
    const text = renderDiffText(diff, "old", "new", true);
    assert.match(text, /10 tunnels changed alike: tunnel `t\d+` .* and 5 more/);
    assert.match(text, /after: {2}as the tunnel's checks past the edge decide each request/);
    const json = JSON.parse(renderDiffJson(diff, "old", "new")) as {
      regions: { varies?: string; conditions: { dimension: string; anyOf: string[] }[] }[];
    };
    const grouped = json.regions.find(
      (r) => (r.conditions.find((c) => c.dimension === "host")?.anyOf.length ?? 0) > 1,
    );
    assert.equal(grouped?.varies, "after");
    assert.equal(grouped?.conditions.find((c) => c.dimension === "host")?.anyOf.length, 10);
  });

  it("S-A3: narrowing the bound back is the same group, newly denied, decided past the edge before", () => {
    const diff = diffPolicies(AFTER, BEFORE);
    for (const r of diff.regions) assert.ok(r.witness.confirmed);
    const group = diff.regions.find((r) => regionHostCount(r) > 1);
    assert.equal(group?.kind, "newly-denied");
    assert.equal(group?.varies, "before");
    assert.equal(group?.after.policy, "ip");
    assert.ok(!widens(diff));
  });
});
