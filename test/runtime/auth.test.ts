import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { GrantIr } from "../../src/ir/types.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { SESSION_COOKIE, CHALLENGE_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { send } from "./helpers/http.ts";
import { effectivePolicy, compiledPolicy, tunnel, withToken } from "./helpers/policy.ts";
import { COOKIE_KEY, startTestRuntime } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";
import { actionIr, grantIr, grantLeaf } from "../../src/testkit/builders.ts";

const SECRET = "community-secret-0123456789abcdef-0123456789";

const apiGrant: GrantIr = grantIr({
  name: "api-reader",
  resources: grantLeaf({
    projects: ["acme"],
    connect: actionIr({ path: { kind: "prefix", values: ["/api"] } }),
  }),
});

const mint = async (extra: Partial<Parameters<typeof mintToken>[0]> = {}): Promise<string> => {
  const minted = await mintToken({
    secret: SECRET,
    grant: apiGrant,
    subject: "u1",
    lifetimeSeconds: 600,
    // Minted for the project, as `rampart token mint` does (S-T8: the boundary names it).
    project: "acme",
    ...extra,
  });
  assert.ok(minted.value, JSON.stringify(minted.diagnostics));
  return minted.value;
};

const sessionCookie = (host: string): string =>
  `${SESSION_COOKIE}=${signCookie({ kind: "session", host, exp: Math.floor(Date.now() / 1000) + 600, sid: "s-7", user: { userId: "u-7", name: "Ada", email: "ada@acme.test", image: null, groups: [] } }, COOKIE_KEY)}`;

describe("per-request pipeline (issue #5 item 2)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let lines: LogLines;
  let port: number;
  let token: string;

  before(async () => {
    upstream = await startUpstream();
    const app = withToken(tunnel({ id: "app", hosts: ["app.test"], upstream: upstream.url }));
    const policy = effectivePolicy([
      withToken(tunnel({ id: "api", hosts: ["api.test"], upstream: upstream.url })),
      { ...app, challenge: true, auth: { ...app.auth, rstreamAuth: true } },
    ]);
    ({ runtime, lines } = await startTestRuntime([compiledPolicy(policy)], {
      tokens: { secret: SECRET },
      // Sessions count only on a runtime with an rstream Auth backend (S-H4); the IdP is
      // discovered on the first login, which these tests never start.
      rstreamAuth: { issuer: "https://idp.invalid", clientId: "rampart-test" },
    }));
    port = runtime.addresses.http?.port ?? 0;
    token = await mint();
  });
  after(async () => {
    await runtime.close();
    await upstream.close();
  });

  const api = (path: string, headers: Record<string, string> = {}, method = "GET") =>
    send({ port, host: "api.test", path, headers, method });

  it("S-D2: no token → 401 missing_token with a bare Bearer challenge", async () => {
    const reply = await api("/api/items");
    assert.equal(reply.status, 401);
    assert.equal(reply.body, '{"error":{"reason":"missing_token"}}');
    assert.equal(reply.headers["www-authenticate"], 'Bearer realm="rampart"');
    assert.equal(reply.headers["content-type"], "application/json");
  });

  it("S-H1, S-O3: a valid header token is forwarded without the Authorization header", async () => {
    const reply = await api("/api/items", { authorization: `Bearer ${token}` });
    assert.equal(reply.status, 200);
    const echo = JSON.parse(reply.body) as { headers: Record<string, string> };
    assert.equal(echo.headers["authorization"], undefined);
  });

  it("S-H3: a valid token outside its path scope → 403 insufficient_scope", async () => {
    const reply = await api("/admin", { authorization: `Bearer ${token}` });
    assert.equal(reply.status, 403);
    assert.equal(reply.body, '{"error":{"reason":"insufficient_scope"}}');
    assert.equal(
      reply.headers["www-authenticate"],
      'Bearer realm="rampart", error="insufficient_scope"',
    );
  });

  it('S-D2: expired, wrongly signed and `alg: none` tokens → 401 with error="invalid_token"', async () => {
    const expired = await mint({ lifetimeSeconds: 1, now: () => Date.now() - 3_600_000 });
    const wrongKey =
      (await mintToken({ secret: "x".repeat(40), grant: apiGrant, lifetimeSeconds: 600 })).value ??
      "";
    const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const none = `${enc({ alg: "none" })}.${enc({ type: "pat" })}.`;
    const cases: [string, string][] = [
      [expired, "expired_token"],
      [wrongKey, "invalid_token"],
      [none, "invalid_token"],
    ];
    for (const [t, reason] of cases) {
      const reply = await api("/api/items", { authorization: `Bearer ${t}` });
      assert.equal(reply.status, 401, reason);
      assert.equal(reply.body, `{"error":{"reason":"${reason}"}}`);
      assert.equal(
        reply.headers["www-authenticate"],
        'Bearer realm="rampart", error="invalid_token"',
      );
    }
  });

  it("S-H7: a query token is checked against the tunnel's scopes and stripped before forwarding", async () => {
    const ok = await api(`/api/items?rstream.token=${token}&page=2`);
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as { url: string }).url, "/api/items?page=2");
    const outside = await api(`/admin?rstream.token=${token}`);
    assert.equal(outside.status, 403);
  });

  it("S-D1: with both, the Authorization header wins over the query token", async () => {
    const reply = await api(`/api/items?rstream.token=${token}`, {
      authorization: "Bearer not-a-token",
    });
    assert.equal(reply.status, 401);
    assert.equal(reply.body, '{"error":{"reason":"invalid_token"}}');
  });

  it("S-D2: browsers get a short HTML page", async () => {
    const reply = await api("/api/items", { accept: "text/html,application/xhtml+xml" });
    assert.equal(reply.status, 401);
    assert.match(reply.headers["content-type"] ?? "", /^text\/html/);
    assert.match(reply.body, /<title>401 Unauthorized<\/title>/);
  });

  it("S-W1: session endpoint, unauthenticated and token-authenticated, byte for byte", async () => {
    const anon = await api("/.well-known/rstream/session");
    assert.equal(anon.status, 200);
    assert.equal(anon.body, '{"auth":{"authenticated":false}}');
    assert.equal(anon.headers["cache-control"], "no-store");
    assert.equal(anon.headers["content-type"], "application/json");
    // The token must be authorized for the request (path included) to count as authentication.
    const open = await mint({ grant: { ...apiGrant, resources: null } });
    const authed = await api("/.well-known/rstream/session", { authorization: `Bearer ${open}` });
    assert.equal(
      authed.body,
      '{"auth":{"authenticated":true,"method":"token"},"user":{"userId":"u1","name":null,"email":null,"image":null},"tunnel":{"host":"api.test","workspaceId":"ws-1","projectId":"acme"},"policies":["token-auth"]}',
    );
    const head = await api("/.well-known/rstream/session", {}, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    assert.equal(
      upstream.seen.some((e) => e.url.startsWith("/.well-known")),
      false,
      "S-O2: never forwarded",
    );
  });

  it("S-W1: session endpoint for an rstream Auth session", async () => {
    const reply = await send({
      port,
      host: "app.test",
      path: "/.well-known/rstream/session",
      headers: { cookie: sessionCookie("app.test") },
    });
    assert.equal(
      reply.body,
      '{"auth":{"authenticated":true,"method":"rstream-auth"},"user":{"userId":"u-7","name":"Ada","email":"ada@acme.test","image":null},"tunnel":{"host":"app.test","workspaceId":"ws-1","projectId":"acme"},"policies":["challenge","token-auth","rstream-auth"]}',
    );
  });

  it("S-W2: logout is POST-only, 204, and clears only the session cookie", async () => {
    const cookie = `${sessionCookie("app.test")}; ${CHALLENGE_COOKIE}=whatever`;
    const out = await send({
      port,
      host: "app.test",
      method: "POST",
      path: "/.well-known/rstream/logout",
      headers: { cookie },
    });
    assert.equal(out.status, 204);
    assert.equal(out.body, "");
    assert.deepEqual(out.headers["set-cookie"], [
      `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`,
    ]);
    const get = await send({ port, host: "app.test", path: "/.well-known/rstream/logout" });
    assert.equal(get.status, 405);
    assert.equal(get.headers["allow"], "POST");
    const tokenLogout = await api(
      "/.well-known/rstream/logout",
      { authorization: `Bearer ${token}` },
      "POST",
    );
    assert.equal(tokenLogout.status, 204);
    assert.equal(
      tokenLogout.headers["set-cookie"],
      undefined,
      "a token request has no session to clear",
    );
    const foreign = await send({
      port,
      host: "app.test",
      method: "POST",
      path: "/.well-known/rstream/logout",
      headers: { cookie, origin: "https://evil.test" },
    });
    assert.equal(foreign.status, 403);
    const form = await send({
      port,
      host: "app.test",
      method: "POST",
      path: "/.well-known/rstream/logout",
      headers: { cookie, "content-type": "text/plain" },
      body: "x",
    });
    assert.equal(form.status, 415);
  });

  it("S-C2, S-C4: challenge redirects a navigation (302) and refuses a POST (403)", async () => {
    const nav = await send({
      port,
      host: "app.test",
      path: "/page?a=1",
      headers: { accept: "text/html" },
    });
    assert.equal(nav.status, 302);
    assert.equal(nav.headers["location"], "/.well-known/rstream/challenge?return=%2Fpage%3Fa%3D1");
    const post = await send({ port, host: "app.test", method: "POST", path: "/form", body: "x" });
    assert.equal(post.status, 403);
    const challenged = `${CHALLENGE_COOKIE}=${signCookie({ kind: "challenge", host: "app.test", exp: Math.floor(Date.now() / 1000) + 600 }, COOKIE_KEY)}`;
    const login = await send({
      port,
      host: "app.test",
      path: "/page",
      headers: { accept: "text/html", cookie: challenged },
    });
    assert.equal(login.status, 302);
    assert.equal(login.headers["location"], "/.well-known/rstream/login?return=%2Fpage");
  });

  it("S-C5: a valid and authorized token bypasses the challenge", async () => {
    const appToken = await mint({ grant: { ...apiGrant, resources: null } });
    const reply = await send({
      port,
      host: "app.test",
      path: "/page",
      headers: { authorization: `Bearer ${appToken}` },
    });
    assert.equal(reply.status, 200);
  });

  it("logs one decision line per denied request, without token or cookie values", async () => {
    const before = lines.length;
    await api("/admin", { authorization: `Bearer ${token}` });
    const denied = lines.slice(before).filter((l) => l["msg"] === "request denied");
    assert.equal(denied.length, 1);
    assert.equal(denied[0]?.["reason"], "insufficient_scope");
    assert.equal(denied[0]?.["stage"], "token");
    assert.ok(typeof denied[0]?.["rule"] === "string");
    assert.equal(JSON.stringify(lines).includes(token), false);
  });
});
