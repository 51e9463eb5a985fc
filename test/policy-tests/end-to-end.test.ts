import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";
import { renderTestReport } from "../../src/explain/render-tests.ts";
import { lowerToIr } from "../../src/ir/lower.ts";
import { runPolicyTests } from "../../src/policy-tests/run.ts";
import { parsePolicySource } from "../../src/syntax/parse.ts";

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
