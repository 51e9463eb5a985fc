import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Challenge } from "altcha-lib/types";
import { challengeInPage, solve, verifyFormBody } from "./helpers/challenge.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import { CHALLENGE_COOKIE, readCookie, verifyCookie } from "../../src/runtime/cookies.ts";
import { ChallengeOptionsSchema } from "../../src/runtime/challenge/options.ts";
import {
  createChallengeContext,
  handleChallengeEndpoint,
} from "../../src/runtime/challenge/endpoint.ts";

const KEY = "cookie-key-".repeat(4);
const HOST = "app.example";

/** Facts as the pipeline would gather them; `secure` says whether the request came over TLS. */
function factsOf(req: IncomingMessage, secure: boolean): RequestFacts {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const cookie = req.headers.cookie;
  const value = readCookie(cookie, CHALLENGE_COOKIE);
  return {
    host: HOST,
    method: req.method ?? "GET",
    path: q < 0 ? url : url.slice(0, q),
    clientIp: "127.0.0.1",
    country: null,
    secure,
    acceptsHtml: (req.headers.accept ?? "").includes("text/html"),
    upgrade: false,
    origin: null,
    referer: null,
    contentType: req.headers["content-type"] ?? null,
    token: null,
    challengeCookie: value === null ? null : verifyCookie(value, "challenge", HOST, KEY).status,
    session: null,
    clientCredential: null,
    tlsVersion: null,
  };
}

describe("S-C2, S-D4: the challenge endpoints", () => {
  const ctx = createChallengeContext(
    KEY,
    ChallengeOptionsSchema.parse({
      cost: 1,
      counterMin: 5,
      counterMax: 40,
      cookieTtlSeconds: 3600,
    }),
  );
  let server: Server;
  let base = "";
  // `x-test-secure: 1` stands in for a TLS connection.
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const facts = factsOf(req, req.headers["x-test-secure"] === "1");
    const challengeMode = req.headers["x-test-challenge-off"] !== "1";
    if (!handleChallengeEndpoint(req, res, facts, req.url ?? "/", challengeMode, ctx))
      res.writeHead(404).end("not handled");
  };

  before(async () => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  async function pageChallenge(returnTo: string): Promise<Challenge> {
    const res = await fetch(
      `${base}/.well-known/rstream/challenge?return=${encodeURIComponent(returnTo)}`,
      { headers: { accept: "text/html" } },
    );
    assert.equal(res.status, 200);
    return challengeInPage(await res.text());
  }

  async function submit(
    challenge: Challenge,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const solution = await solve(challenge);
    return fetch(`${base}/.well-known/rstream/challenge/verify`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "text/html",
        ...headers,
      },
      body: verifyFormBody({ challenge, solution }),
    });
  }

  it("serves the page with a strict CSP, no caching, and the engine's own solver script", async () => {
    const res = await fetch(`${base}/.well-known/rstream/challenge?return=%2Fa`, {
      headers: { accept: "text/html" },
    });
    assert.equal(res.status, 200);
    assert.match(
      res.headers.get("content-security-policy") ?? "",
      /default-src 'none'; script-src 'self';.*frame-ancestors 'none'/,
    );
    assert.equal(res.headers.get("cache-control"), "no-store");
    const html = await res.text();
    assert.match(
      html,
      /<script type="module" src="\/\.well-known\/rstream\/challenge\/solver\.js">/,
    );
    const solver = await fetch(`${base}/.well-known/rstream/challenge/solver.js`);
    assert.equal(solver.status, 200);
    assert.match(solver.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.match(await solver.text(), /from "\.\/altcha\/pow\.js"/);
    // altcha-lib's browser modules, at paths where their relative imports resolve.
    for (const file of ["pow.js", "helpers.js", "types.js", "algorithms/web/sha.js"]) {
      assert.equal(
        (await fetch(`${base}/.well-known/rstream/challenge/altcha/${file}`)).status,
        200,
        file,
      );
    }
  });

  for (const evil of [
    "//evil.example",
    "/\\evil.example",
    "https:evil.example",
    "/%2F%2Fevil.example",
  ]) {
    it(`refuses to serve a page that would return to ${evil}`, async () => {
      const res = await fetch(
        `${base}/.well-known/rstream/challenge?return=${encodeURIComponent(evil)}`,
        { headers: { accept: "text/html" } },
      );
      assert.equal(res.status, 400);
      assert.doesNotMatch(await res.text(), /evil\.example/);
    });
  }

  it("sets a host-only, Path=/, HttpOnly, SameSite=Lax challenge cookie without Secure on plain HTTP, and returns with 303", async () => {
    const res = await submit(await pageChallenge("/next?q=1"));
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/next?q=1");
    const cookie = res.headers.get("set-cookie") ?? "";
    const attrs = cookie.split("; ");
    assert.ok(attrs[0]?.startsWith(`${CHALLENGE_COOKIE}=`));
    assert.ok(
      attrs.includes("Path=/") && attrs.includes("HttpOnly") && attrs.includes("SameSite=Lax"),
    );
    assert.ok(attrs.includes("Max-Age=3600"));
    assert.ok(!attrs.some((a) => /^domain=/i.test(a)), "host-only: no Domain attribute");
    assert.ok(!attrs.includes("Secure"));
    const value = (attrs[0] as string).slice(CHALLENGE_COOKIE.length + 1);
    const checked = verifyCookie(value, "challenge", HOST, KEY);
    assert.equal(checked.status, "valid");
    // The expiry is inside the signed value, bound to the host and the kind.
    assert.ok(checked.status === "valid" && checked.payload.exp > Date.now() / 1000 + 3500);
    assert.equal(verifyCookie(value, "challenge", "other.example", KEY).status, "invalid");
    assert.equal(verifyCookie(value, "session", HOST, KEY).status, "invalid");
  });

  it("adds Secure when the tunnel is served over TLS", async () => {
    const res = await submit(await pageChallenge("/"), { "x-test-secure": "1" });
    assert.equal(res.status, 303);
    assert.ok((res.headers.get("set-cookie") ?? "").split("; ").includes("Secure"));
  });

  it("refuses a replayed solution with 403 and a retry link", async () => {
    const challenge = await pageChallenge("/back");
    const solution = await solve(challenge);
    const post = (): Promise<Response> =>
      fetch(`${base}/.well-known/rstream/challenge/verify`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
        body: verifyFormBody({ challenge, solution }),
      });
    assert.equal((await post()).status, 303);
    const replay = await post();
    assert.equal(replay.status, 403);
    assert.equal(replay.headers.get("set-cookie"), null);
    assert.match(
      await replay.text(),
      /already used[\s\S]*href="\/\.well-known\/rstream\/challenge\?return=%2Fback"/,
    );
  });

  it("answers API clients with JSON and refuses bodies that are not forms", async () => {
    const res = await fetch(`${base}/.well-known/rstream/challenge/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(res.status, 415);
    assert.deepEqual(await res.json(), {
      error: { reason: "policy_denied", policy: "challenge", detail: "malformed" },
    });
  });

  it("skips the page when the browser already holds a valid challenge cookie", async () => {
    const first = await submit(await pageChallenge("/"));
    const cookie = (first.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const res = await fetch(`${base}/.well-known/rstream/challenge?return=%2Fhome`, {
      headers: { cookie, accept: "text/html" },
      redirect: "manual",
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/home");
  });

  it("leaves every other path, and tunnels without challenge mode, to the caller", async () => {
    assert.equal((await fetch(`${base}/.well-known/rstream/challenge/other`)).status, 404);
    assert.equal(
      (
        await fetch(`${base}/.well-known/rstream/challenge`, {
          headers: { "x-test-challenge-off": "1" },
        })
      ).status,
      404,
    );
    assert.equal((await fetch(`${base}/.well-known/rstream/challenge/verify`)).status, 404);
  });
});
