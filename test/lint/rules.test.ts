// Issue #8 semantic lint rules: each rule's invalid fixture produces its code with a span,
// and the rules stay quiet on policies that do not have the problem.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { LINT_RULES, runLintRules } from "../../src/lint/run.ts";
import { codes } from "../../src/diagnostics/codes.ts";
import { hostsAreUnique } from "../../src/ir/unique-hosts.ts";

const dir = join(import.meta.dirname, "..", "..", "fixtures", "warnings");

function lintText(name: string, text: string): { lint: Diagnostic[]; errors: Diagnostic[] } {
  const checked = checkPolicySource({ name, text });
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (checked.effective === undefined || checked.ir === undefined) return { lint: [], errors };
  return { lint: runLintRules(checked.effective, checked.ir), errors };
}

function underlined(text: string, d: Diagnostic): string {
  return d.span === undefined ? "" : text.slice(d.span.start, d.span.end);
}

const SHOP = `project "shop" {
  workspace "ws-shop"
  plan pro
  public_access allowed
  members { users ["u1"] }
  trusted_ips [10.0.0.0/8]
  geo_ip [DE, FR]
}
tunnel "api" {
  protocol http
  hosts ["api.shop.test"]
  public
  upstream "http://10.10.0.10:8080"
  auth token
  trusted_ips [10.1.0.0/16]
  geo_ip [DE]
}
grant "ci" {
  type app
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["shop"]
    connect where id = "api" and trusted_ips = ["10.1.0.0/16"] {
      path glob ["/api/**"]
    }
  }
}
`;

describe("semantic lint rules (issue #8)", () => {
  it("every rule has a registered RP8xxx code", () => {
    for (const rule of LINT_RULES) assert.ok(codes[rule.code] !== undefined, rule.code);
  });

  for (const rule of LINT_RULES) {
    it(`${rule.code} has a warning fixture that produces it with a span`, () => {
      const file = readdirSync(dir).find(
        (f) => f.startsWith(`${rule.code}-`) && f.endsWith(".rampart"),
      );
      assert.ok(file !== undefined, `fixtures/warnings/${rule.code}-*.rampart is missing`);
      const text = readFileSync(join(dir, file), "utf8");
      const { lint, errors } = lintText(file, text);
      assert.deepEqual(errors, [], "the fixture must pass the static pipeline");
      const found = lint.find((d) => d.code === rule.code);
      assert.ok(
        found !== undefined,
        `expected ${rule.code}, got ${lint.map((d) => d.code).join(", ") || "nothing"}`,
      );
      assert.ok(found.span !== undefined && underlined(text, found).length > 0);
      assert.ok(found.help !== undefined && found.help.length > 0);
      assert.doesNotMatch(found.message, /\.$/);
    });
  }

  it("a clean policy gets no semantic warnings", () => {
    assert.deepEqual(lintText("shop.rampart", SHOP).lint, []);
  });

  it("RP8040 (S-T8) warns once, on the project, only when a tunnel takes tokens and no members are named", () => {
    const open = SHOP.replace('  members { users ["u1"] }\n', "");
    const found = lintText("p.rampart", open).lint.filter((x) => x.code === "RP8040");
    assert.equal(found.length, 1);
    assert.match(
      found[0]?.message ?? "",
      /project `shop` names no members, yet `api` takes tokens/,
    );
    const noTokens = open.replaceAll("auth token", "auth none");
    assert.deepEqual(
      lintText("p.rampart", noTokens).lint.filter((x) => x.code === "RP8040"),
      [],
    );
  });

  it("RP8003 (S-A3) says what the project bound leaves and points at the project rule", () => {
    const text = SHOP.replace(
      "trusted_ips [10.1.0.0/16]",
      "trusted_ips [10.1.0.0/16, 192.0.2.0/24]",
    );
    const d = lintText("p.rampart", text).lint.find((x) => x.code === "RP8003");
    assert.ok(d !== undefined);
    assert.equal(
      d.message,
      "trusted IP `192.0.2.0/24` of tunnel `api` is removed entirely by the project bound",
    );
    assert.ok(text.slice(d.span?.start).startsWith("192.0.2.0/24"), "the span points at the entry");
    assert.match(d.labels?.[0]?.message ?? "", /project\.trusted_ips/);
  });

  it("RP8003 (S-A4) reports a tunnel country outside the project's", () => {
    const text = SHOP.replace("geo_ip [DE]\n}", "geo_ip [DE, US]\n}");
    const d = lintText("p.rampart", text).lint.find((x) => x.code === "RP8003");
    assert.equal(d?.message, "country `US` of tunnel `api` is removed by the project bound");
  });

  it("RP8004: branches of an `all` node whose paths never meet", () => {
    const text = SHOP.replace(
      /resources scope \{[\s\S]*?\n {2}\}\n\}/,
      `resources all {
    scope { projects ["shop"] connect { path prefix ["/api"] } }
    scope { projects ["shop"] connect { path prefix ["/admin"] } }
  }
}`,
    );
    const d = lintText("p.rampart", text).lint.find((x) => x.code === "RP8004");
    assert.match(d?.message ?? "", /never overlap/);
  });

  it("RP8001 stays quiet when a tunnel forwards someone", () => {
    const text = SHOP.replace(
      "trusted_ips [10.1.0.0/16]",
      "trusted_ips [10.1.0.0/16, 127.0.0.0/8]",
    );
    assert.equal(lintText("p.rampart", text).lint.filter((d) => d.code === "RP8001").length, 0);
  });
});

/** Tunnels of every kind reachability tells apart: wildcards, private, non-HTTP, refusing. */
const MIXED = `project "shop" {
  workspace "ws-shop"
  plan pro
  public_access allowed
}
tunnel "wild" {
  protocol http
  hosts ["*.apps.shop.test", "apps.shop.test"]
  public
  upstream "http://10.10.0.10:8080"
  auth none
}
tunnel "only-wild" {
  protocol http
  hosts ["*.w.shop.test"]
  public
  upstream "http://10.10.0.11:8080"
  auth none
}
tunnel "inside" {
  protocol http
  private
  upstream "http://10.10.0.12:8080"
}
tunnel "pass" {
  protocol tls-passthrough
  hosts ["pass.shop.test"]
  public
  upstream "tcp://10.10.0.13:8443"
}
tunnel "closed" {
  protocol http
  hosts ["closed.shop.test", "closed2.shop.test"]
  public
  upstream "http://10.10.0.14:8080"
  auth none
  trusted_ips [224.0.0.0/4]
}
`;

describe("lint of a policy whose hosts lowering checked (issue #19)", () => {
  it("finds what it finds when every host is routed through the index", () => {
    // The same effective policy with its tunnels in a new list, which nothing has marked:
    // reachability then routes each host through the router's index, as before the mark.
    let marked = 0;
    const policies = readdirSync(dir)
      .filter((f) => f.endsWith(".rampart"))
      .map((name) => ({ name, text: readFileSync(join(dir, name), "utf8") }));
    for (const { name, text } of [...policies, { name: "mixed.rampart", text: MIXED }]) {
      const checked = checkPolicySource({ name, text });
      if (checked.effective === undefined || checked.ir === undefined) continue;
      if (hostsAreUnique(checked.effective.tunnels)) marked++;
      const unmarked = { ...checked.effective, tunnels: [...checked.effective.tunnels] };
      assert.equal(hostsAreUnique(unmarked.tunnels), false);
      assert.deepEqual(
        runLintRules(checked.effective, checked.ir),
        runLintRules(unmarked, checked.ir),
        name,
      );
    }
    assert.ok(marked > policies.length / 2, `marked ${marked}`);
  });

  it("reports the refusing tunnels of a policy of every kind of tunnel", () => {
    const found = lintText("mixed.rampart", MIXED).lint.filter((d) => d.code === "RP8001");
    assert.deepEqual(
      found.map((d) => d.message),
      ["tunnel `closed` forwards no request from any client"],
    );
  });
});
