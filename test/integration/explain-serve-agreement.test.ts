/**
 * What `lint` accepts, `serve` enforces and `explain` tells the truth about (issue #13 item 5):
 * - RP8001 stays quiet for a tunnel whose trusted IPs are loopback, and serve forwards them;
 * - explain denies plain HTTP to a TLS 1.3 tunnel, as serve's HTTP listener does;
 * - for random policies and raw requests, explain's decision is what serve does on the wire
 *   (1,000 samples: 20 policies × 50 requests, each policy served once), method-override
 *   headers included: a logout POST carrying one is 405 in explain as on the wire (S-R12).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import { explainRequest } from "../../src/explain/explain.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import type { GrantIr } from "../../src/ir/types.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { runLintRules } from "../../src/lint/run.ts";
import { CHALLENGE_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { canonicalTarget } from "../../src/runtime/http/request-target.ts";
import { JwtBackend } from "../../src/runtime/tokens/jwt-backend.ts";
import { loadPinnedKeys } from "../../src/runtime/tokens/keys.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { actionIr, grantIr, grantLeaf } from "../../src/testkit/builders.ts";
import {
  compiledPolicy,
  effectivePolicy,
  tunnel,
  withToken,
  withTrustedIps,
} from "../runtime/helpers/policy.ts";
import { head, rawRequest } from "../runtime/helpers/raw.ts";
import { COOKIE_KEY, startTestRuntime } from "../runtime/helpers/runtime.ts";

const SECRET = "agreement-secret-0123456789abcdef-0123456789";

function lintText(name: string, text: string): { lint: Diagnostic[]; errors: Diagnostic[] } {
  const checked = checkPolicySource({ name, text });
  const errors = checked.diagnostics.filter((d) => d.severity === "error");
  if (checked.effective === undefined || checked.ir === undefined) return { lint: [], errors };
  return { lint: runLintRules(checked.effective, checked.ir), errors };
}

/** The facts serve gathers for a request to `host` over plain HTTP from 127.0.0.1. */
function factsFor(
  host: string,
  method: string,
  path: string,
  accept: string | null,
  challenge: boolean,
  token: RequestFacts["token"],
  methodOverride = false,
): RequestFacts {
  return {
    host,
    port: null,
    method,
    path,
    clientIp: "127.0.0.1",
    country: null,
    secure: false,
    acceptsHtml: accept?.includes("text/html") ?? false,
    upgrade: false,
    origin: null,
    referer: null,
    contentType: null,
    methodOverride,
    token,
    challengeCookie: challenge ? "valid" : null,
    session: null,
    clientCredential: null,
    tlsVersion: null,
  };
}

describe("lint, explain and serve agree (issue #13)", () => {
  let upstream: Server;
  let upstreamUrl: string;
  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-length": 8, "x-upstream": "yes" });
      res.end("upstream");
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  after(async () => {
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it("RP8001 is quiet for loopback trusted IPs, and serve forwards a loopback client", async () => {
    const text = `project "shop" {
  workspace "ws-shop"
  plan pro
  public_access allowed
}

tunnel "api" {
  protocol http
  hosts ["api.shop.test"]
  public
  upstream "${upstreamUrl}"
  auth none
  trusted_ips [127.0.0.0/8]
}
`;
    const linted = lintText("p.rampart", text);
    assert.deepEqual(linted.errors, []);
    assert.deepEqual(
      linted.lint.filter((d) => d.code === "RP8001"),
      [],
    );
    const policy = effectivePolicy([
      withTrustedIps(tunnel({ id: "api", hosts: ["api.shop.test"], upstream: upstreamUrl }), [
        "127.0.0.0/8",
      ]),
    ]);
    const { runtime } = await startTestRuntime([compiledPolicy(policy)]);
    try {
      const reply = await rawRequest(
        { port: runtime.addresses.http?.port ?? 0 },
        head("GET / HTTP/1.1", [
          ["Host", "api.shop.test"],
          ["Connection", "close"],
        ]),
      );
      assert.equal(reply.status, 200);
      assert.equal(reply.headers["x-upstream"], "yes");
    } finally {
      await runtime.close();
    }
  });

  it("explain denies plain HTTP to a TLS 1.3 tunnel, as serve's HTTP listener does", async () => {
    const t = tunnel({ id: "strict", hosts: ["strict.test"], upstream: upstreamUrl });
    const policy = effectivePolicy([
      { ...t, tls: { ...t.tls, storedMin: "1.3", runtimeMin: "1.3" } },
    ]);
    const explained = explainRequest(
      policy,
      factsFor("strict.test", "GET", "/", null, false, null),
      null,
      new Map(),
    );
    assert.equal(explained.decision.outcome, "deny");
    assert.equal(explained.decision.policy, "tls");
    assert.doesNotMatch(explained.text, /\bforward/i);
    const { runtime } = await startTestRuntime([compiledPolicy(policy)]);
    try {
      const reply = await rawRequest(
        { port: runtime.addresses.http?.port ?? 0 },
        head("GET / HTTP/1.1", [
          ["Host", "strict.test"],
          ["Connection", "close"],
        ]),
      );
      assert.equal(reply.status, explained.decision.status);
      assert.equal(reply.body, '{"error":{"reason":"policy_denied","policy":"tls"}}');
    } finally {
      await runtime.close();
    }
  });

  it("for random policies and requests, explain's decision is what serve does (1,000 samples)", async () => {
    const grant = (prefix: string): GrantIr =>
      grantIr({
        name: `g${prefix}`,
        resources: grantLeaf({
          projects: ["acme"],
          connect: actionIr({ path: { kind: "prefix", values: [prefix] }, methods: ["GET"] }),
        }),
      });
    const tokens = {
      api:
        (
          await mintToken({
            secret: SECRET,
            grant: grant("/api"),
            subject: "a",
            lifetimeSeconds: 600,
          })
        ).value ?? "",
      admin:
        (
          await mintToken({
            secret: SECRET,
            grant: grant("/admin"),
            subject: "b",
            lifetimeSeconds: 600,
          })
        ).value ?? "",
    };
    const options = { secret: SECRET, publicKeys: [], clockSkewSeconds: 300, cacheSize: 10 };
    const backend = new JwtBackend(loadPinnedKeys(options, []), options);
    const arbTunnel = (id: string): fc.Arbitrary<EffectiveTunnel> =>
      fc
        .record({
          ips: fc.constantFrom(null, ["127.0.0.0/8"], ["10.0.0.0/8"], ["::1/128", "127.0.0.1/32"]),
          token: fc.boolean(),
          challenge: fc.boolean(),
          tls13: fc.boolean(),
        })
        .map(({ ips, token, challenge, tls13 }) => {
          let t = tunnel({ id, hosts: [`${id}.test`], upstream: upstreamUrl });
          if (ips !== null) t = withTrustedIps(t, [...ips]);
          if (token) t = withToken(t);
          if (tls13) t = { ...t, tls: { ...t.tls, storedMin: "1.3", runtimeMin: "1.3" } };
          return { ...t, challenge };
        });
    const arbPolicy: fc.Arbitrary<EffectivePolicy> = fc
      .tuple(arbTunnel("t0"), arbTunnel("t1"), arbTunnel("t2"))
      .map((ts) => effectivePolicy(ts));
    const arbRequest = fc.record({
      host: fc.constantFrom("t0.test", "t1.test", "t2.test", "none.test"),
      method: fc.constantFrom("GET", "GET", "HEAD", "POST"),
      target: fc.oneof(
        {
          weight: 4,
          arbitrary: fc
            .array(
              fc.constantFrom(
                "api",
                "admin",
                "x",
                ".",
                "..",
                "%61pi",
                "",
                ".well-known",
                "rstream",
                "session",
                "logout",
              ),
              { maxLength: 4 },
            )
            .chain((segs) =>
              fc.constantFrom("", "?q=1", "?rstream.token=zz").map((q) => `/${segs.join("/")}${q}`),
            ),
        },
        // The engine endpoints themselves, raw and behind a dot segment (S-R12, S-R13).
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "/.well-known/rstream/logout",
            "/x/../.well-known/rstream/logout",
            "/.well-known/rstream/session",
          ),
        },
      ),
      accept: fc.constantFrom(null, "text/html", "application/json"),
      challenge: fc.boolean(),
      token: fc.constantFrom<keyof typeof tokens | null>(null, "api", "admin"),
      override: fc.constantFrom(null, null, "X-HTTP-Method-Override", "X-Method-Override"),
    });
    const policies = fc.sample(arbPolicy, { numRuns: 20, seed: 1313 });
    let compared = 0;
    let overriddenLogouts = 0;
    for (const [p, policy] of policies.entries()) {
      const { runtime } = await startTestRuntime([compiledPolicy(policy)], {
        tokens: { secret: SECRET },
      });
      const port = runtime.addresses.http?.port ?? 0;
      try {
        for (const r of fc.sample(arbRequest, { numRuns: 50, seed: 100 + p })) {
          const fields: [string, string][] = [["Host", r.host]];
          if (r.accept !== null) fields.push(["Accept", r.accept]);
          const exp = Math.floor(Date.now() / 1000) + 600;
          if (r.challenge)
            fields.push([
              "Cookie",
              `${CHALLENGE_COOKIE}=${signCookie({ kind: "challenge", host: r.host, exp }, COOKIE_KEY)}`,
            ]);
          if (r.token !== null) fields.push(["Authorization", `Bearer ${tokens[r.token]}`]);
          if (r.method === "POST") fields.push(["Content-Length", "0"]);
          if (r.override !== null) fields.push([r.override, "GET"]);
          fields.push(["Connection", "close"]);
          const reply = await rawRequest(
            { port },
            head(`${r.method} ${r.target} HTTP/1.1`, fields),
          );
          const target = canonicalTarget(r.target, r.method);
          if ("status" in target) {
            assert.equal(reply.status, target.status, `${r.method} ${r.target}`);
            compared++;
            continue;
          }
          const token = r.token === null ? null : await backend.verify(tokens[r.token], "header");
          const facts = factsFor(
            r.host,
            r.method,
            target.path,
            r.accept,
            r.challenge,
            token,
            r.override !== null,
          );
          const { decision } = explainRequest(policy, facts, null, new Map());
          const wire = reply.status;
          if (r.override !== null && decision.status === 405 && r.method === "POST")
            overriddenLogouts++;
          const label = `${r.method} ${r.host}${r.target} → ${decision.outcome} ${decision.status} (${decision.reason}), wire ${wire}`;
          if (decision.outcome === "forward")
            assert.equal(reply.headers["x-upstream"], "yes", label);
          else if (decision.outcome === "challenge" || decision.outcome === "login")
            assert.equal(wire, 302, label);
          else {
            assert.equal(wire, decision.status, label);
            assert.equal(reply.headers["x-upstream"], undefined, label);
          }
          compared++;
        }
      } finally {
        await runtime.close();
      }
    }
    assert.equal(compared, 1_000);
    // The sample must reach the case S-R12 moved into the decision.
    assert.ok(overriddenLogouts > 0, "some samples are logout POSTs with a method override");
  });
});
