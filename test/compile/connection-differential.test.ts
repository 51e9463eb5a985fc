/**
 * S-P1: the compiled connection decision of stream tunnels (`tls`, `tls-passthrough`, `tcp`)
 * equals the reference interpreter's, field by field. Random policies come from the testkit;
 * each is rewritten to a stream protocol, with mTLS on or off, boundary-heavy trusted-IP lists
 * and a credential whose grant may or may not connect. Many connections per policy keep the
 * generators cheap: 1,000 policies of one tunnel and at least 100 connections each decide at
 * least 100,000 connections. The count is fixed by the inputs, not by the machine's speed (a
 * time limit cut it short on a loaded machine).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { ConnectionFacts } from "../../src/ir/facts.ts";
import type { Protocol } from "../../src/ir/types.ts";
import { interpretConnection } from "../../src/interpret/index.ts";
import { arbCountry, arbEffectivePolicy } from "../../src/testkit/index.ts";
import { clientAddressArb, ipSetArb } from "./ip-arbitraries.ts";

const RUNS = 1_000;
const CONNECTIONS_PER_POLICY = 400;
const STREAM_PROTOCOLS: readonly Protocol[] = ["tls", "tls-passthrough", "tcp"];

/** A stream-tunnel policy and a batch of connections aimed at it. */
const policyWithConnections = fc
  .tuple(
    arbEffectivePolicy(),
    fc.constantFrom(...STREAM_PROTOCOLS),
    fc.boolean(),
    fc.array(ipSetArb(6), { maxLength: 2 }),
  )
  .chain(([policy, protocol, mtls, sets]) => {
    const ipRules = sets.map((set, i) => ({
      rule: i === 0 ? "project.trusted_ips" : "tunnel:t.trusted_ips",
      origin: null,
      set,
    }));
    const tunnels = policy.tunnels.map((t) => ({
      ...t,
      protocol,
      ipRules,
      tls: { ...t.tls, terminated: protocol === "tls" },
      auth: { ...t.auth, mtls: mtls ? { ca: "ca.pem" } : null },
    }));
    const streamed: EffectivePolicy = { ...policy, tunnels };
    const near = sets.flatMap((s) => s.ranges);
    const connection: fc.Arbitrary<ConnectionFacts> = fc.record({
      clientIp: clientAddressArb(near),
      country: arbCountry(),
      clientCredential: fc.constantFrom(null, "svc", "unknown", "constructor"),
    });
    return fc.tuple(
      fc.constant(streamed),
      fc.array(connection, {
        minLength: CONNECTIONS_PER_POLICY / 4,
        maxLength: CONNECTIONS_PER_POLICY,
      }),
    );
  });

describe("compiled connection decisions ≡ the reference interpreter", () => {
  it("S-P1: agree on stream tunnels (trusted IPs, GeoIP, mTLS credential scope)", (t) => {
    let decided = 0;
    let runs = 0;
    fc.assert(
      fc.property(policyWithConnections, ([policy, connections]) => {
        runs++;
        const compiled = compilePolicy(policy, { eager: runs % 2 === 0 });
        for (const tunnel of policy.tunnels) {
          const decide = compiled.tunnelById(tunnel.id);
          assert.ok(decide !== null);
          for (const facts of connections) {
            assert.deepStrictEqual(
              decide.connection(facts),
              interpretConnection(policy, tunnel, facts),
            );
            decided++;
          }
        }
      }),
      { numRuns: RUNS },
    );
    t.diagnostic(`${runs} policies, ${decided} connections`);
    assert.ok(decided >= 100_000, `only ${decided} connections were decided`);
  });
});
