import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { interpret, interpretRequest } from "../../src/interpret/request.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import type { GrantIr, ProjectIr, TunnelIr } from "../../src/ir/types.ts";
import {
  actionIr,
  countrySet,
  credentialIr,
  grantIr,
  grantLeaf,
  invalidToken,
  ipSet,
  policyIr,
  projectIr,
  requestFacts,
  tunnelIr,
  validToken,
} from "../../src/testkit/builders.ts";
import { effectiveOf } from "./helpers.ts";

function decide(
  project: Partial<ProjectIr>,
  tunnel: Partial<TunnelIr>,
  facts: Partial<RequestFacts>,
  grants: GrantIr[] = [],
) {
  const policy = effectiveOf(
    policyIr({ project: projectIr(project), tunnels: [tunnelIr(tunnel)], grants }),
  );
  return interpret(policy, requestFacts(facts));
}

const connectApi = grantIr({
  name: "api",
  resources: grantLeaf({ connect: actionIr({ path: { kind: "prefix", values: ["/api/"] } }) }),
});
const tokenOnly = { tokenAuth: true } as const;
const sessionOnly = { rstreamAuth: true } as const;
const both = { tokenAuth: true, rstreamAuth: true } as const;

describe("routing (S-X1)", () => {
  it("an unknown host is 404 no_route", () => {
    const d = decide({}, {}, { host: "other.example.com" });
    assert.deepEqual([d.outcome, d.status, d.reason, d.stage], ["deny", 404, "no_route", "route"]);
  });

  it("S-X1: a private tunnel is never reachable through a public host", () => {
    assert.equal(decide({}, { publish: false }, {}).reason, "no_route");
  });

  it("a wildcard host covers exactly one more label; exact hosts win", () => {
    const policy = effectiveOf(
      policyIr({
        tunnels: [
          tunnelIr({ id: "wild", hosts: ["*.example.com"] }),
          tunnelIr({ id: "api", hosts: ["api.example.com"], tokenAuth: true }),
        ],
      }),
    );
    assert.equal(interpret(policy, requestFacts({ host: "x.example.com" })).rule, "tunnel:wild");
    assert.equal(
      interpret(policy, requestFacts({ host: "api.example.com" })).reason,
      "missing_token",
    );
    assert.equal(interpret(policy, requestFacts({ host: "a.b.example.com" })).reason, "no_route");
    assert.equal(interpret(policy, requestFacts({ host: "example.com" })).reason, "no_route");
  });
});

describe("edge access (S-O1, S-A3, S-A4)", () => {
  const ips = { trustedIps: ipSet("10.0.0.0/8") };

  it("S-A3: an address in the list passes; outside is 403 policy_denied ip naming the rule", () => {
    assert.equal(decide(ips, {}, { clientIp: "10.2.3.4" }).outcome, "forward");
    const d = decide(ips, {}, { clientIp: "192.0.2.1" });
    assert.deepEqual(
      [d.status, d.reason, d.policy, d.stage, d.rule],
      [403, "policy_denied", "ip", "edge", "project.trusted_ips"],
    );
  });

  it("S-A3 trap: ::ffff:10.0.0.1 is the IPv4 address 10.0.0.1 and matches 10.0.0.0/8", () => {
    assert.equal(decide(ips, {}, { clientIp: "::ffff:10.0.0.1" }).outcome, "forward");
    assert.equal(decide(ips, {}, { clientIp: "::ffff:11.0.0.1" }).policy, "ip");
  });

  it("S-A3: both project and tunnel lists must match; the refusing side is named", () => {
    const d = decide(ips, { trustedIps: ipSet("10.1.0.0/16") }, { clientIp: "10.2.0.1" });
    assert.equal(d.rule, "tunnel:web.trusted_ips");
  });

  it("S-A3: an unparseable client address matches no list", () => {
    assert.equal(decide(ips, {}, { clientIp: "not-an-ip" }).policy, "ip");
  });

  it("S-A4: a listed country passes; another is 403 geo", () => {
    assert.equal(decide({ countries: countrySet("DE") }, {}, { country: "DE" }).outcome, "forward");
    const d = decide({ countries: countrySet("DE") }, {}, { country: "FR" });
    assert.deepEqual([d.status, d.policy], [403, "geo"]);
  });

  it("S-A4 trap: an unknown country never matches an allow-list", () => {
    assert.equal(decide({ countries: countrySet("DE") }, {}, { country: null }).policy, "geo");
    assert.equal(decide({}, {}, { country: null }).outcome, "forward");
  });

  it("S-O1: edge access is decided before authentication and challenge", () => {
    const d = decide(ips, { ...tokenOnly, challenge: true }, { clientIp: "192.0.2.1" });
    assert.equal(d.stage, "edge");
  });

  it("S-A5: a request over TLS older than the runtime minimum is 403 tls", () => {
    const d = decide({ tlsMin: "1.3" }, {}, { tlsVersion: "1.2" });
    assert.deepEqual([d.status, d.policy, d.rule], [403, "tls", "project.tls_min_version"]);
    assert.equal(decide({}, { ech: "required" }, { tlsVersion: "1.2" }).rule, "tunnel:web.ech");
  });
});

describe("well-known endpoints (S-O2, S-W1, S-W2)", () => {
  const session = { userId: "u1", name: null, email: "a@example.com", image: null, groups: [] };

  it("S-O2/S-W1: the session endpoint is answered by the engine, never forwarded", () => {
    const d = decide({}, tokenOnly, { path: "/.well-known/rstream/session" });
    assert.deepEqual(
      [d.outcome, d.status, d.endpoint, d.identity],
      ["respond", 200, "session", null],
    );
  });

  it("S-W1: an authenticated session request carries the identity", () => {
    const d = decide({}, sessionOnly, { path: "/.well-known/rstream/session", session });
    assert.deepEqual(d.identity, { method: "rstream-auth", subject: "u1" });
  });

  it("S-W1: the session endpoint accepts GET and HEAD only", () => {
    assert.equal(
      decide({}, {}, { path: "/.well-known/rstream/session", method: "HEAD" }).status,
      200,
    );
    assert.equal(
      decide({}, {}, { path: "/.well-known/rstream/session", method: "POST" }).status,
      405,
    );
  });

  it("S-O1/S-O2: well-known endpoints are answered only after edge access passes", () => {
    const d = decide(
      { trustedIps: ipSet("10.0.0.0/8") },
      {},
      { path: "/.well-known/rstream/session", clientIp: "192.0.2.1" },
    );
    assert.equal(d.policy, "ip");
  });

  it("S-W1: answered before challenge and authentication", () => {
    const d = decide({}, { ...both, challenge: true }, { path: "/.well-known/rstream/session" });
    assert.equal(d.outcome, "respond");
  });

  it("S-W2: logout is POST only and returns 204, clearing the session it was authenticated by", () => {
    const d = decide({}, sessionOnly, {
      path: "/.well-known/rstream/logout",
      method: "POST",
      session,
    });
    assert.deepEqual([d.status, d.endpoint, d.identity?.method], [204, "logout", "rstream-auth"]);
    assert.equal(
      decide({}, sessionOnly, { path: "/.well-known/rstream/logout", method: "GET" }).status,
      405,
    );
  });

  it("S-W2: logout without a session is a no-op 204", () => {
    const d = decide({}, sessionOnly, { path: "/.well-known/rstream/logout", method: "POST" });
    assert.deepEqual([d.status, d.identity], [204, null]);
  });

  it("S-W2 trap: logout with a foreign Origin is refused", () => {
    const d = decide({}, sessionOnly, {
      path: "/.well-known/rstream/logout",
      method: "POST",
      session,
      origin: "https://evil.example",
    });
    assert.deepEqual([d.outcome, d.status, d.reason], ["deny", 403, "not_allowed"]);
    const ok = decide({}, sessionOnly, {
      path: "/.well-known/rstream/logout",
      method: "POST",
      session,
      origin: "https://web.example.com",
    });
    assert.equal(ok.status, 204);
  });

  it("S-W2: a foreign Referer, a scheme mismatch or a port also count as foreign", () => {
    const base = { path: "/.well-known/rstream/logout", method: "POST" } as const;
    assert.equal(decide({}, {}, { ...base, referer: "https://evil.example/page" }).status, 403);
    assert.equal(decide({}, {}, { ...base, origin: "http://web.example.com" }).status, 403);
    assert.equal(decide({}, {}, { ...base, origin: "https://web.example.com:8443" }).status, 403);
    assert.equal(decide({}, {}, { ...base, origin: "null" }).status, 403);
    assert.equal(decide({}, {}, { ...base, referer: "https://web.example.com/app" }).status, 204);
  });

  it("S-W2: a tunnel served on a non-default port accepts its own origin, port included", () => {
    const base = { path: "/.well-known/rstream/logout", method: "POST", port: 8443 } as const;
    assert.equal(decide({}, {}, { ...base, origin: "https://web.example.com:8443" }).status, 204);
    assert.equal(decide({}, {}, { ...base, origin: "https://web.example.com" }).status, 403);
    assert.equal(decide({}, {}, { ...base, origin: "https://web.example.com:9443" }).status, 403);
  });

  it("S-W2: logout accepts an empty body or JSON only", () => {
    const base = { path: "/.well-known/rstream/logout", method: "POST" } as const;
    assert.equal(
      decide({}, {}, { ...base, contentType: "application/json; charset=utf-8" }).status,
      204,
    );
    assert.equal(
      decide({}, {}, { ...base, contentType: "application/x-www-form-urlencoded" }).status,
      415,
    );
  });

  it("S-O2: other paths under /.well-known/rstream/ are 404, never forwarded, also via dot segments", () => {
    assert.equal(decide({}, {}, { path: "/.well-known/rstream/other" }).status, 404);
    assert.equal(decide({}, {}, { path: "/x/../.well-known/rstream/session" }).endpoint, "session");
  });
});

describe("challenge mode (S-C1…S-C5)", () => {
  const ch = { challenge: true } as const;

  it("S-C2: a navigation without a valid cookie is 302 to the verification page", () => {
    const d = decide({}, ch, { acceptsHtml: true });
    assert.deepEqual(
      [d.outcome, d.status, d.reason, d.policy, d.stage],
      ["challenge", 302, "challenge_required", "challenge", "challenge"],
    );
    assert.equal(decide({}, ch, { challengeCookie: "invalid" }).status, 302);
  });

  it("S-C2: a valid challenge cookie passes", () => {
    assert.equal(decide({}, ch, { challengeCookie: "valid" }).outcome, "forward");
  });

  it("S-C4: non-GET and upgrade requests without a cookie are 403, never redirected", () => {
    const post = decide({}, ch, { method: "POST" });
    assert.deepEqual([post.status, post.reason, post.policy], [403, "policy_denied", "challenge"]);
    assert.equal(decide({}, ch, { upgrade: true }).status, 403);
  });

  it("S-C3: the challenge cookie grants nothing by itself", () => {
    const d = decide({}, { ...ch, ...tokenOnly }, { challengeCookie: "valid" });
    assert.equal(d.reason, "missing_token");
  });

  it("S-C5: a valid and authorized token bypasses the challenge; an unauthorized one does not", () => {
    const grants = [connectApi];
    assert.equal(
      decide(
        {},
        { ...ch, ...tokenOnly },
        { method: "POST", path: "/api/x", token: validToken(connectApi) },
        grants,
      ).outcome,
      "forward",
    );
    assert.equal(
      decide(
        {},
        { ...ch, ...tokenOnly },
        { method: "POST", path: "/admin", token: validToken(connectApi) },
        grants,
      ).stage,
      "challenge",
    );
    assert.equal(
      decide({}, { ...ch, ...tokenOnly }, { method: "POST", token: invalidToken("expired") }).stage,
      "challenge",
    );
  });

  it("S-C5: without a token, challenge + rstream Auth completes the challenge, then the session flow", () => {
    assert.equal(decide({}, { ...ch, ...sessionOnly }, { acceptsHtml: true }).outcome, "challenge");
    assert.equal(
      decide({}, { ...ch, ...sessionOnly }, { acceptsHtml: true, challengeCookie: "valid" })
        .outcome,
      "login",
    );
  });
});

describe("token auth (S-H1, S-H3, S-D1, S-D2)", () => {
  it("S-H1: token auth on and no token is 401 missing_token", () => {
    const d = decide({}, tokenOnly, {});
    assert.deepEqual(
      [d.status, d.reason, d.stage, d.rule],
      [401, "missing_token", "token", "tunnel:web.token_auth"],
    );
  });

  it("S-H3: invalid and expired tokens are 401 invalid_token / expired_token", () => {
    assert.equal(
      decide({}, tokenOnly, { token: invalidToken("bad_signature") }).reason,
      "invalid_token",
    );
    assert.equal(
      decide({}, tokenOnly, { token: invalidToken("malformed") }).reason,
      "invalid_token",
    );
    assert.equal(
      decide({}, tokenOnly, { token: invalidToken("not_yet_valid") }).reason,
      "invalid_token",
    );
    const d = decide({}, tokenOnly, { token: invalidToken("expired") });
    assert.deepEqual([d.status, d.reason], [401, "expired_token"]);
  });

  it("S-H3: a valid token allowed by its grant is forwarded with the token identity", () => {
    const d = decide({}, tokenOnly, { path: "/api/users", token: validToken(connectApi) }, [
      connectApi,
    ]);
    assert.deepEqual([d.outcome, d.status, d.identity?.method], ["forward", 0, "token"]);
  });

  it("S-H3: valid but not authorized is 403 insufficient_scope, citing the grant", () => {
    const d = decide({}, tokenOnly, { path: "/admin", token: validToken(connectApi) }, [
      connectApi,
    ]);
    assert.deepEqual([d.status, d.reason, d.rule], [403, "insufficient_scope", "grant:api"]);
  });

  it("S-T5 trap: a path grant /api/ does not reach /apix or /api/../admin", () => {
    for (const path of ["/apix", "/api/../admin", "/api/%2e%2e/admin", "/API/x"]) {
      assert.equal(
        decide({}, tokenOnly, { path, token: validToken(connectApi) }).reason,
        "insufficient_scope",
        path,
      );
    }
    assert.equal(
      decide({}, tokenOnly, { path: "/api", token: validToken(connectApi) }).outcome,
      "forward",
    );
  });

  it("an unnormalizable path denies path-scoped grants but not unrestricted ones", () => {
    assert.equal(
      decide({}, tokenOnly, { path: "/api/%2fadmin", token: validToken(connectApi) }).reason,
      "insufficient_scope",
    );
    const all = grantIr({ name: "all" });
    assert.equal(
      decide({}, tokenOnly, { path: "/api/%2fadmin", token: validToken(all) }).outcome,
      "forward",
    );
  });

  it("S-H1: a query token is used like a header token", () => {
    const d = decide({}, tokenOnly, {
      path: "/api/x",
      token: validToken(connectApi, { source: "query" }),
    });
    assert.equal(d.outcome, "forward");
  });

  it("S-T2: a grant whose permissions lack streams.create-delete cannot connect", () => {
    const listOnly = grantIr({ name: "ro", permissions: ["tunnels.resources.read-only"] });
    assert.equal(
      decide({}, tokenOnly, { token: validToken(listOnly) }).reason,
      "insufficient_scope",
    );
  });

  it("S-D1: a valid but unauthorized token does not fall back to the session", () => {
    const session = { userId: "u", name: null, email: null, image: null, groups: [] };
    const d = decide({}, both, { path: "/admin", token: validToken(connectApi), session });
    assert.equal(d.reason, "insufficient_scope");
  });

  it("a tunnel without token auth ignores a bearer token", () => {
    assert.equal(decide({}, {}, { token: invalidToken("malformed") }).outcome, "forward");
  });
});

describe("rstream Auth (S-H4, S-H5, S-D1)", () => {
  const session = {
    userId: "u1",
    name: "Ann",
    email: "ann@corp.example",
    image: null,
    groups: ["eng"],
  };

  it("S-H4: a session passes; no session on a browser navigation is 302 to login", () => {
    assert.equal(decide({}, sessionOnly, { session }).identity?.method, "rstream-auth");
    const d = decide({}, sessionOnly, { acceptsHtml: true });
    assert.deepEqual([d.outcome, d.status, d.reason], ["login", 302, "login_required"]);
  });

  it("S-H4: no session on an API request is 401", () => {
    const d = decide({}, sessionOnly, {});
    assert.deepEqual([d.status, d.reason], [401, "login_required"]);
    assert.equal(decide({}, sessionOnly, { acceptsHtml: true, method: "POST" }).status, 401);
  });

  it("S-H4: allowed users: emails, domains, groups; others are 403 user_mismatch", () => {
    const allow = (a: Partial<{ emails: string[]; domains: string[]; groups: string[] }>) => ({
      ...sessionOnly,
      sessionAllow: { emails: [], domains: [], groups: [], ...a },
    });
    assert.equal(
      decide({}, allow({ emails: ["ANN@corp.example"] }), { session }).outcome,
      "forward",
    );
    assert.equal(decide({}, allow({ domains: ["corp.example"] }), { session }).outcome, "forward");
    assert.equal(decide({}, allow({ groups: ["eng"] }), { session }).outcome, "forward");
    const d = decide({}, allow({ domains: ["other.example"] }), { session });
    assert.deepEqual([d.status, d.reason], [403, "user_mismatch"]);
  });

  it("S-H5: both on: token first; a valid authorized token proceeds", () => {
    assert.equal(
      decide({}, both, { path: "/api/x", token: validToken(connectApi), session }).identity?.method,
      "token",
    );
  });

  it("S-H5/S-D1: missing or invalid token falls back to the session cookie", () => {
    assert.equal(decide({}, both, { session }).identity?.method, "rstream-auth");
    assert.equal(
      decide({}, both, { token: invalidToken("expired"), session }).identity?.method,
      "rstream-auth",
    );
    assert.equal(
      decide({}, both, { token: invalidToken("bad_signature"), acceptsHtml: true }).outcome,
      "login",
    );
  });

  it("S-D1: with no session, an API client gets the token's 401", () => {
    assert.equal(decide({}, both, {}).reason, "missing_token");
    assert.equal(decide({}, both, { token: invalidToken("expired") }).reason, "expired_token");
  });

  it("S-A2: auth-required defaults on pro give token + rstream Auth", () => {
    assert.equal(
      decide({ publicAccess: "auth-required" }, {}, { acceptsHtml: true }).outcome,
      "login",
    );
    assert.equal(
      decide({ publicAccess: "auth-required", plan: "basic" }, {}, { acceptsHtml: true }).reason,
      "missing_token",
    );
  });
});

describe("mTLS credentials (S-H6)", () => {
  const mtls = { protocol: "http", mtls: { ca: "ca.pem" } } as const;

  function withCredential(tunnel: Partial<TunnelIr>, facts: Partial<RequestFacts>) {
    const policy = effectiveOf(
      policyIr({
        tunnels: [tunnelIr(tunnel)],
        grants: [connectApi],
        credentials: [credentialIr({ name: "svc", grant: "api" })],
      }),
    );
    return interpret(policy, requestFacts(facts));
  }

  it("S-H6: a client credential's grant applies like a token's", () => {
    assert.deepEqual(withCredential(mtls, { path: "/api/x", clientCredential: "svc" }).identity, {
      method: "mtls",
      subject: "svc",
    });
    const d = withCredential(mtls, { path: "/admin", clientCredential: "svc" });
    assert.deepEqual(
      [d.status, d.reason, d.policy, d.stage],
      [403, "insufficient_scope", "mtls", "mtls"],
    );
  });

  it("S-H6: without a credential, mTLS alone is 403 policy_denied mtls", () => {
    const d = withCredential(mtls, {});
    assert.deepEqual([d.status, d.reason, d.policy], [403, "policy_denied", "mtls"]);
    assert.equal(withCredential(mtls, { clientCredential: "unknown" }).policy, "mtls");
  });

  it("S-H6: with token auth too, a missing credential leaves the token's 401", () => {
    assert.equal(withCredential({ ...mtls, tokenAuth: true }, {}).reason, "missing_token");
  });
});

describe("forwarding (S-O3)", () => {
  it("S-O3: only a request that passes every layer is forwarded, with status 0", () => {
    const d = decide({}, {}, {});
    assert.deepEqual(
      [d.outcome, d.status, d.reason, d.stage, d.identity],
      ["forward", 0, "ok", "forward", null],
    );
  });

  it("the trace lists each stage in SPEC order", () => {
    const policy = effectiveOf(
      policyIr({
        project: projectIr({ trustedIps: ipSet("10.0.0.0/8") }),
        tunnels: [tunnelIr({ tokenAuth: true, challenge: true })],
        grants: [connectApi],
      }),
    );
    const { trace } = interpretRequest(
      policy,
      requestFacts({ clientIp: "10.0.0.1", path: "/api/x", token: validToken(connectApi) }),
    );
    assert.deepEqual(
      trace.map((s) => `${s.stage}:${s.result}`),
      ["route:pass", "edge:pass", "challenge:pass", "forward:decide"],
    );
  });
});

describe("project policy and grants both apply (S-A8)", () => {
  const everything = grantIr({ name: "root" });

  it("S-A8: a token with every grant cannot bypass the project's trusted IPs or countries", () => {
    const project = { trustedIps: ipSet("10.0.0.0/8"), countries: countrySet("DE") };
    assert.equal(
      decide(project, tokenOnly, { clientIp: "192.0.2.1", token: validToken(everything) }).policy,
      "ip",
    );
    assert.equal(
      decide(project, tokenOnly, {
        clientIp: "10.0.0.1",
        country: "US",
        token: validToken(everything),
      }).policy,
      "geo",
    );
    assert.equal(
      decide(project, tokenOnly, { clientIp: "10.0.0.1", token: validToken(everything) }).outcome,
      "forward",
    );
  });

  it("S-A8: the project policy grants a token nothing: its own grant still decides", () => {
    const noConnect = grantIr({ name: "ro", permissions: ["tunnels.resources.read-only"] });
    const d = decide({ trustedIps: ipSet("0.0.0.0/0") }, tokenOnly, {
      token: validToken(noConnect),
    });
    assert.equal(d.reason, "insufficient_scope");
  });
});
