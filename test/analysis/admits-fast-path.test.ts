/**
 * The fast paths of the reachability and path lint questions against the exact searches
 * (issue #8 lint rules, issue #2 lint speed): an obvious or generous witness may only ever
 * short-cut the search, never change its answer.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { AdmitsResult } from "../../src/analysis/admits.ts";
import {
  exploreForwardedRequest,
  findForwardedRequest,
  nonClientAddresses,
  PolicyReachability,
  ReachabilitySpace,
} from "../../src/analysis/admits.ts";
import { isForwarded } from "../../src/analysis/decision-key.ts";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import { obviousPathWitness, pathMatchAdmitsSome } from "../../src/analysis/path-space.ts";
import { obviousRequest, obviousRequestForwarded } from "../../src/analysis/obvious-witness.ts";
import { interpret } from "../../src/interpret/request.ts";
import { routeRequest } from "../../src/interpret/route.ts";
import { ipInSet } from "../../src/ir/ip.ts";
import { markHostsUnique } from "../../src/ir/unique-hosts.ts";
import { normalizePath, pathMatches, prefixMatches } from "../../src/ir/path.ts";
import { arbEffectivePolicy, arbPathMatch } from "../../src/testkit/arbitraries.ts";

/**
 * Runs `fast` against the exact exploration on 1,000 random policies: the same kind of answer,
 * a forwarded witness from a real client (and, if `routed`, routed to the tunnel), the same
 * denials otherwise; and both answers occur, so the comparison is not vacuous.
 */
function holdsToExactSearch(
  fast: (
    policy: EffectivePolicy,
    reach: ReachabilitySpace,
  ) => (tunnel: EffectiveTunnel) => AdmitsResult,
  routed: boolean,
): void {
  let forwarded = 0;
  let refused = 0;
  fc.assert(
    fc.property(arbEffectivePolicy(), (policy) => {
      const reach = new ReachabilitySpace(policy);
      const answer = fast(policy, reach);
      for (const tunnel of policy.tunnels) {
        const got = answer(tunnel);
        const exact = exploreForwardedRequest(policy, tunnel, reach);
        assert.equal(got.kind, exact.kind, `tunnel ${tunnel.id}`);
        if (got.kind === "forwards") {
          forwarded++;
          if (routed) {
            assert.equal(routeRequest(policy, got.request.host), tunnel, "routed to the tunnel");
          }
          assert.ok(isForwarded(interpret(policy, got.request)), "the witness is forwarded");
          assert.ok(!ipInSet(got.request.clientIp, nonClientAddresses()), "a real client");
        } else {
          refused++;
          assert.deepEqual(
            got.denials.map((d) => d.rule),
            exact.kind === "nothing" ? exact.denials.map((d) => d.rule) : [],
          );
        }
      }
    }),
    { numRuns: 1000 },
  );
  assert.ok(forwarded > 0 && refused > 0, `forwarded ${forwarded}, refused ${refused}`);
}

describe("reachability fast path (S-A3, S-A4, S-H1)", () => {
  it("findForwardedRequest answers like the exact exploration, with a real witness", () => {
    holdsToExactSearch(
      (policy, reach) => (tunnel) => findForwardedRequest(policy, tunnel, reach),
      false,
    );
  });
});

describe("reachability of a whole policy (S-A3, S-A4, S-H1, issue #2)", () => {
  it("PolicyReachability answers like the exact search, with a witness routed to the tunnel", () => {
    holdsToExactSearch((policy) => {
      const reachability = new PolicyReachability(policy);
      return (tunnel) => reachability.forwardedRequest(tunnel);
    }, true);
  });
});

/** The hosts a request can name to reach `tunnel`: each exact host, an instance of each wildcard. */
function hostsRoutedTo(policy: EffectivePolicy, tunnel: EffectiveTunnel): string[] {
  return tunnel.hosts
    .map((h) => (h.startsWith("*.") ? `w${h.slice(1)}` : h))
    .filter((h) => routeRequest(policy, h) === tunnel);
}

describe("the obvious request decided without the interpreter (S-A3…S-A5, S-C1, S-H1, S-H4, S-H6, S-T8, issue #19)", () => {
  it("obviousRequestForwarded says exactly what the interpreter decides for the obvious request", () => {
    const seen = { forwarded: 0, refused: 0, sessionOnly: 0, mtlsOnly: 0 };
    fc.assert(
      fc.property(arbEffectivePolicy(), (policy) => {
        for (const tunnel of policy.tunnels) {
          const claimed = obviousRequestForwarded(tunnel);
          for (const host of hostsRoutedTo(policy, tunnel)) {
            const request = obviousRequest(tunnel, host, nonClientAddresses());
            if (request === null) continue;
            const decision = interpret(policy, request);
            assert.equal(
              claimed,
              isForwarded(decision),
              `tunnel ${tunnel.id} via ${host}: ${decision.rule}`,
            );
            seen[claimed ? "forwarded" : "refused"]++;
            const { auth } = tunnel;
            if (!auth.token && auth.rstreamAuth && auth.sessionAllow !== null) seen.sessionOnly++;
            if (!auth.token && !auth.rstreamAuth && auth.mtls !== null) seen.mtlsOnly++;
          }
        }
      }),
      { numRuns: 1000 },
    );
    // Every branch of the decision was taken, so the comparison is not vacuous.
    assert.ok(
      Object.values(seen).every((n) => n > 0),
      JSON.stringify(seen),
    );
  });
});

/**
 * `policy` as lowering leaves it when no host is in two tunnels: its tunnels in a list marked
 * so (`unique-hosts.ts`). The arbitrary policies' hosts are lower case, each in one tunnel.
 */
function withHostsMarkedUnique(policy: EffectivePolicy): EffectivePolicy {
  const tunnels = [...policy.tunnels];
  markHostsUnique(tunnels);
  return { ...policy, tunnels };
}

describe("refusals of a whole policy, without witnesses (S-A3, S-A4, S-H1, issue #19)", () => {
  for (const [kind, prepare] of [
    ["", (policy: EffectivePolicy) => policy],
    [", its hosts known unique", withHostsMarkedUnique],
  ] as const) {
    it(`PolicyReachability.refusals is null exactly where the exact search forwards, else its denials${kind}`, () => {
      let forwarded = 0;
      let refused = 0;
      fc.assert(
        fc.property(arbEffectivePolicy().map(prepare), (policy) => {
          const reach = new ReachabilitySpace(policy);
          const reachability = new PolicyReachability(policy);
          for (const tunnel of policy.tunnels) {
            const denials = reachability.refusals(tunnel);
            const exact = exploreForwardedRequest(policy, tunnel, reach);
            if (exact.kind === "forwards") {
              forwarded++;
              assert.equal(denials, null, `tunnel ${tunnel.id}`);
            } else {
              refused++;
              assert.deepEqual(
                denials?.map((d) => d.rule),
                exact.denials.map((d) => d.rule),
                `tunnel ${tunnel.id}`,
              );
            }
          }
        }),
        { numRuns: 1000 },
      );
      assert.ok(forwarded > 0 && refused > 0, `forwarded ${forwarded}, refused ${refused}`);
    });
  }
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

  it("a prefix matches itself as a path, which the prefix witness relies on (issue #19)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(\/[a-z0-9.%-]{0,6}){0,4}\/?$/), (prefix) => {
        assert.ok(prefixMatches(prefix, prefix), prefix);
        assert.ok(pathMatches({ kind: "prefix", values: ["/zz/", prefix] }, prefix), prefix);
      }),
      { numRuns: 1000 },
    );
  });
});
