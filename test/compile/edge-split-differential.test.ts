/**
 * The edge verdict decided once per connection (issue #20): a runtime passes a memo of the
 * last tunnel's edge verdict, and the compiled decision reads it instead of checking the
 * trusted-IP, GeoIP and TLS-version lists again. The law: for every policy and every sequence
 * of requests sharing one memo (the requests of a keep-alive connection, whose client may
 * change behind a trusted proxy), each decision equals the reference interpreter's whole
 * decision; the split itself (edge alone, then the rest) equals it too, compiled and
 * interpreted.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { newEdgeMemo } from "../../src/compile/engine.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import { irKey } from "../../src/ir/equal.ts";
import {
  interpret,
  interpretEdge,
  interpretPastEdge,
  routeRequest,
} from "../../src/interpret/index.ts";
import { arbEffectivePolicy, arbRequestFacts } from "../../src/testkit/index.ts";
import { clientAddressArb, ipSetArb } from "./ip-arbitraries.ts";

/** Each property stops after this long; fast-check reports how many runs it made. */
const TIME_LIMIT_MS = 10_000;
const REQUESTS_PER_CONNECTION = 24;

/** Token ids keyed by grant content (the compiled-grant cache's contract, as in differential.test.ts). */
function withStableTokenId(facts: RequestFacts): RequestFacts {
  const token = facts.token;
  if (token === null || token.grant === null) return facts;
  return { ...facts, token: { ...token, id: facts.method === "POST" ? null : irKey(token.grant) } };
}

/**
 * A connection's requests: most keep the previous request's client and TLS (a keep-alive
 * connection), some bring another client address or country (another `X-Forwarded-For`
 * behind a trusted proxy, a GeoIP reload) or another host (another tunnel).
 */
function connection(policy: EffectivePolicy, clientIp?: fc.Arbitrary<string>) {
  const request = clientIp
    ? fc.tuple(arbRequestFacts(policy), clientIp).map(([facts, ip]) => ({ ...facts, clientIp: ip }))
    : arbRequestFacts(policy);
  return fc
    .array(fc.tuple(request, fc.constantFrom("same", "same", "same", "ip", "country", "new")), {
      minLength: 1,
      maxLength: REQUESTS_PER_CONNECTION,
    })
    .map((drawn) => {
      const out: RequestFacts[] = [];
      for (const [facts, change] of drawn) {
        const previous = out.at(-1);
        if (previous === undefined || change === "new") {
          out.push(withStableTokenId(facts));
          continue;
        }
        // The connection's TLS never changes; the client may, as named.
        out.push(
          withStableTokenId({
            ...facts,
            secure: previous.secure,
            tlsVersion: previous.tlsVersion,
            clientIp: change === "ip" ? facts.clientIp : previous.clientIp,
            country: change === "country" ? facts.country : previous.country,
          }),
        );
      }
      return out;
    });
}

const policyWithConnection = arbEffectivePolicy().chain((policy) =>
  fc.tuple(fc.constant(policy), connection(policy)),
);

/** Boundary-heavy trusted-IP lists, with client addresses at and around their edges. */
const ipEdgedWithConnection = arbEffectivePolicy().chain((policy) =>
  fc.array(ipSetArb(), { minLength: 1, maxLength: 2 }).chain((sets) => {
    const rules = sets.map((set, i) => ({
      rule: i === 0 ? "project.trusted_ips" : "tunnel:t.trusted_ips",
      origin: null,
      set,
    }));
    const edged = { ...policy, tunnels: policy.tunnels.map((t) => ({ ...t, ipRules: rules })) };
    const near = sets.flatMap((s) => s.ranges);
    return fc.tuple(fc.constant(edged), connection(edged, clientAddressArb(near)));
  }),
);

function checkTimeBounded<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void): number {
  let runs = 0;
  fc.assert(
    fc.property(arb, (value) => {
      runs++;
      predicate(value);
    }),
    { numRuns: 50_000, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
  );
  return runs;
}

/** One memo for the whole connection, as the runtime keeps it; both compile modes. */
function assertMemoAgrees(policy: EffectivePolicy, requests: readonly RequestFacts[]): number {
  const compiled = compilePolicy(policy, { eager: requests.length % 2 === 0 });
  const memo = newEdgeMemo();
  let remembered = 0;
  for (const facts of requests) {
    const kept = { ...memo };
    const whole = interpret(policy, facts);
    assert.deepStrictEqual(compiled.request(facts, memo), whole);
    // Without the memo, the same decision (the memo changes nothing it is not asked for).
    assert.deepStrictEqual(compiled.request(facts), whole);
    const reused =
      kept.tunnel !== null &&
      kept.tunnel === memo.tunnel &&
      kept.clientIp === facts.clientIp &&
      kept.country === facts.country &&
      kept.tlsVersion === facts.tlsVersion &&
      kept.secure === facts.secure;
    if (reused) remembered++;
  }
  return remembered;
}

/** The split alone: edge, then the rest with the edge given, compiled and interpreted. */
function assertSplitAgrees(policy: EffectivePolicy, requests: readonly RequestFacts[]): void {
  const compiled = compilePolicy(policy);
  for (const facts of requests) {
    const whole = interpret(policy, facts);
    const tunnel = routeRequest(policy, facts.host);
    if (tunnel === null) continue;
    const edge = interpretEdge(tunnel, facts);
    assert.deepStrictEqual(
      interpretPastEdge(policy, facts, () => edge),
      whole,
    );
    const compiledTunnel = compiled.tunnelById(tunnel.id);
    // Two random tunnels can share an id; the compiled one is then the last of them.
    if (compiledTunnel === null || compiledTunnel.tunnel !== tunnel) continue;
    assert.deepStrictEqual(compiledTunnel.edge(facts), edge);
    assert.deepStrictEqual(compiledTunnel.request(facts, compiledTunnel.edge(facts)), whole);
  }
}

describe("the edge verdict decided once per connection ≡ the whole decision", () => {
  it("S-O1, S-A3…S-A5: a connection's memo gives the interpreter's decision for every request", (t) => {
    let decided = 0;
    let remembered = 0;
    const runs = checkTimeBounded(policyWithConnection, ([policy, requests]) => {
      remembered += assertMemoAgrees(policy, requests);
      decided += requests.length;
    });
    t.diagnostic(`${runs} connections, ${decided} requests, ${remembered} edge verdicts reused`);
    assert.ok(remembered > 0, "no request reused its connection's edge verdict");
  });

  it("S-A3: the memo agrees at trusted-IP range edges as the client address changes", (t) => {
    let decided = 0;
    let remembered = 0;
    const runs = checkTimeBounded(ipEdgedWithConnection, ([policy, requests]) => {
      remembered += assertMemoAgrees(policy, requests);
      decided += requests.length;
    });
    t.diagnostic(`${runs} connections, ${decided} requests, ${remembered} edge verdicts reused`);
    assert.ok(remembered > 0, "no request reused its connection's edge verdict");
  });

  it("S-O1: edge alone, then the rest with the edge given, equals the whole (compiled and interpreted)", (t) => {
    let decided = 0;
    const runs = checkTimeBounded(policyWithConnection, ([policy, requests]) => {
      assertSplitAgrees(policy, requests);
      decided += requests.length;
    });
    t.diagnostic(`${runs} policies, ${decided} requests`);
  });
});
