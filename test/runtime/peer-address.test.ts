/**
 * S-R6 and S-R7 at the runtime's edge: how a peer or forwarded address becomes the client
 * address the decision sees. The wire cannot carry these forms from loopback, so the socket
 * text is given directly; the compiled decision and the interpreter must agree on each.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseIpEntry } from "../../src/ir/ip.ts";
import {
  canonicalPeer,
  clientAddress,
  parseTrustedProxies,
} from "../../src/runtime/http/client-ip.ts";
import {
  compiledPolicy,
  effectivePolicy,
  interpretedPolicy,
  tunnel,
  withTrustedIps,
} from "./helpers/policy.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";

const policy = effectivePolicy([
  withTrustedIps(tunnel({ id: "v4", hosts: ["v4.test"], upstream: null }), ["1.2.3.0/24"]),
]);
const engines = { compiled: compiledPolicy(policy), interpreted: interpretedPolicy(policy) };

function facts(clientIp: string): RequestFacts {
  return {
    host: "v4.test",
    method: "GET",
    path: "/",
    clientIp,
    country: null,
    secure: false,
    acceptsHtml: false,
    upgrade: false,
    origin: null,
    referer: null,
    contentType: null,
    token: null,
    challengeCookie: null,
    session: null,
    clientCredential: null,
    tlsVersion: null,
  };
}

describe("client addresses (S-R6, S-R7)", () => {
  it("S-R6: only ::ffff:0:0/96 is IPv4; ::a.b.c.d is an IPv6 address like any other", () => {
    assert.equal(canonicalPeer("::ffff:1.2.3.4"), "1.2.3.4");
    assert.equal(canonicalPeer("::FFFF:1.2.3.4"), "1.2.3.4");
    assert.equal(canonicalPeer("::1.2.3.4"), "::1.2.3.4");
    for (const [name, engine] of Object.entries(engines)) {
      assert.equal(engine.request(facts(canonicalPeer("::ffff:1.2.3.4"))).outcome, "forward", name);
      assert.equal(engine.request(facts(canonicalPeer("::1.2.3.4"))).outcome, "deny", name);
      assert.equal(engine.request(facts("::1.2.3.4")).outcome, "deny", name);
    }
  });

  it("S-R6: zone ids are stripped from peers and refused in policies", () => {
    assert.equal(canonicalPeer("fe80::1%eth0"), "fe80::1");
    assert.equal(canonicalPeer("::ffff:1.2.3.4%lo"), "1.2.3.4");
    assert.equal(parseIpEntry("fe80::1%eth0").ok, false);
  });

  it("S-R6: an address a matcher cannot read is denied", () => {
    for (const [name, engine] of Object.entries(engines))
      for (const odd of ["01.2.3.4", "1.2.3", "0x01020304", "garbage", ""])
        assert.equal(engine.request(facts(odd)).outcome, "deny", `${name} ${odd}`);
  });

  it("S-R7: right to left over every field line, trusted hops skipped; ::a.b.c.d is not a mapped hop", () => {
    const trusted = parseTrustedProxies(["10.0.0.0/8"], []);
    // Two X-Forwarded-For field lines arrive joined with ", ".
    assert.equal(clientAddress("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.9", trusted), "1.2.3.4");
    assert.equal(clientAddress("10.0.0.1", "::ffff:10.0.0.2, 1.2.3.4", trusted), "1.2.3.4");
    assert.equal(clientAddress("10.0.0.1", "1.2.3.4, ::10.0.0.2", trusted), "::10.0.0.2");
    assert.equal(clientAddress("203.0.113.1", "1.2.3.4", trusted), "203.0.113.1");
  });

  it("S-R7: a malformed or empty hop is the client (no rule admits it), never the trusted proxy", () => {
    const trusted = parseTrustedProxies(["10.0.0.0/8"], []);
    assert.equal(clientAddress("10.0.0.1", "1.2.3.4, garbage", trusted), "garbage");
    assert.equal(clientAddress("10.0.0.1", "1.2.3.4, ", trusted), "");
    assert.equal(clientAddress("10.0.0.1", "1.2.3.4,, 10.0.0.9", trusted), "");
    assert.equal(clientAddress("10.0.0.1", "", trusted), "");
  });
});
