import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import { RstreamAuthOptionsSchema } from "../../src/runtime/session/options.ts";
import { createSessionContext, handleSessionEndpoint } from "../../src/runtime/session/endpoint.ts";
import type { SessionContext } from "../../src/runtime/session/endpoint.ts";
import { readLoginState } from "../../src/runtime/session/login-state.ts";
import { tunnel } from "./helpers/policy.ts";
import { startTestIdp } from "../e2e/helpers/idp.ts";
import type { TestIdp } from "../e2e/helpers/idp.ts";

const KEY = "session-key-".repeat(4);
const HOST = "app.example";

function factsOf(req: IncomingMessage): RequestFacts {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return {
    host: HOST,
    method: req.method ?? "GET",
    path: q < 0 ? url : url.slice(0, q),
    clientIp: "127.0.0.1",
    country: null,
    secure: false,
    acceptsHtml: true,
    upgrade: false,
    origin: null,
    referer: null,
    contentType: null,
    token: null,
    challengeCookie: req.headers["x-test-challenge"] === "valid" ? "valid" : null,
    session: null,
    clientCredential: null,
    tlsVersion: null,
  };
}

const withSessions = (challenge: boolean): EffectiveTunnel => {
  const t = tunnel({ id: "app", hosts: [HOST] });
  return { ...t, challenge, auth: { ...t.auth, rstreamAuth: true } };
};

describe("S-H4: the rstream Auth login endpoints", () => {
  let idp: TestIdp;
  let server: Server;
  let port = 0;
  let withIdp: SessionContext;
  const withoutIdp = createSessionContext(KEY, undefined);

  before(async () => {
    idp = await startTestIdp();
    idp.configure([`http://${HOST}/.well-known/rstream/callback`], []);
    withIdp = createSessionContext(
      KEY,
      RstreamAuthOptionsSchema.parse({
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
      }),
    );
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const ctx = req.headers["x-test-no-idp"] === "1" ? withoutIdp : withIdp;
      const t =
        req.headers["x-test-plain"] === "1"
          ? tunnel({ id: "plain", hosts: [HOST] })
          : withSessions(req.headers["x-test-challenge-mode"] === "1");
      if (!handleSessionEndpoint(req, res, factsOf(req), req.url ?? "/", t, ctx))
        res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.close();
    await idp.close();
  });

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { host: HOST, ...headers },
      redirect: "manual",
    });

  it("starts a login at the IdP with state, nonce and PKCE (S256) kept in the login cookie", async () => {
    const res = await get("/.well-known/rstream/login?return=%2Fdashboard");
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get("location") ?? "");
    assert.equal(location.origin, idp.issuer);
    const p = location.searchParams;
    assert.equal(p.get("client_id"), idp.clientId);
    assert.equal(p.get("redirect_uri"), `http://${HOST}/.well-known/rstream/callback`);
    assert.equal(p.get("response_type"), "code");
    assert.equal(p.get("scope"), "openid email profile");
    assert.equal(p.get("code_challenge_method"), "S256");
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const login = readLoginState(cookie, HOST, KEY, false);
    assert.ok(login !== null);
    assert.equal(p.get("state"), login.state);
    assert.equal(p.get("nonce"), login.nonce);
    assert.equal(
      p.get("code_challenge"),
      createHash("sha256").update(login.codeVerifier).digest("base64url"),
    );
    assert.equal(login.returnTo, "/dashboard");
  });

  it("refuses a login that would return to another origin", async () => {
    for (const evil of [
      "//evil.example",
      "/\\evil.example",
      "https:evil.example",
      "/%2F%2Fevil.example",
    ]) {
      const res = await get(`/.well-known/rstream/login?return=${encodeURIComponent(evil)}`);
      assert.equal(res.status, 400, evil);
      assert.equal(res.headers.get("set-cookie"), null);
    }
  });

  it("refuses a callback without the login cookie and clears any stale one", async () => {
    const res = await get("/.well-known/rstream/callback?code=abc&state=xyz");
    assert.equal(res.status, 400);
    assert.match(
      res.headers.get("set-cookie") ?? "",
      /^rampart_login=; Path=\/\.well-known\/rstream\/; Max-Age=0/,
    );
  });

  it("refuses a callback whose state does not match the login cookie, setting no session", async () => {
    const start = await get("/.well-known/rstream/login?return=%2F");
    const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const res = await get("/.well-known/rstream/callback?code=abc&state=forged", { cookie });
    assert.equal(res.status, 400);
    assert.doesNotMatch(res.headers.get("set-cookie") ?? "", /rampart_session=/);
  });

  it("answers 403 when the IdP reports an error (the user cancelled)", async () => {
    const start = await get("/.well-known/rstream/login?return=%2F");
    const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const login = readLoginState(cookie, HOST, KEY, false);
    const res = await get(
      `/.well-known/rstream/callback?error=access_denied&state=${login?.state ?? ""}&iss=${encodeURIComponent(idp.issuer)}`,
      { cookie },
    );
    assert.equal(res.status, 403);
    assert.match(await res.text(), /cancelled or refused/);
  });

  it("S-H4: without an IdP, signing in is refused", async () => {
    const res = await get("/.well-known/rstream/login?return=%2F", { "x-test-no-idp": "1" });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /not available/);
  });

  it("S-C5: on a challenged tunnel, the login flow waits for the challenge", async () => {
    const res = await get("/.well-known/rstream/login?return=%2Fx", {
      "x-test-challenge-mode": "1",
    });
    assert.equal(res.status, 302);
    assert.equal(
      res.headers.get("location"),
      `/.well-known/rstream/challenge?return=${encodeURIComponent("/.well-known/rstream/login?return=%2Fx")}`,
    );
    const passed = await get("/.well-known/rstream/login?return=%2Fx", {
      "x-test-challenge-mode": "1",
      "x-test-challenge": "valid",
    });
    assert.equal(new URL(passed.headers.get("location") ?? "").origin, idp.issuer);
  });

  it("leaves tunnels without rstream Auth, other paths and other methods alone or refused", async () => {
    assert.equal((await get("/.well-known/rstream/login", { "x-test-plain": "1" })).status, 404);
    assert.equal((await get("/.well-known/rstream/other")).status, 404);
    const post = await fetch(`http://127.0.0.1:${port}/.well-known/rstream/login`, {
      method: "POST",
      headers: { host: HOST },
    });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
  });
});
