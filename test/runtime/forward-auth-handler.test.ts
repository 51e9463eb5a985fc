import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import { CHALLENGE_COOKIE, SESSION_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { send } from "./helpers/http.ts";
import type { Reply } from "./helpers/http.ts";
import { startRuntime } from "../../src/runtime/server.ts";
import { COOKIE_KEY } from "./helpers/runtime.ts";
import { HOSTS, mintApiToken, startForwardAuthServer } from "./forward-auth-fixture.ts";
import type { ForwardAuthServer } from "./forward-auth-fixture.ts";

let server: ForwardAuthServer;
let token: string;
before(async () => {
  server = await startForwardAuthServer();
  token = await mintApiToken();
});
after(() => server.close());

/** An nginx `auth_request` sub-request about `method uri` on `host`. */
const nginx = (
  host: string,
  uri: string,
  headers: OutgoingHttpHeaders = {},
  method = "GET",
): Promise<Reply> =>
  send({
    port: server.port,
    host: "rampart_forward_auth",
    path: "/nginx",
    headers: {
      "x-original-method": method,
      "x-original-uri": uri,
      "x-forwarded-host": host,
      "x-real-ip": "198.51.100.20",
      ...headers,
    },
  });

/** A Traefik ForwardAuth sub-request (always GET; the original method in a header). */
const traefik = (
  host: string,
  uri: string,
  headers: OutgoingHttpHeaders = {},
  method = "GET",
): Promise<Reply> =>
  send({
    port: server.port,
    host: "rampart:9000",
    path: "/traefik",
    headers: {
      "x-forwarded-method": method,
      "x-forwarded-uri": uri,
      "x-forwarded-host": host,
      "x-forwarded-proto": "http",
      "x-forwarded-for": "198.51.100.20",
      ...headers,
    },
  });

/** An Envoy ext_authz HTTP sub-request: original method, `/envoy` + original path, original Host. */
const envoy = (
  host: string,
  uri: string,
  headers: OutgoingHttpHeaders = {},
  method = "GET",
): Promise<Reply> =>
  send({
    port: server.port,
    host,
    path: `/envoy${uri}`,
    method,
    headers: { "x-forwarded-for": "198.51.100.20", ...headers },
  });

const challengeCookie = (host: string): string =>
  `${CHALLENGE_COOKIE}=${signCookie({ kind: "challenge", host, exp: Math.floor(Date.now() / 1000) + 600 }, COOKIE_KEY)}`;

describe("forward-auth endpoint: allow (2xx) with identity headers", () => {
  it("nginx: 200 with subject, auth method, tunnel, and the upstream URI without rstream.token (S-O3)", async () => {
    const r = await nginx(HOSTS.token, `/api/items?rstream.token=${token}&page=2`);
    assert.equal(r.status, 200);
    assert.equal(r.headers["x-rampart-subject"], "user-1");
    assert.equal(r.headers["x-rampart-auth-method"], "token");
    assert.equal(r.headers["x-rampart-tunnel"], "app");
    assert.equal(r.headers["x-rampart-forward-uri"], "/api/items?page=2");
    assert.equal(r.headers["x-rampart-authorization"], undefined, "no Authorization to forward");
  });

  it("nginx: the edge Authorization header is dropped, engine cookies are stripped, other cookies stay (S-O3)", async () => {
    const r = await nginx(HOSTS.token, "/api/x", {
      authorization: `Bearer ${token}`,
      cookie: `${SESSION_COOKIE}=abc; theme=dark; ${challengeCookie(HOSTS.token)}`,
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers["x-rampart-forward-uri"], "/api/x");
    assert.equal(r.headers["x-rampart-authorization"], undefined);
    assert.equal(r.headers["x-rampart-cookie"], "theme=dark");
  });

  it("nginx: an anonymous allow carries no identity, and a non-edge Authorization is kept", async () => {
    const r = await nginx(HOSTS.open, "/", { authorization: "Basic dTpw" });
    assert.equal(r.status, 200);
    assert.equal(r.headers["x-rampart-subject"], undefined);
    assert.equal(r.headers["x-rampart-auth-method"], undefined);
    assert.equal(r.headers["x-rampart-authorization"], "Basic dTpw");
  });

  it("Traefik: 200 with Authorization and Cookie answers that replace the upstream's (authResponseHeaders)", async () => {
    const r = await traefik(HOSTS.token, "/api/x", {
      authorization: `Bearer ${token}`,
      cookie: `${SESSION_COOKIE}=abc`,
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers["x-rampart-subject"], "user-1");
    assert.equal(r.headers["authorization"], undefined, "absent, so Traefik deletes it upstream");
    assert.equal(r.headers["cookie"], undefined);
  });

  it("Envoy: 200, and what must not reach the upstream is named in x-envoy-auth-headers-to-remove", async () => {
    const r = await envoy(HOSTS.token, "/api/x", {
      authorization: `Bearer ${token}`,
      cookie: `${SESSION_COOKIE}=abc; a=1`,
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers["x-rampart-subject"], "user-1");
    assert.equal(r.headers["x-envoy-auth-headers-to-remove"], "authorization");
    assert.equal(r.headers["cookie"], "a=1");
    const anonymous = await envoy(HOSTS.open, "/", { cookie: `${SESSION_COOKIE}=abc` });
    assert.equal(
      anonymous.headers["x-envoy-auth-headers-to-remove"],
      "x-rampart-auth-method,x-rampart-subject,cookie",
    );
  });

  it("a subject that is not visible ASCII is percent-encoded", async () => {
    const r = await nginx(HOSTS.token, "/api/x", {
      authorization: `Bearer ${await mintApiToken("Zoë ✓")}`,
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers["x-rampart-subject"], encodeURIComponent("Zoë ✓"));
  });
});

describe("forward-auth endpoint: denies (S-D2)", () => {
  it("S-D2 nginx: missing token → 401 with WWW-Authenticate and the reason and JSON body in headers", async () => {
    const r = await nginx(HOSTS.token, "/api/x");
    assert.equal(r.status, 401);
    assert.equal(r.headers["www-authenticate"], 'Bearer realm="rampart"');
    assert.equal(r.headers["x-rampart-reason"], "missing_token");
    assert.equal(r.headers["x-rampart-error"], '{"error":{"reason":"missing_token"}}');
    assert.equal(r.body, '{"error":{"reason":"missing_token"}}');
  });

  it('S-D2 nginx: a token sent but invalid → 401 error="invalid_token"; out of scope → 403 insufficient_scope', async () => {
    const invalid = await nginx(HOSTS.token, "/api/x", { authorization: "Bearer not-a-jwt" });
    assert.equal(invalid.status, 401);
    assert.equal(
      invalid.headers["www-authenticate"],
      'Bearer realm="rampart", error="invalid_token"',
    );
    const scope = await nginx(HOSTS.token, "/admin", { authorization: `Bearer ${token}` });
    assert.equal(scope.status, 403);
    assert.equal(scope.headers["x-rampart-reason"], "insufficient_scope");
    assert.equal(
      scope.headers["www-authenticate"],
      'Bearer realm="rampart", error="insufficient_scope"',
    );
  });

  it("S-A3 nginx: the client address from X-Real-IP decides the trusted-IP list", async () => {
    const denied = await nginx(HOSTS.office, "/");
    assert.equal(denied.status, 403);
    assert.equal(
      denied.headers["x-rampart-error"],
      '{"error":{"reason":"policy_denied","policy":"ip"}}',
    );
    const allowed = await nginx(HOSTS.office, "/", { "x-real-ip": "203.0.113.9" });
    assert.equal(allowed.status, 200);
  });

  it("nginx: statuses nginx cannot pass become 403 with the real one in X-Rampart-Status", async () => {
    const r = await nginx("unknown.example.test", "/");
    assert.equal(r.status, 403);
    assert.equal(r.headers["x-rampart-status"], "404");
    assert.equal(r.headers["x-rampart-reason"], "no_route");
  });

  it("Traefik and Envoy: the real body, HTML for browsers; S-R19 statuses other than 401/403 become 403", async () => {
    const json = await traefik(HOSTS.token, "/api/x");
    assert.equal(json.status, 401);
    assert.equal(json.headers["www-authenticate"], 'Bearer realm="rampart"');
    assert.deepEqual(JSON.parse(json.body), { error: { reason: "missing_token" } });
    const html = await envoy("unknown.example.test", "/", { accept: "text/html" });
    assert.equal(html.status, 403);
    assert.equal(html.headers["x-rampart-status"], "404");
    assert.match(html.headers["content-type"] ?? "", /^text\/html/);
  });

  it("S-O3 Traefik and Envoy: an allowed request carrying rstream.token is refused (they cannot strip it)", async () => {
    for (const ask of [traefik, envoy]) {
      const r = await ask(HOSTS.token, `/api/x?rstream.token=${token}`);
      assert.equal(r.status, 403);
      assert.equal(r.headers["x-rampart-status"], "400");
      assert.deepEqual(JSON.parse(r.body), { error: { reason: "query_token_unsupported" } });
    }
  });

  it("a sub-request from a peer that is not a trusted proxy is refused before any decision", async () => {
    const strict = await startForwardAuthServer(["192.0.2.0/24"]);
    try {
      const r = await send({
        port: strict.port,
        host: "x",
        path: "/nginx",
        headers: {
          "x-original-method": "GET",
          "x-original-uri": "/",
          "x-forwarded-host": HOSTS.open,
        },
      });
      assert.equal(r.status, 403);
      assert.equal(r.headers["x-rampart-reason"], "untrusted_proxy");
      assert.ok(strict.lines.some((l) => l["reason"] === "untrusted_proxy"));
    } finally {
      await strict.close();
    }
  });

  it("S-R19 S-R20: the original request is read from the decided fields: one its proxy lists in Connection is not read, and fails closed", async () => {
    const listed = await traefik(HOSTS.open, "/", { connection: "x-forwarded-host" });
    assert.equal(listed.status, 403);
    assert.equal(listed.headers["x-rampart-status"], "400");
    assert.deepEqual(JSON.parse(listed.body), { error: { reason: "bad_original_request" } });
    assert.equal((await traefik(HOSTS.open, "/")).status, 200, "the same sub-request, unlisted");
  });

  it("S-R18 S-R19: a header block the canonical reading refuses is refused for a trusted proxy, and an untrusted peer is still refused as such first", async () => {
    const many: OutgoingHttpHeaders = {};
    for (let i = 0; i < 120; i++) many[`x-filler-${i}`] = "1";
    const refused = await nginx(HOSTS.open, "/", many);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers["x-rampart-status"], "431");
    assert.equal(refused.headers["x-rampart-reason"], "too_many_headers");
    const strict = await startForwardAuthServer(["192.0.2.0/24"]);
    try {
      const r = await send({ port: strict.port, host: "x", path: "/nginx", headers: many });
      assert.equal(r.status, 403);
      assert.equal(r.headers["x-rampart-reason"], "untrusted_proxy");
    } finally {
      await strict.close();
    }
  });

  it("one decision log line per deny, naming mode and dialect, never the token", async () => {
    const before = server.lines.length;
    await nginx(HOSTS.token, "/admin", { authorization: `Bearer ${token}` });
    const logged = server.lines.slice(before).filter((l) => l["msg"] === "request denied");
    assert.equal(logged.length, 1);
    assert.deepEqual(
      [
        logged[0]?.["mode"],
        logged[0]?.["dialect"],
        logged[0]?.["reason"],
        logged[0]?.["path"],
        logged[0]?.["tokenSource"],
      ],
      ["forward-auth", "nginx", "insufficient_scope", "/admin", "header"],
    );
    assert.ok(!JSON.stringify(server.lines).includes(token));
  });

  it("RP6001 a forward-auth listener without trusted proxies does not start", async () => {
    const started = await startRuntime({
      load: () => Promise.resolve({ value: [], diagnostics: [] }),
      http: { port: 0 },
      forwardAuth: { port: 0 },
      cookieKey: COOKIE_KEY,
    });
    assert.equal(started.value, undefined);
    assert.deepEqual(
      started.diagnostics.map((d) => [d.code, d.message]),
      [
        [
          "RP6001",
          "option `trustedProxies` is empty, so the forward-auth listener would refuse every proxy",
        ],
      ],
    );
  });

  it("a path that names no dialect is a 404", async () => {
    const r = await send({ port: server.port, host: "x", path: "/auth" });
    assert.equal(r.status, 404);
  });
});

describe("forward-auth endpoint: challenge redirect (S-C2, S-C4)", () => {
  it("S-C2 nginx: 401 carrying the challenge location (with the query token removed from the return URL)", async () => {
    const r = await nginx(HOSTS.guarded, "/page?a=1&rstream.token=zzz", { accept: "text/html" });
    assert.equal(r.status, 401);
    assert.equal(r.headers["www-authenticate"], undefined);
    assert.equal(
      r.headers["x-rampart-location"],
      `/.well-known/rstream/challenge?return=${encodeURIComponent("/page?a=1")}`,
    );
    assert.equal(r.headers["x-rampart-status"], "302");
  });

  it("S-C2 Traefik and Envoy: a 302 they pass through to the browser", async () => {
    for (const ask of [traefik, envoy]) {
      const r = await ask(HOSTS.guarded, "/page", { accept: "text/html" });
      assert.equal(r.status, 302);
      assert.equal(
        r.headers["location"],
        `/.well-known/rstream/challenge?return=${encodeURIComponent("/page")}`,
      );
    }
  });

  it("S-C3 a valid challenge cookie for the host passes; S-C4 a POST without one is a 403", async () => {
    const ok = await nginx(HOSTS.guarded, "/page", { cookie: challengeCookie(HOSTS.guarded) });
    assert.equal(ok.status, 200);
    assert.equal(
      ok.headers["x-rampart-cookie"],
      undefined,
      "the challenge cookie is not forwarded",
    );
    const post = await nginx(HOSTS.guarded, "/form", {}, "POST");
    assert.equal(post.status, 403);
    assert.equal(post.headers["x-rampart-location"], undefined);
  });

  it("S-O2 a well-known endpoint reaching forward-auth is never allowed (it must be routed to rampart serve)", async () => {
    const r = await traefik(HOSTS.open, "/.well-known/rstream/session");
    assert.equal(r.status, 403);
    assert.equal(r.headers["x-rampart-status"], "404");
    assert.deepEqual(JSON.parse(r.body), { error: { reason: "not_routed" } });
  });
});
