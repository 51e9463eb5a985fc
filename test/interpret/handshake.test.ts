import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { interpretHandshake } from "../../src/interpret/handshake.ts";
import type { HandshakeFacts } from "../../src/ir/facts.ts";
import type { ProjectIr, TunnelIr } from "../../src/ir/types.ts";
import { handshakeFacts, policyIr, projectIr, tunnelIr } from "../../src/testkit/builders.ts";
import { effectiveOf } from "./helpers.ts";

function shake(
  project: Partial<ProjectIr>,
  tunnel: Partial<TunnelIr>,
  facts: Partial<HandshakeFacts>,
) {
  const policy = effectiveOf(
    policyIr({ project: projectIr(project), tunnels: [tunnelIr(tunnel)] }),
  );
  return interpretHandshake(policy, handshakeFacts(facts)).decision;
}

describe("TLS handshake (S-A5, S-A6, S-A7, S-H6, S-X1)", () => {
  it("S-A5: default accepts TLS 1.2 and 1.3", () => {
    assert.equal(shake({}, {}, { version: "1.2" }).allow, true);
    assert.equal(shake({}, {}, { version: "1.3" }).allow, true);
  });

  it("S-A5: a project minimum of 1.3 applies to every published tunnel", () => {
    const d = shake({ tlsMin: "1.3" }, {}, { version: "1.2" });
    assert.deepEqual([d.allow, d.policy, d.rule], [false, "tls", "project.tls_min_version"]);
  });

  it("S-A6: PQ `required` needs TLS 1.3 and a hybrid group", () => {
    const pq = { postQuantum: { mode: "required", fips: false } } as const;
    assert.equal(
      shake({}, pq, { version: "1.2", group: "X25519MLKEM768" }).rule,
      "tunnel:web.post_quantum",
    );
    assert.equal(shake({}, pq, { group: "x25519" }).allow, false);
    assert.equal(shake({}, pq, { group: null }).allow, false);
    assert.equal(shake({}, pq, { group: "X25519MLKEM768" }).allow, true);
  });

  it("S-A6: FIPS accepts only P-256 / P-384 hybrids (not X25519MLKEM768)", () => {
    const fips = { postQuantum: { mode: "required", fips: true } } as const;
    assert.equal(shake({}, fips, { group: "X25519MLKEM768" }).allow, false);
    assert.equal(shake({}, fips, { group: "SecP256r1MLKEM768" }).allow, true);
    assert.equal(shake({}, fips, { group: "SecP384r1MLKEM1024" }).allow, true);
  });

  it("S-A6: FIPS with `preferred` accepts P-256 / P-384 fallbacks, not X25519", () => {
    const fips = { postQuantum: { mode: "preferred", fips: true } } as const;
    assert.equal(shake({}, fips, { group: "prime256v1" }).allow, true);
    assert.equal(shake({}, fips, { group: "secp384r1" }).allow, true);
    assert.equal(shake({}, fips, { group: "x25519" }).allow, false);
  });

  it("S-A6: `preferred` without FIPS accepts a classical fallback", () => {
    assert.equal(
      shake(
        {},
        { postQuantum: { mode: "preferred", fips: false } },
        { group: "x25519", version: "1.2" },
      ).allow,
      true,
    );
  });

  it("S-A7: ECH `required` rejects handshakes without ECH and TLS 1.2", () => {
    assert.equal(shake({ ech: "required" }, {}, { ech: false }).rule, "project.ech");
    assert.equal(shake({ ech: "required" }, {}, { ech: true, version: "1.2" }).allow, false);
    assert.equal(shake({ ech: "required" }, {}, { ech: true }).allow, true);
    assert.equal(shake({ ech: "preferred" }, {}, { ech: false }).allow, true);
  });

  it("S-H6: mTLS needs a verified client certificate", () => {
    const d = shake({}, { mtls: { ca: "ca.pem" } }, {});
    assert.deepEqual([d.allow, d.policy], [false, "mtls"]);
    assert.equal(shake({}, { mtls: { ca: "ca.pem" } }, { clientCertVerified: true }).allow, true);
  });

  it("S-X1: passthrough is not checked at the edge", () => {
    assert.equal(
      shake({ tlsMin: "1.3" }, { protocol: "tls-passthrough" }, { version: "1.2" }).allow,
      true,
    );
  });

  it("an unknown server name, or a private tunnel's, is refused", () => {
    assert.equal(shake({}, {}, { sni: "nope.example.com" }).allow, false);
    assert.equal(shake({}, { publish: false }, {}).allow, false);
  });
});
