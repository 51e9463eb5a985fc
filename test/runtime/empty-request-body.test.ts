/**
 * A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3).
 * `serve` lets Node skip such a request's stream events (issue #20, `optimizeEmptyRequests`):
 * the engine's own body readers must still answer it at once instead of waiting for an `end`
 * that never comes, and a forwarded request must reach the upstream as before.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { CHALLENGE_COOKIE, SESSION_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { head, parseReply, rawRequest } from "./helpers/raw.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { COOKIE_KEY, startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

/** Long enough for any answer on a loaded machine; a request left waiting gets none. */
const ANSWER_WITHIN_MS = 4_000;

const sessionCookie = (host: string): string =>
  `${SESSION_COOKIE}=${signCookie({ kind: "session", host, exp: Math.floor(Date.now() / 1000) + 600, sid: "s-1", user: { userId: "u-1", name: "Ada", email: "ada@acme.test", image: null, groups: [] } }, COOKIE_KEY)}`;

describe("issue #20: requests without a body field", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let port: number;

  before(async () => {
    upstream = await startUpstream();
    const app = tunnel({ id: "app", hosts: ["app.test"], upstream: upstream.url });
    const policy = effectivePolicy([
      tunnel({ id: "open", hosts: ["open.test"], upstream: upstream.url }),
      { ...app, challenge: true, auth: { ...app.auth, rstreamAuth: true } },
    ]);
    ({ runtime } = await startTestRuntime([compiledPolicy(policy)], {
      rstreamAuth: { issuer: "https://idp.invalid", clientId: "rampart-test" },
    }));
    port = runtime.addresses.http?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await upstream.close();
  });

  const post = (host: string, path: string, fields: [string, string][]) =>
    rawRequest(
      { port },
      head(`POST ${path} HTTP/1.1`, [["Host", host], ["Connection", "close"], ...fields]),
      ANSWER_WITHIN_MS,
    );

  it("S-W2: a logout POST with no body field is answered 204 at once", async () => {
    const reply = await post("app.test", "/.well-known/rstream/logout", [
      ["Cookie", sessionCookie("app.test")],
    ]);
    assert.equal(reply.status, 204, reply.raw);
    assert.match(reply.headers["set-cookie"] ?? "", new RegExp(`^${SESSION_COOKIE}=;`));
  });

  it("S-C2: a challenge verification POST with no body field is refused at once", async () => {
    const reply = await post("app.test", "/.well-known/rstream/challenge/verify", [
      ["Content-Type", "application/x-www-form-urlencoded"],
    ]);
    // An empty form holds no solution: refused as a client error, and no cookie is set.
    assert.equal(reply.status, 400, reply.raw);
    assert.doesNotMatch(reply.raw, new RegExp(`Set-Cookie: ${CHALLENGE_COOKIE}=`, "i"));
  });

  it("S-O1: bodiless GET and POST are forwarded, twice on one keep-alive connection", async () => {
    const bytes =
      head("GET /a HTTP/1.1", [["Host", "open.test"]]) +
      head("POST /b HTTP/1.1", [
        ["Host", "open.test"],
        ["Connection", "close"],
      ]);
    const reply = await rawRequest({ port }, bytes, ANSWER_WITHIN_MS);
    assert.equal(reply.status, 200, reply.raw);
    assert.equal(reply.raw.match(/^HTTP\/1\.1 200 /gm)?.length, 2, reply.raw);
    const seen = upstream.seen.map((r) => `${r.method} ${r.url}`);
    assert.ok(seen.includes("GET /a") && seen.includes("POST /b"), seen.join(", "));
  });

  it("S-D3: a bodiless request the upstream client cannot send is answered 502, never cut as a client abort", async () => {
    // undici refuses an `Expect` field before anything is sent; the client is still there.
    const reply = await rawRequest(
      { port },
      head("GET /x HTTP/1.1", [
        ["Host", "open.test"],
        ["Expect", "100-continue"],
        ["Connection", "close"],
      ]),
      ANSWER_WITHIN_MS,
    );
    // Node answers the expectation itself first; the final answer follows it.
    const final = parseReply(reply.raw.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, ""));
    assert.equal(final.status, 502, reply.raw);
  });
});
