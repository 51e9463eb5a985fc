import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import { CHALLENGE_COOKIE, SESSION_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import {
  challengeInPage,
  cookieHeaderFrom,
  solve,
  verifySubmission,
} from "../runtime/helpers/challenge.ts";
import { send } from "../runtime/helpers/http.ts";
import type { Reply } from "../runtime/helpers/http.ts";
import { COOKIE_KEY } from "../runtime/helpers/runtime.ts";
import { startUpstream } from "../runtime/helpers/upstream.ts";
import type { Echo, TestUpstream } from "../runtime/helpers/upstream.ts";
import { HOSTS, mintApiToken } from "../runtime/forward-auth-fixture.ts";
import { startRampartForNginx } from "./nginx-rampart.ts";
import type { RampartForNginx } from "./nginx-rampart.ts";
import { exampleConfig, freePort, startNginx } from "./nginx-harness.ts";
import type { RunningNginx } from "./nginx-harness.ts";

let upstream: TestUpstream;
let rampart: RampartForNginx;
let nginx: RunningNginx;
let token: string;

before(async () => {
  upstream = await startUpstream();
  rampart = await startRampartForNginx(upstream.url);
  const listenPort = await freePort();
  const config = await exampleConfig({
    forwardAuthPort: rampart.forwardAuthPort,
    servePort: rampart.servePort,
    appPort: Number(new URL(upstream.url).port),
    listenPort,
  });
  nginx = await startNginx(config, listenPort);
  token = await mintApiToken();
});

after(async () => {
  await nginx?.stop();
  await rampart?.close();
  await upstream?.close();
});

/** A request to nginx for `host`. */
const get = (
  host: string,
  path: string,
  headers: OutgoingHttpHeaders = {},
  method = "GET",
): Promise<Reply> => send({ port: nginx.port, host, path, method, headers });

/** The upstream requests made while `action` ran. */
async function seenDuring(action: () => Promise<Reply>): Promise<{ reply: Reply; seen: Echo[] }> {
  const before = upstream.seen.length;
  const reply = await action();
  return { reply, seen: upstream.seen.slice(before) };
}

const challengeCookie = (host: string): string =>
  `${CHALLENGE_COOKIE}=${signCookie({ kind: "challenge", host, exp: Math.floor(Date.now() / 1000) + 600 }, COOKIE_KEY)}`;

describe("nginx auth_request → Rampart forward-auth (issue #7, examples/nginx)", () => {
  it("allow: an open tunnel reaches the app with the URI unchanged and no forged identity header", async () => {
    const { reply, seen } = await seenDuring(() =>
      get(HOSTS.open, "/hello?x=1", { "x-rampart-subject": "admin" }),
    );
    assert.equal(reply.status, 200, await nginx.errorLog());
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.url, "/hello?x=1");
    assert.equal(
      seen[0]?.headers["x-rampart-subject"],
      undefined,
      "a client cannot forge the identity header",
    );
    assert.equal(seen[0]?.headers["x-rampart-tunnel"], "open");
  });

  it("S-A3 deny: a trusted-IP tunnel refuses the address nginx saw (a forged X-Real-IP is overwritten), S-D2 JSON body", async () => {
    const { reply, seen } = await seenDuring(() =>
      get(HOSTS.office, "/", { "x-real-ip": "203.0.113.9", "x-forwarded-for": "203.0.113.9" }),
    );
    assert.equal(reply.status, 403);
    assert.deepEqual(JSON.parse(reply.body), { error: { reason: "policy_denied", policy: "ip" } });
    assert.match(reply.headers["content-type"] ?? "", /^application\/json/);
    assert.equal(seen.length, 0, "nothing reached the app");
  });

  it("S-H1 token: a header token is checked, the app learns the subject, and never sees the token (S-O3)", async () => {
    const { reply, seen } = await seenDuring(() =>
      get(HOSTS.token, "/api/items", {
        authorization: `Bearer ${token}`,
        cookie: `theme=dark; ${SESSION_COOKIE}=x`,
      }),
    );
    assert.equal(reply.status, 200);
    const echo = seen[0];
    assert.equal(echo?.headers["x-rampart-subject"], "user-1");
    assert.equal(echo?.headers["x-rampart-auth-method"], "token");
    assert.equal(echo?.headers.authorization, undefined);
    assert.equal(echo?.headers.cookie, "theme=dark");
  });

  it("S-D2 token: missing → 401 with WWW-Authenticate; out of scope → 403 insufficient_scope", async () => {
    const missing = await get(HOSTS.token, "/api/items");
    assert.equal(missing.status, 401);
    assert.equal(missing.headers["www-authenticate"], 'Bearer realm="rampart"');
    assert.deepEqual(JSON.parse(missing.body), { error: { reason: "missing_token" } });
    const scope = await get(HOSTS.token, "/admin", { authorization: `Bearer ${token}` });
    assert.equal(scope.status, 403);
    assert.equal(
      scope.headers["www-authenticate"],
      'Bearer realm="rampart", error="insufficient_scope"',
    );
  });

  it("S-H7/S-O3 query token: accepted, and stripped from the URI the app receives", async () => {
    const { reply, seen } = await seenDuring(() =>
      get(HOSTS.token, `/api/items?page=2&rstream.token=${token}&sort=asc`),
    );
    assert.equal(reply.status, 200);
    assert.equal(seen[0]?.url, "/api/items?page=2&sort=asc");
    assert.equal(seen[0]?.headers["x-rampart-subject"], "user-1");
  });

  it("S-C2 challenge: a browser navigation is redirected to Rampart's verification page", async () => {
    const { reply, seen } = await seenDuring(() =>
      get(HOSTS.guarded, "/page?a=1", { accept: "text/html" }),
    );
    assert.equal(reply.status, 302);
    assert.equal(
      reply.headers.location,
      `/.well-known/rstream/challenge?return=${encodeURIComponent("/page?a=1")}`,
    );
    assert.equal(seen.length, 0);
  });

  it("S-C2 challenge end to end: the page (served by Rampart via nginx), the solved proof of work, the cookie, the retry", async () => {
    const redirect = await get(HOSTS.guarded, "/page?a=1", { accept: "text/html" });
    const location = redirect.headers.location ?? "";
    const page = await get(HOSTS.guarded, location, { accept: "text/html" });
    assert.equal(page.status, 200);
    const challenge = challengeInPage(page.body);
    const solution = await solve(challenge);
    const { reply: verified, seen } = await seenDuring(() =>
      send({
        port: nginx.port,
        host: HOSTS.guarded,
        ...verifySubmission({ challenge, solution }),
      }),
    );
    assert.equal(verified.status, 303);
    assert.equal(verified.headers.location, "/page?a=1");
    assert.equal(seen.length, 0, "the flow never reaches the app");
    const cookie = cookieHeaderFrom(verified);
    assert.match(cookie, new RegExp(`^${CHALLENGE_COOKIE}=`));
    const { reply: retried, seen: forwarded } = await seenDuring(() =>
      get(HOSTS.guarded, "/page?a=1", { accept: "text/html", cookie }),
    );
    assert.equal(retried.status, 200);
    assert.equal(forwarded[0]?.url, "/page?a=1");
    assert.equal(
      forwarded[0]?.headers.cookie,
      undefined,
      "the challenge cookie stays at the edge (S-O3)",
    );
  });

  it("S-C2/S-C4 challenge: with a valid challenge cookie the request passes (cookie not forwarded); a POST without one is 403", async () => {
    const { reply, seen } = await seenDuring(() =>
      get(HOSTS.guarded, "/page", { cookie: challengeCookie(HOSTS.guarded) }),
    );
    assert.equal(reply.status, 200);
    assert.equal(seen[0]?.headers.cookie, undefined);
    const post = await get(HOSTS.guarded, "/form", { "content-type": "application/json" }, "POST");
    assert.equal(post.status, 403);
    assert.equal(JSON.parse(post.body).error.policy, "challenge");
  });

  it("S-O2/S-W1 well-known endpoints are answered by Rampart through nginx, never by the app", async () => {
    const { reply, seen } = await seenDuring(() => get(HOSTS.open, "/.well-known/rstream/session"));
    assert.equal(reply.status, 200);
    assert.equal(reply.body, '{"auth":{"authenticated":false}}');
    assert.equal(seen.length, 0);
  });
});
