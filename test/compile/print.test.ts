import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { printCompiled } from "../../src/compile/print.ts";
import { computeEffective } from "../../src/bounds/intersect.ts";
import { countrySet, ipSet, policyIr, projectIr, tunnelIr } from "../../src/testkit/index.ts";

describe("printCompiled", () => {
  it("shows merged range tables, country tables and the auth chain of each tunnel", () => {
    const effective = computeEffective(
      policyIr({
        project: projectIr({
          plan: "enterprise",
          trustedIps: ipSet("10.0.0.0/25", "10.0.0.128/25", "2001:db8::/32"),
          countries: countrySet("DE", "FR"),
        }),
        tunnels: [tunnelIr({ id: "web", tokenAuth: true })],
      }),
    );
    assert.ok(effective.value !== undefined);
    const text = printCompiled(effective.value);
    assert.match(text, /3 entries merged into 2 ranges/);
    assert.match(text, /^ {4}10\.0\.0\.0 – 10\.0\.0\.255$/m);
    assert.match(text, /^ {4}2001:db8:0:0:0:0:0:0 – 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff$/m);
    assert.match(text, /country in project\.geo_ip: DE FR/);
    assert.match(text, /auth: token \(tunnel:web\.token_auth\)/);
    assert.equal(printCompiled(effective.value), text);
  });
});
