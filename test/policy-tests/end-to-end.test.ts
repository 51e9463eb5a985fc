import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";
import { renderTestReport } from "../../src/explain/render-tests.ts";
import { lowerToIr } from "../../src/ir/lower.ts";
import { runPolicyTests } from "../../src/policy-tests/run.ts";
import { parsePolicySource } from "../../src/syntax/parse.ts";
import { printDsl } from "../../src/syntax/print-dsl.ts";
import { printJson } from "../../src/syntax/print-json.ts";

const text = `project "demo" {
  workspace "ws"
  plan pro
  public_access auth-required
  trusted_ips [10.0.0.0/8, 2001:db8::/32]
}

tunnel "api" {
  protocol http
  hosts ["api.demo.test"]
  public
  upstream "http://10.0.0.10:8080"
  auth token
  geo_ip [DE, FR]
}

tunnel "app" {
  protocol http
  hosts ["app.demo.test"]
  public
  upstream "http://10.0.0.20:8080"
}

grant "reader" {
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["demo"]
    connect where id = "api" {
      path prefix ["/api/"]
      methods [GET]
    }
  }
}

test "a reader token reaches /api/" {
  request GET "https://api.demo.test/api/items" from ::ffff:10.1.2.3 country DE {
    token grant "reader"
  }
  expect forward
}

test "the path grant does not reach /apix" {
  request GET "https://api.demo.test/apix" from 10.1.2.3 country DE {
    token grant "reader"
  }
  expect deny 403 insufficient_scope
}

test "the path grant does not reach /api/../admin" {
  request GET "https://api.demo.test/api/../admin" from 10.1.2.3 country DE {
    token grant "reader"
  }
  expect deny 403 insufficient_scope
}

test "an unknown country never matches" {
  request GET "https://api.demo.test/api/items" from 10.1.2.3 {
    token grant "reader"
  }
  expect deny 403 policy_denied geo
}

test "the app gets the pro defaults: a browser is sent to login" {
  request GET "https://app.demo.test/" from 10.1.2.3 {
    header "accept" = "text/html"
  }
  expect login 302 login_required
}

test "a deliberately wrong expectation" {
  request GET "https://api.demo.test/api/items" from 192.0.2.1 country DE {
    token grant "reader"
  }
  expect forward
}
`;

describe("policy tests end to end: DSL → IR → bounds → tests", () => {
  it("runs a policy file's own tests; the wrong expectation fails with a readable trace", () => {
    const source: SourceFile = { name: "demo.rampart", text };
    const ast = parsePolicySource(source);
    assert.deepEqual(ast.diagnostics, []);
    assert.ok(ast.value);
    const ir = lowerToIr(ast.value);
    assert.deepEqual(
      ir.diagnostics.filter((d) => d.severity === "error"),
      [],
    );
    assert.ok(ir.value);
    const effective = computeEffective(ir.value);
    assert.deepEqual(effective.diagnostics, []);
    assert.ok(effective.value);
    const results = runPolicyTests(effective.value);
    assert.deepEqual(
      results.map((r) => [r.name, r.pass]),
      [
        ["a reader token reaches /api/", true],
        ["the path grant does not reach /apix", true],
        ["the path grant does not reach /api/../admin", true],
        ["an unknown country never matches", true],
        ["the app gets the pro defaults: a browser is sent to login", true],
        ["a deliberately wrong expectation", false],
      ],
    );
    const report = renderTestReport(results, new Map([[source.name, source]]));
    assert.match(report, /FAIL {2}a deliberately wrong expectation/);
    assert.match(
      report,
      /actual: {3}deny 403 policy_denied \(ip\) at edge by project\.trusted_ips/,
    );
    assert.match(report, /trusted_ips \[10\.0\.0\.0\/8, 2001:db8::\/32\]/);
    assert.match(report, /5 passed, 1 failed/);
  });
});

/** A project that names no members (S-T8): nobody answers, so only a boundary naming it counts. */
const ownership = `project "solo" {
  workspace "ws"
  plan pro
}

tunnel "api" {
  protocol http
  hosts ["api.solo.test"]
  public
  upstream "http://10.0.0.10:8080"
  auth token
}

grant "scope-only" {
  permissions [tunnels.streams.create-delete]
  resources scope {
    connect
  }
}

grant "named" {
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["solo"]
    connect
  }
}

test "a token naming no owner stands for a member's" {
  request GET "https://api.solo.test/" from 192.0.2.1 {
    token grant "scope-only"
  }
  expect forward
}

test "a named owner nobody vouches for needs a boundary naming the project" {
  request GET "https://api.solo.test/" from 192.0.2.1 {
    token grant "scope-only" owner user "ada@solo.test"
  }
  expect deny 403 insufficient_scope
}

test "the same owner with a boundary naming the project" {
  request GET "https://api.solo.test/" from 192.0.2.1 {
    token grant "named" in query owner client "ci"
  }
  expect forward
}
`;

describe("policy tests name a token's owner (S-T8)", () => {
  it("S-T8: an owner named in a test is judged by the project's members, in the DSL and in JSON", () => {
    const run = (source: SourceFile) => {
      const ast = parsePolicySource(source);
      assert.deepEqual(ast.diagnostics, []);
      assert.ok(ast.value);
      const ir = lowerToIr(ast.value);
      assert.ok(ir.value, JSON.stringify(ir.diagnostics));
      const effective = computeEffective(ir.value);
      assert.ok(effective.value, JSON.stringify(effective.diagnostics));
      return runPolicyTests(effective.value).map((r) => [r.name, r.pass, r.actual.rule]);
    };
    const dsl = run({ name: "solo.rampart", text: ownership });
    assert.deepEqual(dsl, [
      ["a token naming no owner stands for a member's", true, "tunnel:api.token_auth"],
      [
        "a named owner nobody vouches for needs a boundary naming the project",
        true,
        "project.members",
      ],
      ["the same owner with a boundary naming the project", true, "tunnel:api.token_auth"],
    ]);
    // The JSON form of the same file decides the same, and prints back to the same DSL.
    const parsed = parsePolicySource({ name: "solo.rampart", text: ownership }).value;
    assert.ok(parsed);
    const json = printJson(parsed.document);
    assert.match(json, /"owner": \{\s*"client": "ci"\s*\}/);
    assert.deepEqual(run({ name: "solo.json", text: json }), dsl);
    assert.match(printDsl(parsed.document), /token grant "named" in query owner client "ci"\n/);
  });
});
