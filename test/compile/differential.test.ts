/**
 * The core law (DESIGN principle 3, STYLE 9.5): for every policy and request, the compiled
 * decision equals the reference interpreter's, field by field; the same for handshakes.
 * Random policies come from the testkit; this file adds bias toward the places compiled
 * matchers go wrong: range edges at /0, /32, /128, adjacent and nested ranges, mapped
 * addresses, empty lists, odd paths, several tunnels sharing host patterns. Each property is
 * time-bounded; together they decide well over 100,000 requests on CI hardware.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import type { Protocol } from "../../src/ir/types.ts";
import { irKey } from "../../src/ir/equal.ts";
import { interpretHandshake, interpretRequest } from "../../src/interpret/index.ts";
import {
  arbEffectivePolicy,
  arbHandshakeFacts,
  arbMembers,
  arbRequestFacts,
  arbTokenFacts,
} from "../../src/testkit/index.ts";
import { clientAddressArb, ipSetArb } from "./ip-arbitraries.ts";
import { pathArb } from "./path-arbitraries.ts";

/** Each property stops after this long; fast-check reports how many runs it made. */
const TIME_LIMIT_MS = 16_000;
const REQUESTS_PER_POLICY = 32;
/** The engine-endpoint property decides a fixed count: 1,000 policies × 100 requests. */
const ENGINE_REQUESTS_PER_POLICY = 100;
const ENGINE_POLICIES = 1_000;

/**
 * Token ids keyed by grant content. The runtime contract is that a token id always carries the
 * same grant (the compiled-grant cache relies on it); the testkit names tokens after their
 * grant, and two random grants can share a name, so the id is derived from the content here.
 */
function withStableTokenId(facts: RequestFacts): RequestFacts {
  const token = facts.token;
  if (token === null || token.grant === null) return facts;
  // Some tokens have no id at all (the cache then keys by the grant object).
  return { ...facts, token: { ...token, id: facts.method === "POST" ? null : irKey(token.grant) } };
}

function assertSameRequests(policy: EffectivePolicy, requests: readonly RequestFacts[]): void {
  // Both compile modes: tunnels built at once, and built on first use.
  const compiled = compilePolicy(policy, { eager: requests.length % 2 === 0 });
  for (const raw of requests) {
    const facts = withStableTokenId(raw);
    assert.deepStrictEqual(compiled.request(facts), interpretRequest(policy, facts).decision);
  }
}

/** Runs a property for at most TIME_LIMIT_MS (or numRuns) and returns the runs made. */
function checkTimeBounded<T>(
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => void,
  numRuns = 50_000,
): number {
  let runs = 0;
  fc.assert(
    fc.property(arb, (value) => {
      runs++;
      predicate(value);
    }),
    { numRuns, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
  );
  return runs;
}

const policyWithRequests = arbEffectivePolicy().chain((policy) =>
  fc.tuple(
    fc.constant(policy),
    fc.array(arbRequestFacts(policy), { minLength: 1, maxLength: REQUESTS_PER_POLICY }),
  ),
);

/**
 * Token auth on every tunnel, the project's members named or not (S-T8), and every request
 * carrying a valid token whose owner and backend answer vary.
 */
const policyWithOwners = fc
  .tuple(arbEffectivePolicy(), fc.option(arbMembers(), { freq: 2 }))
  .map(([policy, members]) =>
    withTunnel(policy, (t) => ({ ...t, auth: { ...t.auth, token: true, members } })),
  )
  .chain((policy) =>
    fc.tuple(
      fc.constant(policy),
      fc.array(
        fc
          .tuple(arbRequestFacts(policy), arbTokenFacts(Object.values(policy.grants)))
          .map(([facts, token]) => ({ ...facts, token })),
        { minLength: 1, maxLength: REQUESTS_PER_POLICY },
      ),
    ),
  );

function withTunnel(
  policy: EffectivePolicy,
  change: (t: EffectiveTunnel) => EffectiveTunnel,
): EffectivePolicy {
  return { ...policy, tunnels: policy.tunnels.map(change) };
}

/** Replaces the trusted-IP lists with boundary-heavy sets (one or two lists, possibly empty). */
const policyWithIpEdges = arbEffectivePolicy().chain((policy) =>
  fc.array(ipSetArb(), { minLength: 1, maxLength: 2 }).chain((sets) => {
    const rules = sets.map((set, i) => ({
      rule: i === 0 ? "project.trusted_ips" : "tunnel:t.trusted_ips",
      origin: null,
      set,
    }));
    const edged = withTunnel(policy, (t) => ({ ...t, ipRules: rules }));
    const near = sets.flatMap((s) => s.ranges);
    const request = fc
      .tuple(arbRequestFacts(edged), clientAddressArb(near))
      .map(([facts, clientIp]) => ({ ...facts, clientIp }));
    return fc.tuple(
      fc.constant(edged),
      fc.array(request, { minLength: 1, maxLength: REQUESTS_PER_POLICY }),
    );
  }),
);

/** Requests with arbitrary odd paths, so path normalization and path grants are exercised. */
const policyWithOddPaths = arbEffectivePolicy().chain((policy) => {
  const request = fc
    .tuple(arbRequestFacts(policy), pathArb)
    .map(([facts, path]) => ({ ...facts, path }));
  return fc.tuple(
    fc.constant(policy),
    fc.array(request, { minLength: 1, maxLength: REQUESTS_PER_POLICY }),
  );
});

const PROTOCOLS: readonly Protocol[] = ["http", "tls", "tls-passthrough", "dtls", "quic", "tcp"];

/** Several tunnels whose exact and wildcard hosts overlap, some private, of mixed protocols. */
const policyWithRoutes = arbEffectivePolicy().chain((policy) => {
  const base = policy.tunnels[0];
  if (base === undefined) return fc.constant([policy, []] as [EffectivePolicy, RequestFacts[]]);
  const hostPool = [
    "web.example.com",
    "*.example.com",
    "*.apps.example.com",
    "a.apps.example.com",
    "*.",
    "API.example.com",
  ];
  const tunnel = fc
    .record({
      hosts: fc.subarray(hostPool, { minLength: 1 }),
      publish: fc.boolean(),
      protocol: fc.constantFrom(...PROTOCOLS),
    })
    .map((t) => t);
  return fc.array(tunnel, { minLength: 1, maxLength: 4 }).chain((variants) => {
    const tunnels = variants.map((v, i) => ({ ...base, id: `t${i}`, ...v }));
    const routed: EffectivePolicy = { ...policy, tunnels: [base, ...tunnels] };
    const host = fc.constantFrom(
      "web.example.com",
      "x.example.com",
      "a.apps.example.com",
      "b.apps.example.com",
      "a.b.example.com",
      "example.com",
      "WEB.example.com",
      "x.",
    );
    const request = fc
      .tuple(arbRequestFacts(routed), host)
      .map(([facts, h]) => ({ ...facts, host: h }));
    return fc.tuple(
      fc.constant(routed),
      fc.array(request, { minLength: 1, maxLength: REQUESTS_PER_POLICY }),
    );
  });
});

/** Paths that name (or almost name) the engine's endpoints, raw and with dot segments. */
const wellKnownPathArb = fc.constantFrom(
  "/.well-known/rstream/logout",
  "/.well-known/rstream/session",
  "/x/../.well-known/rstream/logout",
  "/.well-known/./rstream/logout",
  "/.well-known/rstream/logout/",
  "/.well-known/rstream/other",
  "/.well-known/rstream",
);

/** Requests to the engine endpoints, with method overrides, origins and body types mixed in. */
const policyWithEngineRequests = arbEffectivePolicy().chain((policy) =>
  fc.tuple(
    fc.constant(policy),
    fc.array(
      fc
        .tuple(
          arbRequestFacts(policy),
          wellKnownPathArb,
          fc.constantFrom("POST", "POST", "GET", "HEAD", "PUT"),
          fc.boolean(),
        )
        .map(([facts, path, method, methodOverride]) => ({
          ...facts,
          path,
          method,
          methodOverride,
        })),
      { minLength: ENGINE_REQUESTS_PER_POLICY, maxLength: ENGINE_REQUESTS_PER_POLICY },
    ),
  ),
);

describe("compiled decisions ≡ the reference interpreter", () => {
  it("S-O1: agree on random policies and requests", (t) => {
    let decided = 0;
    const runs = checkTimeBounded(policyWithRequests, ([policy, requests]) => {
      assertSameRequests(policy, requests);
      decided += requests.length;
    });
    t.diagnostic(`${runs} policies, ${decided} requests`);
  });

  it("S-A3: agree at trusted-IP range edges, mapped addresses and empty lists", (t) => {
    let decided = 0;
    const runs = checkTimeBounded(policyWithIpEdges, ([policy, requests]) => {
      assertSameRequests(policy, requests);
      decided += requests.length;
    });
    t.diagnostic(`${runs} policies, ${decided} requests`);
  });

  it("S-T5: agree on odd request paths against path-scoped grants", (t) => {
    let decided = 0;
    const runs = checkTimeBounded(policyWithOddPaths, ([policy, requests]) => {
      assertSameRequests(policy, requests);
      decided += requests.length;
    });
    t.diagnostic(`${runs} policies, ${decided} requests`);
  });

  it("S-X1: agree on routing across overlapping exact and wildcard hosts", (t) => {
    let decided = 0;
    const runs = checkTimeBounded(policyWithRoutes, ([policy, requests]) => {
      assertSameRequests(policy, requests);
      decided += requests.length;
    });
    t.diagnostic(`${runs} policies, ${decided} requests`);
  });

  it("S-T8: agree on token ownership (members, backend answers, explicit boundaries)", (t) => {
    let decided = 0;
    const runs = checkTimeBounded(policyWithOwners, ([policy, requests]) => {
      assertSameRequests(policy, requests);
      decided += requests.length;
    });
    t.diagnostic(`${runs} policies, ${decided} requests`);
  });

  it("S-R12: agree on the engine endpoints, a logout POST with a method override included (100,000 requests)", (t) => {
    let decided = 0;
    let overrides = 0;
    fc.assert(
      fc.property(policyWithEngineRequests, ([policy, requests]) => {
        assertSameRequests(policy, requests);
        decided += requests.length;
        overrides += requests.filter((r) => r.methodOverride && r.method === "POST").length;
      }),
      { numRuns: ENGINE_POLICIES },
    );
    t.diagnostic(`${decided} requests, ${overrides} POSTs with a method override`);
    assert.equal(decided, ENGINE_POLICIES * ENGINE_REQUESTS_PER_POLICY);
  });

  it("S-A5…S-A7: agree on handshakes", (t) => {
    const arb = fc
      .oneof(
        policyWithRoutes.map(([p]) => p),
        arbEffectivePolicy(),
      )
      .chain((policy) =>
        fc.tuple(
          fc.constant(policy),
          fc.array(arbHandshakeFacts(), { minLength: 1, maxLength: REQUESTS_PER_POLICY }),
        ),
      );
    let decided = 0;
    const runs = checkTimeBounded(arb, ([policy, handshakes]) => {
      const compiled = compilePolicy(policy);
      for (const facts of handshakes) {
        assert.deepStrictEqual(
          compiled.handshake(facts),
          interpretHandshake(policy, facts).decision,
        );
      }
      decided += handshakes.length;
    });
    t.diagnostic(`${runs} policies, ${decided} handshakes`);
  });
});
