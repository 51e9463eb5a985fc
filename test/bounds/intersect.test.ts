import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import type { PolicyIr, ProjectIr, TunnelIr } from "../../src/ir/types.ts";
import {
  countrySet,
  credentialIr,
  ipSet,
  policyIr,
  projectIr,
  tunnelIr,
} from "../../src/testkit/builders.ts";

const span = (start: number, end: number) => ({ file: "p.rampart", start, end });

function effective(ir: PolicyIr): EffectivePolicy {
  const out = computeEffective(ir);
  assert.deepEqual(
    out.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  assert.ok(out.value);
  return out.value;
}

function one(project: Partial<ProjectIr>, tunnel: Partial<TunnelIr> = {}): EffectiveTunnel {
  const t = effective(policyIr({ project: projectIr(project), tunnels: [tunnelIr(tunnel)] }))
    .tunnels[0];
  assert.ok(t);
  return t;
}

function errors(project: Partial<ProjectIr>, tunnel: Partial<TunnelIr> = {}): Diagnostic[] {
  const out = computeEffective(
    policyIr({ project: projectIr(project), tunnels: [tunnelIr(tunnel)] }),
  );
  assert.equal(out.value, undefined);
  return out.diagnostics.filter((d) => d.severity === "error");
}

describe("trusted IPs (S-A1, S-A3)", () => {
  it("S-A3: intersects project and tunnel CIDR sets exactly and keeps both lists as rules", () => {
    const t = one(
      { trustedIps: ipSet("10.0.0.0/8", "192.0.2.0/24") },
      { trustedIps: ipSet("10.1.0.0/16", "198.51.100.0/24") },
    );
    assert.deepEqual(
      t.allowedIps?.ranges.map((r) => r.cidr),
      ["10.1.0.0/16"],
    );
    assert.deepEqual(
      t.ipRules.map((r) => r.rule),
      ["project.trusted_ips", "tunnel:web.trusted_ips"],
    );
  });

  it("S-A3: a tunnel cannot broaden the project: a wider tunnel list narrows to the project's", () => {
    const t = one({ trustedIps: ipSet("10.1.0.0/16") }, { trustedIps: ipSet("10.0.0.0/8") });
    assert.deepEqual(
      t.allowedIps?.ranges.map((r) => r.cidr),
      ["10.1.0.0/16"],
    );
  });

  it("S-A3: only one side set: that side applies", () => {
    assert.deepEqual(
      one({ trustedIps: ipSet("10.0.0.0/8") }).allowedIps?.ranges.map((r) => r.cidr),
      ["10.0.0.0/8"],
    );
    assert.equal(one({}).allowedIps, null);
    assert.deepEqual(one({}).ipRules, []);
  });

  it("S-A1: an empty intersection is RP4101 naming both sides (primary on the tunnel, label on the project)", () => {
    const project = { trustedIps: ipSet("10.0.0.0/8"), spans: { trusted_ips: span(10, 20) } };
    const tunnel = { trustedIps: ipSet("192.0.2.0/24"), spans: { trusted_ips: span(50, 60) } };
    const [d] = errors(project, tunnel);
    assert.equal(d?.code, "RP4101");
    assert.equal(d?.message, "tunnel `web` allows no address that the project allows");
    assert.deepEqual(d?.span, span(50, 60));
    assert.deepEqual(d?.labels?.[0]?.span, span(10, 20));
    assert.match(d?.labels?.[0]?.message ?? "", /project\.trusted_ips: trusted IPs 10\.0\.0\.0\/8/);
    assert.ok(d?.help);
  });

  it("S-A3: trusted IPs are pro and enterprise only (RP4106)", () => {
    assert.deepEqual(
      errors({ plan: "basic", trustedIps: ipSet("10.0.0.0/8") }).map((d) => d.code),
      ["RP4106"],
    );
    assert.deepEqual(
      errors({ plan: "basic" }, { trustedIps: ipSet("10.0.0.0/8") }).map((d) => d.code),
      ["RP4106"],
    );
  });
});

describe("GeoIP countries (S-A4)", () => {
  it("S-A4: intersects country sets", () => {
    const t = one(
      { countries: countrySet("DE", "FR", "NL") },
      { countries: countrySet("FR", "US", "NL") },
    );
    assert.deepEqual(t.allowedCountries?.codes, ["FR", "NL"]);
    assert.equal(t.countryRules.length, 2);
  });

  it("S-A4: an empty intersection is RP4102", () => {
    assert.deepEqual(
      errors({ countries: countrySet("DE") }, { countries: countrySet("US") }).map((d) => d.code),
      ["RP4102"],
    );
  });

  it("S-A4: GeoIP is pro and enterprise only", () => {
    assert.deepEqual(
      errors({ plan: "basic" }, { countries: countrySet("DE") }).map((d) => d.code),
      ["RP4106"],
    );
  });
});

describe("minimum TLS, post-quantum, ECH (S-A5, S-A6, S-A7)", () => {
  it("S-A5: default minimum is 1.2", () => {
    const t = one({});
    assert.equal(t.tls.storedMin, "1.2");
    assert.equal(t.tls.runtimeMin, "1.2");
    assert.equal(t.tls.minRule.rule, "default.tls_min_version");
  });

  it("S-A5: the stricter minimum wins, whichever side sets it", () => {
    assert.equal(one({ tlsMin: "1.3" }, { tlsMin: "1.2" }).tls.storedMin, "1.3");
    assert.equal(one({ tlsMin: "1.2" }, { tlsMin: "1.3" }).tls.storedMin, "1.3");
    assert.equal(one({ tlsMin: "1.3" }).tls.minRule.rule, "project.tls_min_version");
    assert.equal(
      one({ tlsMin: "1.2" }, { tlsMin: "1.3" }).tls.minRule.rule,
      "tunnel:web.tls_min_version",
    );
  });

  it("S-A6: PQ `required` raises the runtime minimum to 1.3 and leaves the stored one", () => {
    const t = one({}, { postQuantum: { mode: "required", fips: false } });
    assert.equal(t.tls.storedMin, "1.2");
    assert.equal(t.tls.runtimeMin, "1.3");
    assert.equal(t.tls.postQuantum.mode, "required");
  });

  it("S-A6: the stricter PQ mode wins and FIPS is on if either side sets it", () => {
    const t = one(
      { postQuantum: { mode: "preferred", fips: true } },
      { postQuantum: { mode: "required", fips: false } },
    );
    assert.deepEqual(t.tls.postQuantum, { mode: "required", fips: true });
    assert.equal(t.tls.postQuantumRule.rule, "tunnel:web.post_quantum");
  });

  it("S-A7: ECH `required` raises the runtime minimum only; `preferred` does not", () => {
    const t = one({ ech: "required" });
    assert.equal(t.tls.storedMin, "1.2");
    assert.equal(t.tls.runtimeMin, "1.3");
    assert.equal(one({ ech: "preferred" }).tls.runtimeMin, "1.2");
  });

  it("S-A6/S-A7: passthrough and tcp are exempt from TLS settings", () => {
    for (const protocol of ["tls-passthrough", "tcp"] as const) {
      const t = one(
        { tlsMin: "1.3", ech: "required", postQuantum: { mode: "required", fips: true } },
        { protocol },
      );
      assert.equal(t.tls.terminated, false);
      assert.equal(t.tls.runtimeMin, "1.2");
      assert.equal(t.tls.ech, "off");
    }
  });

  it("S-A6/S-A7: DTLS cannot satisfy `required` (RP4105), from either side", () => {
    assert.deepEqual(
      errors({ ech: "required" }, { protocol: "dtls" }).map((d) => d.code),
      ["RP4105"],
    );
    assert.deepEqual(
      errors({}, { protocol: "dtls", postQuantum: { mode: "required", fips: false } }).map(
        (d) => d.code,
      ),
      ["RP4105"],
    );
    assert.equal(one({ ech: "preferred" }, { protocol: "dtls" }).tls.runtimeMin, "1.2");
  });
});

describe("public access and auth defaults (S-A2)", () => {
  it("S-A2: `forbidden` rejects a public tunnel (RP4103) and admits a private one", () => {
    assert.deepEqual(
      errors({ publicAccess: "forbidden" }).map((d) => d.code),
      ["RP4103"],
    );
    assert.equal(one({ publicAccess: "forbidden" }, { publish: false }).publish, false);
  });

  it("S-A2: `forbidden` exists only on pro and enterprise", () => {
    assert.ok(
      errors({ plan: "basic", publicAccess: "forbidden" }, { publish: false }).some(
        (d) => d.code === "RP4106",
      ),
    );
  });

  it("S-A2: `auth-required` fills token auth on basic when the tunnel is silent", () => {
    const t = one({ plan: "basic", publicAccess: "auth-required" });
    assert.equal(t.auth.token, true);
    assert.equal(t.auth.rstreamAuth, false);
    assert.equal(t.auth.tokenRule.rule, "default.token_auth");
  });

  it("S-A2: `auth-required` fills token + rstream Auth on pro and enterprise", () => {
    for (const plan of ["pro", "enterprise"] as const) {
      const t = one({ plan, publicAccess: "auth-required" });
      assert.equal(t.auth.token, true);
      assert.equal(t.auth.rstreamAuth, true);
      assert.equal(t.auth.rstreamAuthRule.rule, "default.rstream_auth");
    }
  });

  it("S-A2: defaults fill only a silent tunnel; a named mode is kept as written", () => {
    const t = one({ publicAccess: "auth-required" }, { tokenAuth: true });
    assert.equal(t.auth.rstreamAuth, false);
    assert.equal(t.auth.tokenRule.rule, "tunnel:web.token_auth");
  });

  it("S-A2: `auth-required` rejects explicit no auth (RP4104) naming both sides", () => {
    const [d] = errors(
      { publicAccess: "auth-required", spans: { public_access: span(1, 5) } },
      { tokenAuth: false, rstreamAuth: false, spans: { token_auth: span(30, 40) } },
    );
    assert.equal(d?.code, "RP4104");
    assert.deepEqual(d?.span, span(30, 40));
    assert.deepEqual(d?.labels?.[0]?.span, span(1, 5));
  });

  it("S-A2: under `allowed` a silent tunnel gets no edge auth", () => {
    const t = one({});
    assert.equal(t.auth.token, false);
    assert.equal(t.auth.rstreamAuth, false);
  });

  it("S-A2: only public HTTP-family tunnels get edge auth defaults", () => {
    const priv = one({ publicAccess: "auth-required" }, { publish: false });
    assert.equal(priv.auth.token, false);
    const tls = one({ publicAccess: "auth-required" }, { protocol: "tls", mtls: { ca: "ca.pem" } });
    assert.equal(tls.auth.token, false);
    assert.deepEqual(tls.auth.mtls, { ca: "ca.pem" });
  });

  it("S-A2: a public tunnel that cannot authenticate (tcp) is rejected under `auth-required`", () => {
    assert.deepEqual(
      errors({ publicAccess: "auth-required" }, { protocol: "tcp" }).map((d) => d.code),
      ["RP4104"],
    );
  });
});

describe("challenge mode and hosts (S-C1)", () => {
  it("S-C1: challenge mode applies to HTTP tunnels only", () => {
    assert.equal(one({}, { challenge: true }).challenge, true);
    assert.equal(one({}, { challenge: true, protocol: "tls" }).challenge, false);
    assert.equal(one({}).challenge, false);
  });

  it("two published tunnels may not claim the same host (RP4107)", () => {
    const out = computeEffective(
      policyIr({
        tunnels: [
          tunnelIr({ id: "a", hosts: ["x.example.com"] }),
          tunnelIr({ id: "b", hosts: ["x.example.com"] }),
        ],
      }),
    );
    assert.deepEqual(
      out.diagnostics.map((d) => d.code),
      ["RP4107"],
    );
  });
});

describe("credentials (S-H6)", () => {
  it("S-H6: a credential naming an undefined grant is RP4204", () => {
    const out = computeEffective(
      policyIr({ credentials: [credentialIr({ name: "svc", grant: "nope" })] }),
    );
    assert.deepEqual(
      out.diagnostics.map((d) => d.code),
      ["RP4204"],
    );
    assert.equal(out.value, undefined);
  });
});

describe("host ownership (S-D5, issue #19)", () => {
  it("reports a host of two published tunnels in an IR that lowering did not check", () => {
    // Built by hand: no lowering run has recorded its hosts as unique, so bounds checks them.
    const out = computeEffective(
      policyIr({
        tunnels: [
          tunnelIr({ id: "a", hosts: ["api.example.test"] }),
          tunnelIr({ id: "b", hosts: ["api.example.test"] }),
        ],
      }),
    );
    assert.equal(out.value, undefined);
    assert.deepEqual(
      out.diagnostics.filter((d) => d.severity === "error").map((d) => d.code),
      ["RP4107"],
    );
  });
});
