// Issue #8, the exactness property of `rampart diff`: for random policy pairs and random
// requests, a request's decision changes iff it lies in a reported region — and every
// region's witness is confirmed by the interpreter on both versions.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { diffPolicies } from "../../src/analysis/diff/diff-policies.ts";
import type { Region } from "../../src/analysis/diff/types.ts";
import { decisionKey } from "../../src/analysis/decision-key.ts";
import { RequestSpace } from "../../src/analysis/space/request-space.ts";
import { interpret } from "../../src/interpret/request.ts";
import { arbPolicyPair, arbRequest, materialize } from "./arbitraries.ts";

const NUM_RUNS = Number(process.env["DIFF_EXACTNESS_RUNS"] ?? 10_000);
const TIME_LIMIT_MS = Number(process.env["DIFF_EXACTNESS_MS"] ?? 60_000);

function inRegion(region: Region, atoms: ReadonlyMap<string, string>): boolean {
  return region.conditions.every((c) => c.atoms.some((a) => a.id === atoms.get(c.dimension)));
}

describe("rampart diff exactness (issue #8)", () => {
  it(`a decision changes iff the request lies in a reported region (${NUM_RUNS} pairs, at most ${TIME_LIMIT_MS / 1000} s)`, (t) => {
    let pairs = 0;
    fc.assert(
      fc.property(
        arbPolicyPair,
        fc.array(arbRequest, { minLength: 8, maxLength: 8 }),
        ([before, after], requests) => {
          pairs++;
          const diff = diffPolicies(before, after);
          for (const region of diff.regions)
            assert.ok(region.witness.confirmed, `unconfirmed witness in ${region.kind}`);
          const space = new RequestSpace([before, after]);
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
        },
      ),
      { numRuns: NUM_RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
    assert.ok(pairs > 0);
    t.diagnostic(`${pairs} policy pairs × 8 requests checked`);
  });
});
