// Issue #8, the exactness property of `rampart diff`: for random policy pairs and random
// requests, a request's decision changes iff it lies in a reported region (with the right
// decisions before and after), regions never overlap, and every region's witness is
// confirmed by the interpreter on both versions.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { diffPolicies, diffSpace } from "../../src/analysis/diff/diff-policies.ts";
import type { Region } from "../../src/analysis/diff/types.ts";
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

function inRegion(region: Region, atoms: ReadonlyMap<string, string>): boolean {
  return region.conditions.every((c) => c.atoms.some((a) => a.id === atoms.get(c.dimension)));
}

function checkPair(
  [before, after]: readonly [EffectivePolicy, EffectivePolicy],
  requests: readonly AbstractRequest[],
): void {
  const diff = diffPolicies(before, after);
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
      assert.equal(decisionKey(covered[0]!.before), decisionKey(d0));
      assert.equal(decisionKey(covered[0]!.after), decisionKey(d1));
    }
  }
}

function runProperty(
  pairs: fc.Arbitrary<readonly [EffectivePolicy, EffectivePolicy]>,
  numRuns: number,
  timeLimitMs: number,
): number {
  let checked = 0;
  fc.assert(
    fc.property(pairs, fc.array(arbRequest, { minLength: 8, maxLength: 8 }), (pair, requests) => {
      checked++;
      checkPair(pair, requests);
    }),
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

  it(`pairs that mix many fields: the same property (${MIXED_RUNS} pairs, at most ${MIXED_MS / 1000} s)`, (t) => {
    const checked = runProperty(arbMixedPair, MIXED_RUNS, MIXED_MS);
    assert.ok(checked > 0);
    t.diagnostic(`${checked} mixed policy pairs × 8 requests checked`);
  });
});
