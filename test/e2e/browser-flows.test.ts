/**
 * Challenge mode and rstream Auth end to end (issue #6): headless Chromium against the real
 * runtime (HTTPS, the compiled test policy) and a real OpenID Connect provider on loopback.
 * Every wait is bounded (STEP_TIMEOUT_MS); the whole file runs in well under two minutes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:tls";
import type { Page, Response as PageResponse } from "playwright-core";
import { pino } from "pino";
import type { Challenge, Solution } from "altcha-lib/types";
import { startRuntime } from "../../src/runtime/server.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import type { RuntimeOptions } from "../../src/runtime/options.ts";
import { generateSelfSignedCertificate } from "../../src/runtime/tls/self-signed.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { CHALLENGE_COOKIE, SESSION_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { challengeInPage, solve, verifyFormBody } from "../runtime/helpers/challenge.ts";
import { send } from "../runtime/helpers/http.ts";
import type { Reply } from "../runtime/helpers/http.ts";
import { STEP_TIMEOUT_MS, launchBrowser } from "./helpers/browser.ts";
import type { TestBrowser } from "./helpers/browser.ts";
import { startTestIdp } from "./helpers/idp.ts";
import type { TestIdp } from "./helpers/idp.ts";
import { APP_HOST, SHOP_HOST, compileTestPolicy } from "./helpers/policy.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const COOKIE_KEY = "e2e-cookie-key-0123456789abcdef0123456789";
const TOKEN_SECRET = "e2e-token-secret-0123456789abcdef012345";

const ACCOUNTS = [
  { id: "ada", email: "ada@example.org", name: "Ada Lovelace", groups: ["staff"] },
  { id: "eve", email: "eve@elsewhere.example", name: "Eve", groups: [] },
];

/** A quick proof of work for tests: the real algorithm, a small counter. */
const QUICK_CHALLENGE = { cost: 1, counterMin: 2_000, counterMax: 5_000 };

interface Stack {
  readonly runtime: RuntimeHandle;
  readonly port: number;
  readonly certificates: RuntimeOptions["certificates"];
}

async function startStack(upstream: TestUpstream, idp: TestIdp | null): Promise<Stack> {
  const certificate = generateSelfSignedCertificate([SHOP_HOST, APP_HOST]);
  assert.ok(certificate.value !== undefined, "openssl makes the test certificate");
  const certificates = [{ hosts: [SHOP_HOST, APP_HOST], ...certificate.value }];
  const policy = compileTestPolicy();
  const started = await startRuntime({
    load: () => Promise.resolve({ value: [policy], diagnostics: [] }),
    https: { host: "127.0.0.1", port: 0 },
    certificates,
    cookieKey: COOKIE_KEY,
    tokens: { secret: TOKEN_SECRET },
    upstreamOverride: upstream.url,
    logger: pino({ level: "silent" }),
    challenge: QUICK_CHALLENGE,
    ...(idp === null
      ? {}
      : {
          rstreamAuth: {
            issuer: idp.issuer,
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
          },
        }),
  });
  assert.ok(started.value !== undefined, JSON.stringify(started.diagnostics));
  const port = started.value.addresses.https?.port;
  assert.ok(port !== undefined);
  return { runtime: started.value, port, certificates };
}

function request(
  port: number,
  host: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return send({ port, host, path, tls: {}, ...init });
}

/** Every document URL the page navigates through, in order. */
function trackNavigations(page: Page): string[] {
  const seen: string[] = [];
  page.on("response", (r: PageResponse) => {
    if (r.request().isNavigationRequest()) seen.push(r.url());
  });
  return seen;
}

async function appToken(): Promise<string> {
  const policy = compileTestPolicy().policy;
  const grant = policy.grants["app-client"];
  assert.ok(grant !== undefined);
  const minted = await mintToken({
    secret: TOKEN_SECRET,
    grant,
    project: policy.projectId,
    lifetimeSeconds: 300,
    clientId: "e2e",
    subject: "ci",
  });
  assert.ok(minted.value !== undefined, JSON.stringify(minted.diagnostics));
  return minted.value;
}

describe(
  "issue #6: challenge mode and rstream Auth in headless Chromium",
  { timeout: 120_000 },
  () => {
    let upstream: TestUpstream;
    let idp: TestIdp;
    let stack: Stack;
    let browser: TestBrowser;
    // The browser reaches the tunnels on the default HTTPS port, as in production (see launchBrowser).
    const shop = `https://${SHOP_HOST}`;
    const app = `https://${APP_HOST}`;

    before(async () => {
      upstream = await startUpstream();
      idp = await startTestIdp();
      stack = await startStack(upstream, idp);
      idp.configure([`${app}/.well-known/rstream/callback`], ACCOUNTS);
      browser = await launchBrowser({ [SHOP_HOST]: stack.port, [APP_HOST]: stack.port });
    });

    after(async () => {
      await browser?.close();
      await stack?.runtime.close();
      await idp?.close();
      await upstream?.close();
    });

    it("S-C2: a browser is sent to the verification page, solves it, and lands on the upstream page", async () => {
      const page = await browser.context.newPage();
      const navigations = trackNavigations(page);
      await page.goto(`${shop}/catalog?item=7`, { waitUntil: "commit" });
      await page.waitForSelector("#upstream");
      assert.equal(page.url(), `${shop}/catalog?item=7`);
      assert.equal(await page.textContent("#path"), "GET /catalog?item=7");
      assert.ok(
        navigations.some((u) =>
          u.startsWith(`${shop}/.well-known/rstream/challenge?return=%2Fcatalog%3Fitem%3D7`),
        ),
        `went through the verification page: ${navigations.join(" → ")}`,
      );
      const challenge = (await browser.context.cookies(shop)).find(
        (c) => c.name === CHALLENGE_COOKIE,
      );
      assert.ok(challenge !== undefined);
      // S-D4: host-only, Path=/, HttpOnly, Secure over TLS, SameSite=Lax.
      const { domain, path, httpOnly, secure, sameSite } = challenge;
      assert.deepEqual(
        { domain, path, httpOnly, secure, sameSite },
        { domain: SHOP_HOST, path: "/", httpOnly: true, secure: true, sameSite: "Lax" },
      );
      // S-O3: the engine's cookie is not forwarded upstream.
      const hit = upstream.hits.find((h) => h.url === "/catalog?item=7");
      assert.ok(hit !== undefined && !(hit.cookie ?? "").includes(CHALLENGE_COOKIE));
      // The cookie is per host: the other tunnel still challenges this browser.
      assert.equal((await browser.context.cookies(app)).length, 0);
      await page.close();
    });

    it("S-C2, S-C4: a cookieless non-browser client gets the redirect; a POST and an upgrade are refused", async () => {
      const before = upstream.hits.length;
      const get = await request(stack.port, SHOP_HOST, "/catalog", { headers: { accept: "*/*" } });
      assert.equal(get.status, 302);
      assert.equal(get.headers.location, "/.well-known/rstream/challenge?return=%2Fcatalog");
      const post = await request(stack.port, SHOP_HOST, "/cart", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(post.status, 403);
      assert.deepEqual(JSON.parse(post.body), {
        error: { reason: "policy_denied", policy: "challenge" },
      });
      const upgrade = await rawUpgrade(stack.port, SHOP_HOST);
      assert.match(upgrade, /^HTTP\/1\.1 403 /);
      assert.equal(upstream.hits.length, before, "nothing reached the upstream");
    });

    it("S-C2: a replayed or tampered solution earns no cookie from the runtime", async () => {
      const { challenge, solution } = await solvedChallenge(stack.port, SHOP_HOST, "/");
      const submit = (payload: unknown): Promise<Reply> =>
        request(stack.port, SHOP_HOST, "/.well-known/rstream/challenge/verify", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: verifyFormBody(payload),
        });
      const tampered = {
        ...challenge,
        parameters: { ...challenge.parameters, data: { host: SHOP_HOST, return: "/admin" } },
      };
      assert.equal((await submit({ challenge: tampered, solution })).status, 403);
      assert.equal((await submit({ challenge, solution })).status, 303);
      const replay = await submit({ challenge, solution });
      assert.equal(replay.status, 403);
      assert.equal(replay.headers["set-cookie"], undefined);
    });

    it("S-C5: a valid, authorized bearer token bypasses the challenge", async () => {
      const token = await appToken();
      const get = await request(stack.port, APP_HOST, "/api/items", {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(get.status, 200);
      const post = await request(stack.port, APP_HOST, "/api/items", {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: "x",
      });
      assert.equal(post.status, 200);
      // Without the token the same POST meets the challenge.
      assert.equal(
        (await request(stack.port, APP_HOST, "/api/items", { method: "POST", body: "x" })).status,
        403,
      );
    });

    it("S-C5, S-H4, S-W1: challenge first, then sign-in at the IdP; the session endpoint shows the user", async () => {
      const page = await browser.context.newPage();
      const navigations = trackNavigations(page);
      await page.goto(`${app}/dashboard`, { waitUntil: "commit" });
      await signInAtIdp(page, "ada");
      await page.waitForSelector("#upstream");
      assert.equal(page.url(), `${app}/dashboard`);
      const markers = [
        "/.well-known/rstream/challenge?",
        "/.well-known/rstream/login?",
        idp.issuer,
        "/.well-known/rstream/callback?",
      ];
      const order = markers.map((m) => navigations.findIndex((u) => u.includes(m)));
      assert.ok(
        order.every((i, k) => i >= 0 && (k === 0 || i > (order[k - 1] as number))),
        `challenge → login → IdP → callback: ${navigations.join(" → ")}`,
      );
      const session = await page.goto(`${app}/.well-known/rstream/session`);
      assert.equal(session?.headers()["cache-control"], "no-store");
      assert.deepEqual(await session?.json(), {
        auth: { authenticated: true, method: "rstream-auth" },
        user: { userId: "ada", name: "Ada Lovelace", email: "ada@example.org", image: null },
        tunnel: { host: APP_HOST, workspaceId: "ws-e2e", projectId: "e2e" },
        policies: ["challenge", "token-auth", "rstream-auth"],
      });
      // The login cookie is gone; the session cookie is separate from the challenge cookie (S-C3).
      const cookies = (await browser.context.cookies()).filter((c) => c.domain === APP_HOST);
      assert.deepEqual(cookies.map((c) => c.name).sort(), [CHALLENGE_COOKIE, SESSION_COOKIE]);
      const sessionCookie = cookies.find((c) => c.name === SESSION_COOKIE);
      assert.ok(sessionCookie !== undefined);
      const { path, httpOnly, secure, sameSite } = sessionCookie;
      assert.deepEqual(
        { path, httpOnly, secure, sameSite },
        { path: "/", httpOnly: true, secure: true, sameSite: "Lax" },
      );
      // S-O3: neither engine cookie reaches the upstream.
      const hit = upstream.hits.findLast((h) => h.url === "/dashboard");
      assert.ok(hit !== undefined && !(hit.cookie ?? "").includes("rampart_"));
      await page.close();
    });

    it("S-W2, S-C3: logout (a same-origin POST from the page) clears only the session cookie; the challenge cookie stays", async () => {
      const page = await browser.context.newPage();
      await page.goto(`${app}/dashboard`, { waitUntil: "commit" });
      await page.waitForSelector("#upstream");
      const status = await page.evaluate(
        async () => (await fetch("/.well-known/rstream/logout", { method: "POST" })).status,
      );
      assert.equal(status, 204);
      assert.deepEqual(
        (await browser.context.cookies(app)).map((c) => c.name),
        [CHALLENGE_COOKIE],
      );
      const session: unknown = await page.evaluate(async () =>
        (await fetch("/.well-known/rstream/session")).json(),
      );
      assert.deepEqual(session, { auth: { authenticated: false } });
      // Signed out but still verified: the next navigation goes to sign-in, not to the challenge
      // (the IdP remembers the user, so it comes straight back).
      const navigations = trackNavigations(page);
      await page.goto(`${app}/dashboard`, { waitUntil: "commit" });
      await page.waitForSelector("#upstream");
      assert.ok(
        navigations.some((u) =>
          u.startsWith(`${app}/.well-known/rstream/login?return=%2Fdashboard`),
        ),
        navigations.join(" → "),
      );
      assert.ok(
        !navigations.some((u) => u.includes("/.well-known/rstream/challenge")),
        navigations.join(" → "),
      );
      await page.close();
    });

    it("S-H4: a signed-in user outside the tunnel's allowed users gets 403 user_mismatch", async () => {
      await browser.context.clearCookies();
      const page = await browser.context.newPage();
      await page.goto(`${app}/dashboard`, { waitUntil: "commit" });
      await signInAtIdp(page, "eve");
      await page.waitForURL(`${app}/dashboard`);
      const reply = await page.reload();
      assert.equal(reply?.status(), 403);
      assert.match(await page.content(), /user_mismatch/);
      const session: unknown = await page.evaluate(async () =>
        (await fetch("/.well-known/rstream/session")).json(),
      );
      assert.deepEqual(session, { auth: { authenticated: false } });
      await page.close();
    });

    it("S-H4: a runtime without an IdP refuses requests that only rstream Auth could admit", async () => {
      const bare = await startStack(upstream, null);
      try {
        const cookie = await challengeCookieFor(bare.port, APP_HOST);
        const api = await request(bare.port, APP_HOST, "/dashboard", {
          headers: { cookie, accept: "application/json" },
        });
        assert.equal(api.status, 401);
        const navigation = await request(bare.port, APP_HOST, "/dashboard", {
          headers: { cookie, accept: "text/html" },
        });
        assert.equal(navigation.status, 302);
        const login = await request(bare.port, APP_HOST, navigation.headers.location as string, {
          headers: { cookie, accept: "text/html" },
        });
        assert.equal(login.status, 403);
        assert.match(login.body, /not available/);
        // A session cookie signed with the shared key (by an instance that has an IdP) is ignored.
        const user = {
          userId: "ada",
          name: null,
          email: "ada@example.org",
          image: null,
          groups: [],
        };
        const forged = signCookie(
          {
            kind: "session",
            host: APP_HOST,
            exp: Math.floor(Date.now() / 1000) + 600,
            sid: "e2e-session",
            user,
          },
          COOKIE_KEY,
        );
        const withSession = await request(bare.port, APP_HOST, "/dashboard", {
          headers: { cookie: `${cookie}; ${SESSION_COOKIE}=${forged}`, accept: "application/json" },
        });
        assert.equal(withSession.status, 401);
      } finally {
        await bare.runtime.close();
      }
    });
  },
);

/** Fills the IdP's login form (any password) and confirms its consent page. */
async function signInAtIdp(page: Page, login: string): Promise<void> {
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', "any-password");
  await page.click('button:has-text("Sign-in")');
  // The consent page: the first sign-in of this account to this client.
  await page.click('button:has-text("Continue")');
}

/** Fetches the verification page like a browser and solves its challenge with altcha-lib's Node solver. */
async function solvedChallenge(
  port: number,
  host: string,
  returnTo: string,
): Promise<{ challenge: Challenge; solution: Solution }> {
  const page = await request(
    port,
    host,
    `/.well-known/rstream/challenge?return=${encodeURIComponent(returnTo)}`,
    { headers: { accept: "text/html" } },
  );
  const challenge = challengeInPage(page.body);
  const solution = await solve(challenge, STEP_TIMEOUT_MS);
  return { challenge, solution };
}

/** Earns a challenge cookie the way a browser would; returns the `name=value` pair. */
async function challengeCookieFor(port: number, host: string): Promise<string> {
  const { challenge, solution } = await solvedChallenge(port, host, "/");
  const verified = await request(port, host, "/.well-known/rstream/challenge/verify", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: verifyFormBody({ challenge, solution }),
  });
  assert.equal(verified.status, 303);
  const set = verified.headers["set-cookie"]?.[0];
  assert.ok(set !== undefined);
  return set.split(";")[0] as string;
}

/** A WebSocket handshake without any cookie; resolves with the raw response. */
function rawUpgrade(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: "127.0.0.1", port, servername: host, rejectUnauthorized: false },
      () => {
        socket.write(
          `GET /live HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
        );
      },
    );
    let data = "";
    socket.setTimeout(STEP_TIMEOUT_MS, () => socket.destroy(new Error("upgrade timed out")));
    socket.on("data", (d: Buffer) => (data += d.toString()));
    socket.on("end", () => resolve(data));
    socket.on("close", () => resolve(data));
    socket.on("error", reject);
  });
}
