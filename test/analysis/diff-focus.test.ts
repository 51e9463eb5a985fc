// Issue #19, the focusing of `rampart diff`: the diff explores only the host classes an edit
// can reach, and there tokens in classes (the grants that may connect to the tunnel, grouped
// when equal but in name, and one atom for all others). The property: for random policies and
// random single edits (a grant, a credential, a tunnel property, a project bound), the
// focused diff and the exhaustive one (every host class, a token atom per grant) report the
// same changed requests with the same decisions, and every witness of both is confirmed.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { diffPolicies, diffSpace } from "../../src/analysis/diff/diff-policies.ts";
import type { PolicyDiff, Region } from "../../src/analysis/diff/types.ts";
import { decisionKey } from "../../src/analysis/decision-key.ts";
import type { RequestSpace } from "../../src/analysis/space/request-space.ts";
import { interpret } from "../../src/interpret/request.ts";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import type { GrantIr } from "../../src/ir/types.ts";
import { computeEffective } from "../../src/bounds/intersect.ts";
import {
  actionIr,
  grantIr,
  grantLeaf,
  ipSet,
  policyIr,
  projectIr,
  tunnelIr,
} from "../../src/testkit/builders.ts";
import { arbEditedPair, arbMixedPair, arbRequest, materialize } from "./arbitraries.ts";
import type { AbstractRequest } from "./arbitraries.ts";

const EDIT_RUNS = Number(process.env["DIFF_FOCUS_RUNS"] ?? 500);
const MIXED_RUNS = Number(process.env["DIFF_FOCUS_MIXED_RUNS"] ?? 150);
const TIME_MS = Number(process.env["DIFF_FOCUS_MS"] ?? 45_000);

type Pair = readonly [EffectivePolicy, EffectivePolicy];

/** A grant that connects, through a label filter, to tunnels labelled `team = core`. */
const TEAM_GRANT: GrantIr = grantIr({
  name: "team",
  permissions: ["tunnels.streams.create-delete"],
  resources: grantLeaf({
    connect: actionIr({
      filter: { kind: "label", key: "team", match: { kind: "exact", value: "core" } },
      path: { kind: "prefix", values: ["/api"] },
    }),
  }),
});

/** A grant filed under a tunnel id no tunnel has: it reaches nothing. */
const FAR_GRANT: GrantIr = grantIr({
  name: "far",
  resources: grantLeaf({
    connect: actionIr({
      filter: { kind: "string", field: "id", match: { kind: "exact", value: "gone" } },
    }),
  }),
});

/** Extra grant names the requests' tokens carry. */
const EXTRA_NAMES = ["ci-twin", "ci-then-ops", "team", "team-twin", "far"] as const;

function renamed(grant: GrantIr | undefined, name: string): GrantIr[] {
  return grant === undefined ? [] : [{ ...grant, name }];
}

/**
 * Adds grants that exercise the classes: a twin of `ci` on both sides (grouped with it), a
 * grant equal to `ci` before and to `ops` after (a changed grant that groups with nothing),
 * two equal label-filter grants, one that reaches no tunnel; and labels on the tunnels,
 * which the edit may change on one side (a tunnel property that decides grant reach).
 */
function widen(
  [before, after]: Pair,
  labels: readonly [boolean, boolean, boolean, boolean],
  teamChanged: boolean,
): Pair {
  const withLabels = (p: EffectivePolicy, side: 0 | 1): EffectivePolicy["tunnels"] =>
    p.tunnels.map((t, i): EffectiveTunnel => {
      const on = labels[side * 2 + i] ?? false;
      return { ...t, labels: on ? { ...t.labels, team: "core" } : t.labels };
    });
  const grants = (p: EffectivePolicy, side: 0 | 1): Record<string, GrantIr> => {
    const team =
      side === 1 && teamChanged
        ? { ...TEAM_GRANT, resources: grantLeaf({ connect: actionIr({ filter: null }) }) }
        : TEAM_GRANT;
    const extra = [
      ...renamed(p.grants["ci"], "ci-twin"),
      ...renamed(side === 0 ? before.grants["ci"] : after.grants["ops"], "ci-then-ops"),
      team,
      { ...team, name: "team-twin" },
      FAR_GRANT,
    ];
    return { ...p.grants, ...Object.fromEntries(extra.map((g) => [g.name, g])) };
  };
  return [before, after].map((p, side) => ({
    ...p,
    tunnels: withLabels(p, side as 0 | 1),
    grants: grants(p, side as 0 | 1),
  })) as unknown as Pair;
}

const arbLabels = fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean());

const arbWidened = (pairs: fc.Arbitrary<Pair>): fc.Arbitrary<Pair> =>
  fc
    .tuple(pairs, fc.boolean(), arbLabels, fc.boolean())
    .map(([pair, extra, labels, teamChanged]) => (extra ? widen(pair, labels, teamChanged) : pair));

/** A request whose token may carry one of the extra grant names. */
const arbTokenRequest: fc.Arbitrary<AbstractRequest> = fc
  .tuple(arbRequest, fc.option(fc.constantFrom(...EXTRA_NAMES), { nil: null, freq: 2 }))
  .map(([request, name]) =>
    name === null || request.tokenGrant === null ? request : { ...request, tokenGrant: name },
  );

function covering(diff: PolicyDiff, space: RequestSpace, request: AbstractRequest): Region[] {
  const atoms = space.classify(request.facts, request.tokenGrant);
  return diff.regions.filter((r) =>
    r.conditions.every((c) => c.atoms.some((a) => a.id === atoms.get(c.dimension))),
  );
}

/**
 * Each region's tunnels, kind and decisions; a region grouping tunnels that changed alike
 * (its host condition) counts for each of them.
 */
function transitions(diff: PolicyDiff, space: RequestSpace): string[] {
  const keys = diff.regions.flatMap((r) => {
    const hosts = r.conditions.find((c) => c.dimension === "host")?.atoms ?? [];
    const tunnels =
      hosts.length > 1
        ? hosts.map((h) => space.routedTunnels(h.id).map((t) => t?.id ?? null))
        : [[r.tunnelBefore, r.tunnelAfter]];
    return tunnels.map(([b, a]) =>
      [b, a, r.kind, decisionKey(r.before), decisionKey(r.after)].join(" "),
    );
  });
  return [...new Set(keys)].sort();
}

function checkPair([before, after]: Pair, requests: readonly AbstractRequest[]): void {
  // Every leaf listed, as the exhaustive diff does (`liftAbove`); the exactness test covers
  // the lifted form.
  const focused = diffPolicies(before, after, { liftAbove: Number.POSITIVE_INFINITY });
  const full = diffPolicies(before, after, { exhaustive: true });
  for (const r of [...focused.regions, ...full.regions])
    assert.ok(r.witness.confirmed, `unconfirmed witness in ${r.kind}`);
  const spaces = [diffSpace(before, after), diffSpace(before, after, true)] as const;
  assert.deepEqual(
    transitions(focused, spaces[0]),
    transitions(full, spaces[1]),
    "the same changes, decided alike",
  );
  for (const request of requests) {
    const d0 = interpret(before, materialize(request, before));
    const d1 = interpret(after, materialize(request, after));
    const changed = decisionKey(d0) !== decisionKey(d1);
    const [inFocused, inFull] = [
      covering(focused, spaces[0], request),
      covering(full, spaces[1], request),
    ];
    assert.equal(inFocused.length, changed ? 1 : 0, "focused: one region iff changed");
    assert.equal(inFull.length, changed ? 1 : 0, "exhaustive: one region iff changed");
    if (changed) {
      for (const r of [inFocused[0]!, inFull[0]!]) {
        assert.equal(decisionKey(r.before), decisionKey(d0));
        assert.equal(decisionKey(r.after), decisionKey(d1));
      }
    }
  }
}

function runProperty(pairs: fc.Arbitrary<Pair>, numRuns: number): number {
  let checked = 0;
  fc.assert(
    fc.property(
      arbWidened(pairs),
      fc.array(arbTokenRequest, { minLength: 8, maxLength: 8 }),
      (pair, requests) => {
        checked++;
        checkPair(pair, requests);
      },
    ),
    { numRuns, interruptAfterTimeLimit: TIME_MS, markInterruptAsFailure: false },
  );
  return checked;
}

describe("rampart diff focus (issue #19)", () => {
  it(`single edits: the focused diff reports what the exhaustive one does (${EDIT_RUNS} pairs)`, (t) => {
    const checked = runProperty(arbEditedPair, EDIT_RUNS);
    assert.ok(checked > 0);
    t.diagnostic(`${checked} single-edit pairs × 8 requests checked`);
  });

  it(`pairs that mix many fields: the same (${MIXED_RUNS} pairs)`, (t) => {
    const checked = runProperty(arbMixedPair, MIXED_RUNS);
    assert.ok(checked > 0);
    t.diagnostic(`${checked} mixed pairs × 8 requests checked`);
  });

  it("a widened tunnel CIDR with 60 grants: a class atom for the 50 that cannot connect, twins grouped", () => {
    const far = Array.from({ length: 50 }, (_, i) =>
      grantIr({
        name: `far${i}`,
        resources: grantLeaf({
          connect: actionIr({
            filter: { kind: "string", field: "id", match: { kind: "exact", value: "web" } },
          }),
        }),
      }),
    );
    const near = Array.from({ length: 10 }, (_, i) =>
      grantIr({
        name: `near${i}`,
        resources: grantLeaf({
          connect: actionIr({
            filter: { kind: "string", field: "id", match: { kind: "exact", value: "api" } },
            // Two shapes: near0…near4 are equal but in name, as are near5…near9.
            path: { kind: "prefix", values: [i < 5 ? "/a" : "/b"] },
          }),
        }),
      }),
    );
    const version = (cidr: string): EffectivePolicy => {
      const result = computeEffective(
        policyIr({
          project: projectIr({ publicAccess: "allowed" }),
          tunnels: [
            tunnelIr({
              id: "api",
              hosts: ["api.example.com"],
              tokenAuth: true,
              trustedIps: ipSet(cidr),
            }),
            tunnelIr({ id: "web", hosts: ["web.example.com"], tokenAuth: true }),
          ],
          grants: [...far, ...near],
        }),
      );
      assert.ok(result.value !== undefined);
      return result.value;
    };
    const before = version("10.1.0.0/16");
    const after = version("10.0.0.0/8");
    const focused = diffPolicies(before, after, { liftAbove: Number.POSITIVE_INFINITY });
    const full = diffPolicies(before, after, { exhaustive: true });
    assert.deepEqual(
      transitions(focused, diffSpace(before, after)),
      transitions(full, diffSpace(before, after, true)),
    );
    assert.ok(focused.regions.length > 0);
    const tokenAtoms = new Set(
      focused.regions
        .flatMap((r) =>
          r.conditions
            .filter((c) => c.dimension === "token")
            .flatMap((c) => [...c.atoms, ...c.excluded]),
        )
        .map((a) => a.id),
    );
    // none, invalid, expired, two groups of twins, the class of 50, unknown, unrestricted.
    assert.ok(tokenAtoms.size <= 8, `token atoms: ${[...tokenAtoms].join(", ")}`);
    assert.ok(tokenAtoms.has("token:other-grants"));
    assert.ok(tokenAtoms.has("token:grant:near0") && !tokenAtoms.has("token:grant:near1"));
    for (const r of focused.regions) assert.ok(r.witness.confirmed);
  });
});
