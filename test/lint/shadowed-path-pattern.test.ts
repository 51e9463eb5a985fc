// RP8070: a path prefix or glob covered by another entry of the same grant list is reported
// once, naming the entry that covers it; lists without such an entry are left alone.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { runLintRules } from "../../src/lint/run.ts";

function findings(path: string): string[] {
  const text = `project "shop" {
  workspace "ws-shop"
  plan pro
  public_access allowed
}
tunnel "api" {
  protocol http
  hosts ["api.shop.test"]
  public
  upstream "http://10.10.0.10:8080"
  auth token
}
grant "ci" {
  type app
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["shop"]
    connect where id = "api" {
      ${path}
    }
  }
}
`;
  const checked = checkPolicySource({ name: "p.rampart", text });
  assert.ok(checked.effective !== undefined && checked.ir !== undefined);
  return runLintRules(checked.effective, checked.ir)
    .filter((d) => d.code === "RP8070")
    .map((d) => d.message);
}

describe("RP8070 shadowed path patterns (S-T5)", () => {
  it("reports every prefix that `/` makes redundant", () => {
    const found = findings(`path prefix ["/", "/api/", "/status"]`);
    assert.equal(found.length, 2);
    assert.ok(found.every((m) => m.includes("`/` in the same list")));
  });

  it("reports a glob inside a wider glob", () => {
    const found = findings(`path glob ["/v1/deploy/*", "/v1/**"]`);
    assert.deepEqual(found.length, 1);
    assert.match(found[0] ?? "", /glob `\/v1\/deploy\/\*`.*`\/v1\/\*\*`/);
  });

  it("stays quiet on lists whose entries each add paths", () => {
    assert.deepEqual(findings(`path prefix ["/api/", "/status"]`), []);
    assert.deepEqual(findings(`path glob ["/v1/*/status", "/v2/**"]`), []);
  });
});
