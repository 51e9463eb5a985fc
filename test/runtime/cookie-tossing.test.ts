/**
 * The session cookie against tossing and malformed `Cookie` headers (S-R10, S-O3, S-M2), on a
 * running `serve`: a valid session among at most 8 candidates counts, a tossed one grants
 * nothing, a malformed header is never a 500, the engine's cookies never reach the upstream
 * in any spelling the engine reads, and a logged-out session copied back is refused.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { MAX_COOKIE_CANDIDATES, SESSION_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { send } from "./helpers/http.ts";
import type { Reply } from "./helpers/http.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { head, rawRequest } from "./helpers/raw.ts";
import { COOKIE_KEY, startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const HOST = "app.test";
const SESSION_PATH = "/.well-known/rstream/session";

/** A session cookie value signed for `host`, as the login flow sets it. */
function session(host: string, sid: string, options: { exp?: number; key?: string } = {}): string {
  return signCookie(
    {
      kind: "session",
      host,
      exp: options.exp ?? Math.floor(Date.now() / 1000) + 600,
      sid,
      user: { userId: `user-${sid}`, name: null, email: null, image: null, groups: [] },
    },
    options.key ?? COOKIE_KEY,
  );
}

/** Values a sibling host or a forger can toss under the session cookie's name. */
const tossed = (i: number): string =>
  [
    session("evil.test", `t${i}`),
    session(HOST, `t${i}`, { exp: Math.floor(Date.now() / 1000) - 1 }),
    session(HOST, `t${i}`, { key: "another-key-0123456789abcdef0123456789" }),
    "garbage",
  ][i % 4] ?? "";

describe("session cookies: tossing and malformed headers (S-R10, S-O3, S-M2)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let port: number;

  before(async () => {
    upstream = await startUpstream();
    const t = tunnel({ id: "app", hosts: [HOST], upstream: upstream.url });
    const policy = effectivePolicy([{ ...t, auth: { ...t.auth, rstreamAuth: true } }]);
    ({ runtime } = await startTestRuntime([compiledPolicy(policy)], {
      // Sessions count only with an rstream Auth backend (S-H4); no login is started here.
      rstreamAuth: { issuer: "https://idp.invalid", clientId: "rampart-test" },
    }));
    port = runtime.addresses.http?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await upstream.close();
  });

  const ask = (path: string, cookie: string, method = "GET"): Promise<Reply> =>
    send({ port, host: HOST, path, method, headers: { cookie } });
  /** Who the session endpoint says the request is, or null. */
  const whoIs = async (cookie: string): Promise<string | null> => {
    const reply = await ask(SESSION_PATH, cookie);
    assert.equal(reply.status, 200, reply.body);
    const body = JSON.parse(reply.body) as { user?: { userId: string } };
    return body.user?.userId ?? null;
  };
  const pairs = (values: readonly string[]): string =>
    values.map((v) => `${SESSION_COOKIE}=${v}`).join("; ");

  it("S-R10: the real session after 7 tossed ones counts, and the tossed alone grant nothing", async () => {
    const candidates = [...Array.from({ length: MAX_COOKIE_CANDIDATES - 1 }, (_, i) => tossed(i))];
    assert.equal(await whoIs(pairs([...candidates, session(HOST, "real")])), "user-real");
    assert.equal(await whoIs(pairs(candidates)), null);
    const before = upstream.seen.length;
    const reply = await ask("/page", pairs(candidates));
    assert.notEqual(reply.status, 200);
    assert.equal(upstream.seen.length, before, "nothing is forwarded without a session");
  });

  it("S-R10: the bound is 8 candidates: a 9th is not read", async () => {
    const candidates = Array.from({ length: MAX_COOKIE_CANDIDATES }, (_, i) => tossed(i));
    assert.equal(await whoIs(pairs([...candidates, session(HOST, "late")])), null);
  });

  it("S-O3: the session cookie never reaches the upstream, whatever the spacing around it", async () => {
    const real = session(HOST, "real");
    for (const cookie of [
      `a=1; ${SESSION_COOKIE}=${real}; b=2`,
      `a=1;${SESSION_COOKIE}=${real};b=2`,
      `a=1;  ${SESSION_COOKIE} = ${real} ;b=2`,
      `a=1;\t${SESSION_COOKIE}=${real}\t; b=2`,
      `a=1; ${SESSION_COOKIE}=garbage; ${SESSION_COOKIE}=${real}; b=2`,
    ]) {
      const reply = await ask("/page", cookie);
      assert.equal(reply.status, 200, `${JSON.stringify(cookie)}: ${reply.body}`);
      const seen = upstream.seen.at(-1)?.headers.cookie;
      assert.equal(seen, "a=1; b=2", JSON.stringify(cookie));
    }
  });

  it("malformed Cookie headers are never a 500 and never a session", async () => {
    for (const cookie of [
      SESSION_COOKIE,
      `=${session(HOST, "x")}`,
      ";;;",
      `${SESSION_COOKIE}="${session(HOST, "x")}"`,
      `${SESSION_COOKIE.toUpperCase()}=${session(HOST, "x")}`,
      `${SESSION_COOKIE}=${session(HOST, "x")}x`,
      `${SESSION_COOKIE}=v1.${"A".repeat(5000)}.x`,
      Array.from({ length: 400 }, (_, i) => `c${i}=${i}`).join("; "),
      `${SESSION_COOKIE}=v1..`,
      `${SESSION_COOKIE}=v1.e30.`,
    ])
      assert.equal(await whoIs(cookie), null, cookie.slice(0, 80));
    // Bytes outside ASCII in the header: refused or read as no session, never a 500.
    const raw = await rawRequest(
      { port },
      head(`GET ${SESSION_PATH} HTTP/1.1`, [
        ["Host", HOST],
        ["Cookie", `${SESSION_COOKIE}=\u00e9\u00ff; x=\u0080`],
        ["Connection", "close"],
      ]),
    );
    assert.ok(raw.status === 400 || raw.body.includes('"authenticated":false'), raw.raw);
  });

  it("S-M2: a logged-out session copied back is refused, even beside a tossed one", async () => {
    const real = session(HOST, "to-log-out");
    assert.equal(await whoIs(pairs([real])), "user-to-log-out");
    const out = await ask("/.well-known/rstream/logout", pairs([tossed(0), real]), "POST");
    assert.equal(out.status, 204);
    assert.equal(await whoIs(pairs([real])), null);
    assert.equal(await whoIs(pairs([tossed(1), real])), null);
    assert.equal(await whoIs(pairs([session(HOST, "another")])), "user-another");
  });
});
