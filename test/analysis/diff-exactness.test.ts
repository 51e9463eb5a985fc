// Issue #8, the exactness property of `rampart diff`: for random policy pairs and random
// requests, a request's decision changes iff it lies in a reported region (with the right
// decisions before and after), regions never overlap, and every region's witness is
// confirmed by the interpreter on both versions. Issue #19: the same holds when changes the
// edge alone made are reported per edge cell (`liftAbove`, drawn from "always", "past a few
// leaves" and the default) and grouped across tunnels; a region's varying side is then
// checked to be decided past the edge.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { diffPolicies, diffSpace } from "../../src/analysis/diff/diff-policies.ts";
import type { Region } from "../../src/analysis/diff/types.ts";
import type { Decision } from "../../src/ir/decision.ts";
import { decisionKey } from "../../src/analysis/decision-key.ts";
import { interpret } from "../../src/interpret/request.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { arbEditedPair, arbMixedPair, arbRequest, materialize } from "./arbitraries.ts";
import type { AbstractRequest } from "./arbitraries.ts";

// 10,000 single-edit pairs (what CI diffs look like; about 30–50 s on two cores), with a time
// cap that only guards against a stalled machine, and mixed pairs within ~10 s. Both bounds
// can be changed through the environment.
const EDIT_RUNS = Number(process.env["DIFF_EXACTNESS_RUNS"] ?? 10_000);
const EDIT_MS = Number(process.env["DIFF_EXACTNESS_MS"] ?? 240_000);
const MIXED_RUNS = Number(process.env["DIFF_EXACTNESS_MIXED_RUNS"] ?? 2_000);
const MIXED_MS = Number(process.env["DIFF_EXACTNESS_MIXED_MS"] ?? 10_000);
const TWIN_RUNS = Number(process.env["DIFF_EXACTNESS_TWIN_RUNS"] ?? 2_000);
const TWIN_MS = Number(process.env["DIFF_EXACTNESS_TWIN_MS"] ?? 10_000);

function inRegion(region: Region, atoms: ReadonlyMap<string, string>): boolean {
  return region.conditions.every((c) => c.atoms.some((a) => a.id === atoms.get(c.dimension)));
}

/** Whether `actual` is what a region says of one side: its decision, or one past the edge. */
function sideAgrees(region: Region, side: "before" | "after", actual: Decision): boolean {
  if (region.varies === side) return actual.stage !== "route" && actual.stage !== "edge";
  return decisionKey(region[side]) === decisionKey(actual);
}

function checkPair(
  [before, after]: Pair,
  requests: readonly AbstractRequest[],
  liftAbove?: number,
): void {
  const diff = diffPolicies(before, after, liftAbove === undefined ? {} : { liftAbove });
  for (const region of diff.regions)
    assert.ok(region.witness.confirmed, `unconfirmed witness in ${region.kind}`);
  const space = diffSpace(before, after);
  for (const request of requests) {
    const d0 = interpret(before, materialize(request, before));
    const d1 = interpret(after, materialize(request, after));
    const changed = decisionKey(d0) !== decisionKey(d1);
    const atoms = space.classify(request.facts, request.tokenGrant);
    const covered = diff.regions.filter((r) => inRegion(r, atoms));
    assert.ok(covered.length <= 1, "regions overlap");
    assert.equal(
      covered.length === 1,
      changed,
      `changed=${changed} ${decisionKey(d0)} → ${decisionKey(d1)}`,
    );
    if (changed) {
      assert.ok(sideAgrees(covered[0]!, "before", d0), `before: ${decisionKey(d0)}`);
      assert.ok(sideAgrees(covered[0]!, "after", d1), `after: ${decisionKey(d1)}`);
    }
  }
}

/** `liftAbove` for a run: lift every edge-only change, past 4 leaves, or by default. */
const arbLiftAbove = fc.constantFrom<number | undefined>(0, 4, undefined);

const TWINS = ["api-twin1", "api-twin2", "api-twin3"] as const;

/**
 * Tunnels that change alike, for the grouping of edge changes across host classes: each side
 * gets three copies of its first tunnel under other ids and hosts, so an edit of the project
 * or of that tunnel reaches four host classes the same way.
 */
function withTwins(pair: readonly [EffectivePolicy, EffectivePolicy]): Pair {
  return pair.map((p) => {
    const [first, ...rest] = p.tunnels;
    if (first === undefined) return p;
    const twins = TWINS.map((id) => ({ ...first, id, hosts: [`${id}.example.com`] }));
    return { ...p, tunnels: [first, ...twins, ...rest] };
  }) as unknown as Pair;
}

type Pair = readonly [EffectivePolicy, EffectivePolicy];

/** Requests as `arbRequest` makes them, sent to a twin's host one time in two. */
const arbTwinRequest: fc.Arbitrary<AbstractRequest> = fc
  .tuple(arbRequest, fc.option(fc.constantFrom(...TWINS), { nil: null }))
  .map(([r, twin]) =>
    twin === null ? r : { ...r, facts: { ...r.facts, host: `${twin}.example.com` } },
  );

function runProperty(
  pairs: fc.Arbitrary<readonly [EffectivePolicy, EffectivePolicy]>,
  numRuns: number,
  timeLimitMs: number,
  requests: fc.Arbitrary<AbstractRequest> = arbRequest,
): number {
  let checked = 0;
  fc.assert(
    fc.property(
      pairs,
      fc.array(requests, { minLength: 8, maxLength: 8 }),
      arbLiftAbove,
      (pair, requests, liftAbove) => {
        checked++;
        checkPair(pair, requests, liftAbove);
      },
    ),
    { numRuns, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false },
  );
  return checked;
}

describe("rampart diff exactness (issue #8)", () => {
  it(`single-edit pairs: a decision changes iff the request lies in a reported region (${EDIT_RUNS} pairs, at most ${EDIT_MS / 1000} s)`, (t) => {
    const checked = runProperty(arbEditedPair, EDIT_RUNS, EDIT_MS);
    assert.ok(checked > 0);
    t.diagnostic(`${checked} single-edit policy pairs × 8 requests checked`);
  });

  it(`tunnels that change alike: one region for the group, the same property (${TWIN_RUNS} pairs, at most ${TWIN_MS / 1000} s)`, (t) => {
    const checked = runProperty(arbEditedPair.map(withTwins), TWIN_RUNS, TWIN_MS, arbTwinRequest);
    assert.ok(checked > 0);
    t.diagnostic(`${checked} single-edit pairs with twin tunnels × 8 requests checked`);
  });

  it(`pairs that mix many fields: the same property (${MIXED_RUNS} pairs, at most ${MIXED_MS / 1000} s)`, (t) => {
    const checked = runProperty(arbMixedPair, MIXED_RUNS, MIXED_MS);
    assert.ok(checked > 0);
    t.diagnostic(`${checked} mixed policy pairs × 8 requests checked`);
  });
});
