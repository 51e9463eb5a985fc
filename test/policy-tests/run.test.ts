import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";
import { explainRequest } from "../../src/explain/explain.ts";
import { renderExplanation } from "../../src/explain/render-trace.ts";
import { renderTestReport } from "../../src/explain/render-tests.ts";
import { interpretRequest } from "../../src/interpret/request.ts";
import { requestFactsOf, splitUrl } from "../../src/policy-tests/facts.ts";
import { interpreterEngine, runPolicyTests } from "../../src/policy-tests/run.ts";
import type { PolicyTestIr } from "../../src/ir/types.ts";
import {
  actionIr,
  grantIr,
  grantLeaf,
  ipSet,
  policyIr,
  policyTestIr,
  projectIr,
  tunnelIr,
} from "../../src/testkit/builders.ts";

const text = [
  "project demo {",
  "  trusted_ips 10.0.0.0/8",
  "}",
  "tunnel web {",
  "  token_auth on",
  "}",
  "test t {}",
].join("\n");
const source: SourceFile = { name: "demo.rampart", text };
const at = (needle: string) => {
  const start = text.indexOf(needle);
  return { file: source.name, start, end: start + needle.length };
};

function policyWith(tests: PolicyTestIr[]): EffectivePolicy {
  const api = grantIr({
    name: "api",
    resources: grantLeaf({ connect: actionIr({ path: { kind: "prefix", values: ["/api"] } }) }),
  });
  const out = computeEffective(
    policyIr({
      project: projectIr({
        trustedIps: ipSet("10.0.0.0/8"),
        spans: { trusted_ips: at("10.0.0.0/8") },
      }),
      tunnels: [
        tunnelIr({
          tokenAuth: true,
          spans: { token_auth: at("token_auth on") },
          postQuantum: { mode: "required", fips: false },
        }),
      ],
      grants: [api],
      tests,
    }),
  );
  assert.ok(out.value);
  return out.value;
}

describe("policy test facts", () => {
  it("keeps the raw path of the URL (no dot-segment resolution) and lower-cases the host", () => {
    assert.deepEqual(splitUrl("https://User@WEB.example.com:8443/api/../admin?x=1"), {
      scheme: "https",
      host: "web.example.com",
      port: 8443,
      path: "/api/../admin",
    });
    assert.deepEqual(splitUrl("http://[::1]:80"), {
      scheme: "http",
      host: "[::1]",
      port: null,
      path: "/",
    });
    assert.equal(splitUrl("/relative"), null);
  });

  it("reads browser, upgrade and origin facts from headers, case-insensitively", () => {
    const policy = policyWith([]);
    const facts = requestFactsOf(
      policy,
      policyTestIr("h", {
        headers: {
          Accept: "text/html,*/*",
          Connection: "keep-alive, Upgrade",
          Origin: "https://x",
          "Content-Type": "application/json",
        },
      }).request,
    );
    assert.equal(facts?.acceptsHtml, true);
    assert.equal(facts?.upgrade, true);
    assert.equal(facts?.origin, "https://x");
    assert.equal(facts?.contentType, "application/json");
    assert.equal(facts?.methodOverride, false);
  });

  it("S-R12: a method-override header, any spelling and case, sets the methodOverride fact", () => {
    const policy = policyWith([]);
    for (const name of ["X-HTTP-Method-Override", "x-http-method", "X-Method-Override"]) {
      const facts = requestFactsOf(
        policy,
        policyTestIr("o", { method: "POST", headers: { [name]: "GET" } }).request,
      );
      assert.equal(facts?.methodOverride, true, name);
    }
  });

  it("a grant token carries the effective grant; an invalid token carries its status", () => {
    const policy = policyWith([]);
    const valid = requestFactsOf(
      policy,
      policyTestIr("v", { token: { kind: "grant", grant: "api", in: "query" } }).request,
    );
    assert.equal(valid?.token?.grant?.name, "api");
    assert.equal(valid?.token?.source, "query");
    const invalid = requestFactsOf(
      policy,
      policyTestIr("i", { token: { kind: "invalid", invalid: "expired", in: "header" } }).request,
    );
    assert.equal(invalid?.token?.status, "expired");
  });
});

describe("runPolicyTests", () => {
  const tests = [
    policyTestIr("api allowed", {
      clientIp: "10.1.1.1",
      url: "https://web.example.com/api/x",
      token: { kind: "grant", grant: "api", in: "header" },
    }),
    policyTestIr(
      "outsider denied",
      { clientIp: "192.0.2.1" },
      { outcome: "deny", status: 403, reason: "policy_denied", policy: "ip" },
    ),
    policyTestIr(
      "traversal refused",
      {
        clientIp: "10.1.1.1",
        url: "https://web.example.com/api/../admin",
        token: { kind: "grant", grant: "api", in: "header" },
      },
      { outcome: "deny", status: 403, reason: "insufficient_scope" },
    ),
    policyTestIr(
      "classical group refused",
      {
        clientIp: "10.1.1.1",
        tls: { version: "1.3", group: "x25519", ech: false, clientCert: null },
      },
      { outcome: "deny", policy: "tls" },
    ),
    policyTestIr("wrong on purpose", { clientIp: "10.1.1.1" }, { outcome: "forward" }),
  ];

  it("passes correct expectations and fails a wrong one with the differing fields and a trace", () => {
    const results = runPolicyTests(policyWith(tests));
    assert.deepEqual(
      results.map((r) => r.pass),
      [true, true, true, true, false],
    );
    const wrong = results[4];
    assert.deepEqual(wrong?.mismatches, ["outcome"]);
    assert.equal(wrong?.actual.reason, "missing_token");
    assert.ok(wrong?.trace && wrong.trace.length > 0);
    assert.equal(results[0]?.trace, null);
  });

  it("accepts another engine (the compiler's) and compares its decisions", () => {
    const policy = policyWith(tests);
    const engine = interpreterEngine(policy);
    const alwaysForward = {
      ...engine,
      request: () => engine.request(requestFactsOf(policy, tests[0]!.request)!),
    };
    const results = runPolicyTests(policy, alwaysForward);
    assert.deepEqual(
      results.map((r) => r.pass),
      [true, false, false, true, true],
    );
  });

  it("renders a readable report with the expectation, the decision and the trace with code frames", () => {
    const report = renderTestReport(
      runPolicyTests(policyWith(tests)),
      new Map([[source.name, source]]),
    );
    assert.match(report, /^pass {2}api allowed$/m);
    assert.match(report, /^FAIL {2}wrong on purpose$/m);
    assert.match(report, /expected: forward/);
    assert.match(report, /actual: {3}deny 401 missing_token at token by tunnel:web\.token_auth/);
    assert.match(report, /--> demo\.rampart:5:3/);
    assert.match(report, /5 \| {3}token_auth on/);
    assert.match(report, /4 passed, 1 failed/);
  });
});

describe("renderExplanation", () => {
  it("shows the decision, its message, and a frame for each rule consulted", () => {
    const policy = policyWith([]);
    const facts = requestFactsOf(policy, policyTestIr("x", { clientIp: "192.0.2.1" }).request);
    assert.ok(facts);
    const { decision, trace } = interpretRequest(policy, facts);
    const out = renderExplanation(decision, trace, new Map([[source.name, source]]));
    assert.match(out, /^decision: deny 403 policy_denied \(ip\) at edge by project\.trusted_ips$/m);
    assert.match(out, /2 \| {3}trusted_ips 10\.0\.0\.0\/8\n.*\| {15}\^{10}/);
    assert.match(out, /→ edge/);
  });
});

describe("explainRequest", () => {
  it("explains a refused handshake before the request", () => {
    const policy = policyWith([]);
    const facts = requestFactsOf(policy, policyTestIr("x", { clientIp: "10.1.1.1" }).request);
    assert.ok(facts);
    const handshake = {
      sni: "web.example.com",
      version: "1.3",
      group: "x25519",
      ech: false,
      clientCertVerified: false,
      clientCredential: null,
    } as const;
    const out = explainRequest(policy, facts, handshake, new Map([[source.name, source]]));
    assert.deepEqual(
      [out.decision.status, out.decision.policy, out.decision.rule],
      [403, "tls", "tunnel:web.post_quantum"],
    );
    assert.match(out.text, /requires a post-quantum hybrid key exchange group/);
    const pq = explainRequest(policy, facts, { ...handshake, group: "X25519MLKEM768" }, new Map());
    assert.equal(pq.decision.reason, "missing_token");
    assert.deepEqual(pq.trace.map((s) => s.stage).slice(0, 2), ["handshake", "handshake"]);
  });
});
