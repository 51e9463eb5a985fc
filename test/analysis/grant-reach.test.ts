// Issue #19, the grant index of `rampart diff` (space/grant-reach.ts): it answers its first
// questions by asking every grant, builds the index after a few, and finds the tunnels the
// changed grants reach in one pass over the tunnels. Whichever way an answer is found, it must
// be the one `grantMayConnect` gives when asked about every grant and every tunnel.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { FilterIr, GrantIr } from "../../src/ir/types.ts";
import {
  actionIr,
  grantIr,
  grantLeaf,
  policyIr,
  projectIr,
  tunnelIr,
} from "../../src/testkit/builders.ts";
import { grantMayConnect } from "../../src/analysis/space/change-focus.ts";
import { GrantReach } from "../../src/analysis/space/grant-reach.ts";
import { arbEditedPair, arbMixedPair } from "./arbitraries.ts";

type Pair = readonly [EffectivePolicy, EffectivePolicy];
type Tunnels = readonly [EffectiveTunnel | null, EffectiveTunnel | null];

/** The grants of either version that may connect to a side's tunnel, asked one by one. */
function reachingByHand(pair: Pair, tunnels: Tunnels): string[] {
  const names = [...new Set(pair.flatMap((p) => Object.keys(p.grants)))];
  return names
    .filter((n) => ([0, 1] as const).some((s) => grantMayConnect(pair[s].grants[n], tunnels[s])))
    .sort();
}

/** Every tunnel of a side paired with each tunnel of the other side, and with none. */
function tunnelPairs(pair: Pair): Tunnels[] {
  const out: Tunnels[] = [[null, null]];
  for (const a of [null, ...pair[0].tunnels])
    for (const b of [null, ...pair[1].tunnels]) if (a !== null || b !== null) out.push([a, b]);
  return out;
}

function checkReaching(pair: Pair): void {
  const scanning = new GrantReach(pair);
  const indexed = new GrantReach(pair);
  // Counting candidates builds the index before any question.
  indexed.candidateCount([null, null]);
  for (const tunnels of tunnelPairs(pair)) {
    const expected = reachingByHand(pair, tunnels);
    assert.deepEqual(scanning.reaching(tunnels), expected);
    assert.deepEqual(indexed.reaching(tunnels), expected);
  }
}

function checkTunnelsReached(pair: Pair, names: readonly string[]): void {
  const reach = new GrantReach(pair);
  for (const side of [0, 1] as const) {
    const expected = pair[side].tunnels.filter((t) =>
      names.some((n) => grantMayConnect(pair[side].grants[n], t)),
    );
    assert.deepEqual(reach.tunnelsReachedBy(names, side), expected);
  }
}

describe("grant reach (issue #19)", () => {
  it("reaching: asked of every grant or through the index, the grants grantMayConnect finds", () => {
    fc.assert(
      fc.property(fc.oneof(arbEditedPair, arbMixedPair), (pair) => checkReaching(pair)),
      { numRuns: 150 },
    );
  });

  it("tunnelsReachedBy: the tunnels some named grant may connect to, in file order", () => {
    fc.assert(
      fc.property(fc.oneof(arbEditedPair, arbMixedPair), fc.nat(), (pair, pick) => {
        const names = [...new Set(pair.flatMap((p) => Object.keys(p.grants)))].sort();
        checkTunnelsReached(pair, names);
        // One grant, and a name neither version defines.
        if (names.length > 0) checkTunnelsReached(pair, [names[pick % names.length] as string]);
        checkTunnelsReached(pair, ["no-such-grant"]);
      }),
      { numRuns: 150 },
    );
  });

  it("an id, a host name, a name and a label filter: each reaches its tunnels alone", () => {
    const filtered = (name: string, filter: FilterIr | null): GrantIr =>
      grantIr({ name, resources: grantLeaf({ connect: actionIr({ filter }) }) });
    const exact = (value: string) => ({ kind: "exact", value }) as const;
    const grants = [
      filtered("by-id", { kind: "string", field: "id", match: exact("api") }),
      filtered("by-hostname", {
        kind: "string",
        field: "hostname",
        match: exact("web.example.com"),
      }),
      filtered("by-name", { kind: "string", field: "name", match: exact("Admin") }),
      filtered("by-label", { kind: "label", key: "team", match: exact("core") }),
      // Its key text (`label:team=core=x`) is also that of the label `team` = `core=x`.
      filtered("by-odd-label", { kind: "label", key: "team=core", match: exact("x") }),
      filtered("anything", null),
      grantIr({
        name: "no-connect",
        permissions: ["tunnels.resources.read-only"],
        resources: null,
      }),
    ];
    const { value } = computeEffective(
      policyIr({
        project: projectIr({ publicAccess: "allowed" }),
        tunnels: [
          tunnelIr({ id: "api", hosts: ["api.example.com"] }),
          tunnelIr({ id: "web", hosts: ["web.example.com", "www.example.com"] }),
          tunnelIr({ id: "admin", name: "Admin", hosts: ["admin.example.com"] }),
          tunnelIr({ id: "core", hosts: ["core.example.com"], labels: { team: "core" } }),
          tunnelIr({ id: "odd", hosts: ["odd.example.com"], labels: { team: "core=x" } }),
        ],
        grants,
      }),
    );
    assert.ok(value !== undefined);
    const pair: Pair = [value, value];
    const reach = new GrantReach(pair);
    const reached = (name: string): string[] => reach.tunnelsReachedBy([name], 1).map((t) => t.id);
    assert.deepEqual(reached("by-id"), ["api"]);
    assert.deepEqual(reached("by-hostname"), ["web"]);
    assert.deepEqual(reached("by-name"), ["admin"]);
    assert.deepEqual(reached("by-label"), ["core"]);
    assert.deepEqual(reached("by-odd-label"), []);
    assert.deepEqual(reached("anything"), ["api", "web", "admin", "core", "odd"]);
    assert.deepEqual(reached("no-connect"), []);
    assert.deepEqual(
      reach.tunnelsReachedBy(["by-id", "by-label", "by-name"], 0).map((t) => t.id),
      ["api", "admin", "core"],
    );
    for (const name of grants.map((g) => g.name)) checkTunnelsReached(pair, [name]);
  });
});
