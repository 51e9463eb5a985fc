/**
 * The fast paths of the reachability and path lint questions against the exact searches
 * (issue #8 lint rules, issue #2 lint speed): an obvious or generous witness may only ever
 * short-cut the search, never change its answer.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  exploreForwardedRequest,
  findForwardedRequest,
  NON_CLIENT_ADDRESSES,
  PolicyReachability,
  ReachabilitySpace,
} from "../../src/analysis/admits.ts";
import { isForwarded } from "../../src/analysis/decision-key.ts";
import { obviousPathWitness, pathMatchAdmitsSome } from "../../src/analysis/path-space.ts";
import { interpret } from "../../src/interpret/request.ts";
import { routeRequest } from "../../src/interpret/route.ts";
import { ipInSet } from "../../src/ir/ip.ts";
import { normalizePath, pathMatches } from "../../src/ir/path.ts";
import { arbEffectivePolicy, arbPathMatch } from "../../src/testkit/arbitraries.ts";

describe("reachability fast path (S-A3, S-A4, S-H1)", () => {
  it("findForwardedRequest answers like the exact exploration, with a real witness", () => {
    let forwarded = 0;
    let refused = 0;
    fc.assert(
      fc.property(arbEffectivePolicy(), (policy) => {
        const reach = new ReachabilitySpace(policy);
        for (const tunnel of policy.tunnels) {
          const fast = findForwardedRequest(policy, tunnel, reach);
          const exact = exploreForwardedRequest(policy, tunnel, reach);
          assert.equal(fast.kind, exact.kind, `tunnel ${tunnel.id}`);
          if (fast.kind === "forwards") {
            forwarded++;
            assert.ok(isForwarded(interpret(policy, fast.request)), "the witness is forwarded");
            assert.ok(!ipInSet(fast.request.clientIp, NON_CLIENT_ADDRESSES), "a real client");
          } else {
            refused++;
            assert.deepEqual(
              fast.denials.map((d) => d.rule),
              exact.kind === "nothing" ? exact.denials.map((d) => d.rule) : [],
            );
          }
        }
      }),
      { numRuns: 1000 },
    );
    // Both answers occur, so the comparison is not vacuous.
    assert.ok(forwarded > 0 && refused > 0, `forwarded ${forwarded}, refused ${refused}`);
  });
});

describe("reachability of a whole policy (S-A3, S-A4, S-H1, issue #2)", () => {
  it("PolicyReachability answers like the exact search, with a witness routed to the tunnel", () => {
    let forwarded = 0;
    let refused = 0;
    fc.assert(
      fc.property(arbEffectivePolicy(), (policy) => {
        const reachability = new PolicyReachability(policy);
        const reach = new ReachabilitySpace(policy);
        for (const tunnel of policy.tunnels) {
          const fast = reachability.forwardedRequest(tunnel);
          const exact = exploreForwardedRequest(policy, tunnel, reach);
          assert.equal(fast.kind, exact.kind, `tunnel ${tunnel.id}`);
          if (fast.kind === "forwards") {
            forwarded++;
            assert.equal(routeRequest(policy, fast.request.host), tunnel, "routed to the tunnel");
            assert.ok(isForwarded(interpret(policy, fast.request)), "the witness is forwarded");
            assert.ok(!ipInSet(fast.request.clientIp, NON_CLIENT_ADDRESSES), "a real client");
          } else {
            refused++;
            assert.deepEqual(
              fast.denials.map((d) => d.rule),
              exact.kind === "nothing" ? exact.denials.map((d) => d.rule) : [],
            );
          }
        }
      }),
      { numRuns: 1000 },
    );
    assert.ok(forwarded > 0 && refused > 0, `forwarded ${forwarded}, refused ${refused}`);
  });
});

describe("path fast path (S-T5)", () => {
  it("an obvious path witness is a normalized path the pattern matches, never a false 'none'", () => {
    let found = 0;
    fc.assert(
      fc.property(arbPathMatch(), (match) => {
        const witness = obviousPathWitness(match);
        if (witness === null) return;
        found++;
        const normalized = normalizePath(witness);
        assert.ok(normalized.ok && normalized.path === witness, `normalized: ${witness}`);
        assert.ok(pathMatches(match, witness));
        assert.notEqual(pathMatchAdmitsSome(match), false);
      }),
      { numRuns: 1000 },
    );
    assert.ok(found > 0);
  });
});
