/**
 * SPEC §10 (S-R1…S-R20) on the wire: raw request bytes over HTTP and HTTPS against a running
 * `serve`, and what the upstream then received. Every test names the rule it shows; the table
 * in docs/hardening.md points back here.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { GrantIr } from "../../src/ir/types.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { CHALLENGE_COOKIE, signCookie } from "../../src/runtime/cookies.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { actionIr, grantIr, grantLeaf } from "../../src/testkit/builders.ts";
import { selfSigned, tempDir } from "./helpers/certs.ts";
import { startFrameworkUpstream } from "./helpers/framework-upstream.ts";
import type { FrameworkUpstream } from "./helpers/framework-upstream.ts";
import { compiledPolicy, effectivePolicy, tunnel, withToken } from "./helpers/policy.ts";
import { head, rawRequest } from "./helpers/raw.ts";
import type { RawReply, RawTarget } from "./helpers/raw.ts";
import { COOKIE_KEY, startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { Echo, TestUpstream } from "./helpers/upstream.ts";

const SECRET = "hardening-secret-0123456789abcdef-0123456789";
const HOSTS = [
  "web.test",
  "scoped.test",
  "override.test",
  "rewrite.test",
  "gate.test",
  "regex.test",
];

/** GET and HEAD under /public only. */
const PUBLIC_GET: GrantIr = grantIr({
  name: "public-reader",
  resources: grantLeaf({
    projects: ["acme"],
    connect: actionIr({ path: { kind: "prefix", values: ["/public"] }, methods: ["GET"] }),
  }),
});

/** S-R5: a regex scope over the canonical path. */
const REGEX_SCOPE: GrantIr = grantIr({
  name: "regex-reader",
  resources: grantLeaf({
    projects: ["acme"],
    connect: actionIr({ path: { kind: "regex", source: "^/api/[a-z]+$" } }),
  }),
});

const S_D2 = /^\{"error":\{"reason":"[a-z_]+"(,"policy":"[a-z]+")?\}\}$/;

describe("hardening rules S-R1…S-R20 over HTTP and HTTPS (issue #13)", () => {
  let echo: TestUpstream;
  const frameworks: Record<string, FrameworkUpstream> = {};
  let runtime: RuntimeHandle;
  let token: string;
  let regexToken: string;
  const ports = { http: 0, https: 0 };

  before(async () => {
    echo = await startUpstream();
    frameworks["raw-prefix"] = await startFrameworkUpstream("raw-prefix");
    frameworks["method-override"] = await startFrameworkUpstream("method-override");
    frameworks["original-url"] = await startFrameworkUpstream("original-url");
    const cert = selfSigned(tempDir(), "server", HOSTS);
    const policy = effectivePolicy([
      tunnel({ id: "web", hosts: ["web.test"], upstream: echo.url }),
      withToken(
        tunnel({ id: "scoped", hosts: ["scoped.test"], upstream: frameworks["raw-prefix"].url }),
      ),
      withToken(
        tunnel({
          id: "override",
          hosts: ["override.test"],
          upstream: frameworks["method-override"].url,
        }),
      ),
      withToken(
        tunnel({
          id: "rewrite",
          hosts: ["rewrite.test"],
          upstream: frameworks["original-url"].url,
        }),
      ),
      { ...tunnel({ id: "gate", hosts: ["gate.test"], upstream: echo.url }), challenge: true },
      withToken(tunnel({ id: "regex", hosts: ["regex.test"], upstream: echo.url })),
    ]);
    ({ runtime } = await startTestRuntime([compiledPolicy(policy)], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: HOSTS, certFile: cert.cert, keyFile: cert.key }],
      tokens: { secret: SECRET },
      maxHeaderBytes: 16 * 1024,
    }));
    ports.http = runtime.addresses.http?.port ?? 0;
    ports.https = runtime.addresses.https?.port ?? 0;
    const minted = await mintToken({
      secret: SECRET,
      grant: PUBLIC_GET,
      subject: "u1",
      lifetimeSeconds: 600,
    });
    token = minted.value ?? "";
    const regex = await mintToken({
      secret: SECRET,
      grant: REGEX_SCOPE,
      subject: "u2",
      lifetimeSeconds: 600,
    });
    regexToken = regex.value ?? "";
  });
  after(async () => {
    await runtime.close();
    await echo.close();
    for (const f of Object.values(frameworks)) await f.close();
  });

  for (const scheme of ["http", "https"] as const) {
    const at = (host: string): RawTarget =>
      scheme === "http" ? { port: ports.http } : { port: ports.https, servername: host };
    /** One request with `Connection: close`, raw bytes as given. */
    const ask = (
      host: string,
      line: string,
      fields: readonly (readonly [string, string])[] = [["Host", host]],
    ): Promise<RawReply> => rawRequest(at(host), head(line, [...fields, ["Connection", "close"]]));
    /** What the echo upstream saw for the request `run` sends (null: nothing was forwarded). */
    const forwarded = async (run: () => Promise<RawReply>): Promise<[RawReply, Echo | null]> => {
      const before = echo.seen.length;
      const reply = await run();
      return [reply, echo.seen.length > before ? (echo.seen.at(-1) ?? null) : null];
    };
    const refused = (reply: RawReply, status: number): void => {
      assert.equal(reply.status, status, reply.raw.slice(0, 200));
      assert.match(reply.body, S_D2);
    };

    describe(`over ${scheme}`, () => {
      it("S-R1: a second Host field is 400, never routed by the first", async () => {
        const [reply, seen] = await forwarded(() =>
          ask("web.test", "GET / HTTP/1.1", [
            ["Host", "web.test"],
            ["Host", "gate.test"],
          ]),
        );
        refused(reply, 400);
        assert.equal(seen, null);
      });

      it("S-R1: absolute form must name the Host; a fragment or `*` with GET is 400", async () => {
        const [same, seenSame] = await forwarded(() =>
          ask("web.test", `GET ${scheme}://web.test/a/./b?x=1 HTTP/1.1`),
        );
        assert.equal(same.status, 200);
        assert.equal(seenSame?.url, "/a/b?x=1", "forwarded in origin form, canonical");
        const [other, seenOther] = await forwarded(() =>
          ask("web.test", "GET http://gate.test/ HTTP/1.1"),
        );
        refused(other, 400);
        assert.equal(seenOther, null);
        refused(await ask("web.test", "GET /a#frag HTTP/1.1"), 400);
        refused(await ask("web.test", "GET * HTTP/1.1"), 400);
        const [options, seenOptions] = await forwarded(() => ask("web.test", "OPTIONS * HTTP/1.1"));
        assert.equal(options.status, 200);
        assert.equal(seenOptions, null, "`OPTIONS *` is answered by the engine");
      });

      it("S-R2: unreserved escapes are decoded once; %2F, %5C, raw \\, controls, bad UTF-8 are 400", async () => {
        const [ok, seen] = await forwarded(() => ask("web.test", "GET /%61pi/%7Eu%3b HTTP/1.1"));
        assert.equal(ok.status, 200);
        assert.equal(seen?.url, "/api/~u%3B");
        for (const path of ["/a%2Fb", "/a%5cb", "/a\\b", "/a%00", "/a%zz", "/a%C3%28", "/%252e"]) {
          const [reply, none] = await forwarded(() => ask("web.test", `GET ${path} HTTP/1.1`));
          refused(reply, 400);
          assert.equal(none, null, path);
        }
      });

      it("S-R3: slashes merge and dot segments resolve; `..` above the root and `..;` are 400", async () => {
        const [ok, seen] = await forwarded(() =>
          ask("web.test", "GET /a//b/./c/%2e%2E/d HTTP/1.1"),
        );
        assert.equal(ok.status, 200);
        assert.equal(seen?.url, "/a/b/d");
        refused(await ask("web.test", "GET /a/../.. HTTP/1.1"), 400);
        refused(await ask("web.test", "GET /a/..;x/b HTTP/1.1"), 400);
      });

      it("S-R4: the path decided is the path forwarded (a prefix router that does not resolve dots)", async () => {
        const router = frameworks["raw-prefix"] as FrameworkUpstream;
        const auth = ["Authorization", `Bearer ${token}`] as const;
        for (const path of [
          "/public/../admin",
          "/public/%2e%2e/admin",
          "/public/.%2e/admin",
          "//public/../admin",
        ]) {
          const before = router.hits.length;
          const reply = await ask("scoped.test", `GET ${path} HTTP/1.1`, [
            ["Host", "scoped.test"],
            auth,
          ]);
          assert.equal(reply.status, 403, `${path}: decided on /admin`);
          assert.equal(router.hits.length, before, `${path}: nothing forwarded`);
        }
        const reply = await ask("scoped.test", "GET /public/./x/../y HTTP/1.1", [
          ["Host", "scoped.test"],
          auth,
        ]);
        assert.equal(reply.status, 200);
        const hit = JSON.parse(reply.body) as { target: string; route: string };
        assert.deepEqual([hit.target, hit.route], ["/public/y", "public"]);
      });

      it("S-R5: a regex scope matches the canonical path without the query", async () => {
        const auth = ["Authorization", `Bearer ${regexToken}`] as const;
        const ok = await ask("regex.test", "GET /api/%61bc?x=1 HTTP/1.1", [
          ["Host", "regex.test"],
          auth,
        ]);
        assert.equal(ok.status, 200);
        const no = await ask("regex.test", "GET /api/x/../../admin HTTP/1.1", [
          ["Host", "regex.test"],
          auth,
        ]);
        refused(no, 403);
      });

      it("S-R8: the host is matched lower-case without port and one trailing dot; a miss is 404", async () => {
        const ok = await ask("web.test", "GET / HTTP/1.1", [["Host", "WEB.Test.:8443"]]);
        assert.equal(ok.status, 200);
        const miss = await ask("nowhere.test", "GET / HTTP/1.1");
        // Over TLS an unknown SNI gets no certificate: the handshake is refused, nothing served.
        if (scheme === "http") refused(miss, 404);
        else assert.equal(miss.status, null);
      });

      it("S-R10: a tossed cookie of the same name never locks the user out", async () => {
        const exp = Math.floor(Date.now() / 1000) + 600;
        const valid = signCookie({ kind: "challenge", host: "gate.test", exp }, COOKIE_KEY);
        const tossed = signCookie({ kind: "challenge", host: "evil.test", exp }, COOKIE_KEY);
        const cookie = `${CHALLENGE_COOKIE}=${tossed}; ${CHALLENGE_COOKIE}=garbage; ${CHALLENGE_COOKIE}=${valid}`;
        const [reply, seen] = await forwarded(() =>
          ask("gate.test", "GET /page HTTP/1.1", [
            ["Host", "gate.test"],
            ["Cookie", cookie],
            ["Accept", "text/html"],
          ]),
        );
        assert.equal(reply.status, 200);
        assert.equal(seen?.headers.cookie, undefined, "engine cookies never go upstream");
        const onlyTossed = await ask("gate.test", "GET /page HTTP/1.1", [
          ["Host", "gate.test"],
          ["Cookie", `${CHALLENGE_COOKIE}=${tossed}`],
          ["Accept", "text/html"],
        ]);
        assert.equal(onlyTossed.status, 302, "a tossed cookie grants nothing");
      });

      it("S-R11: the challenge return URL is the canonical target without the token", async () => {
        const reply = await ask("gate.test", "GET /a/./b/?x=1&rstream.token=t HTTP/1.1", [
          ["Host", "gate.test"],
          ["Accept", "text/html"],
        ]);
        assert.equal(reply.status, 302);
        assert.equal(
          reply.headers["location"],
          `/.well-known/rstream/challenge?return=${encodeURIComponent("/a/b/?x=1")}`,
        );
      });

      it("S-R12: logout refuses GET, HEAD and a POST carrying a method override (405)", async () => {
        const path = "/.well-known/rstream/logout";
        for (const method of ["GET", "HEAD"]) {
          const reply = await ask("web.test", `${method} ${path} HTTP/1.1`);
          assert.equal(reply.status, 405, method);
        }
        const post = await ask("web.test", `POST ${path} HTTP/1.1`, [
          ["Host", "web.test"],
          ["X-HTTP-Method-Override", "GET"],
          ["Content-Length", "0"],
        ]);
        refused(post, 405);
        assert.equal(post.headers["allow"], "POST");
        // The decision refuses it (explain says the same), with the body of the GET refusal.
        assert.equal(post.body, '{"error":{"reason":"not_allowed"}}');
      });

      it("S-R13: engine endpoints are classified after canonicalization and never cached", async () => {
        for (const path of [
          "/x/../.well-known/rstream/session",
          "/.well-known/./rstream/session",
        ]) {
          const [reply, seen] = await forwarded(() => ask("web.test", `GET ${path} HTTP/1.1`));
          assert.equal(reply.status, 200, path);
          assert.match(reply.body, /"authenticated":false/);
          assert.equal(reply.headers["cache-control"], "no-store");
          assert.equal(seen, null, `${path} is never forwarded (S-O2)`);
        }
      });

      it("S-R13: engine endpoints give no CORS credentials to a foreign origin, and a preflight to them never reaches the upstream", async () => {
        const evil = "https://evil.example";
        const noCors = (reply: RawReply, label: string): void => {
          const granted = Object.keys(reply.headers).filter((h) => h.startsWith("access-control-"));
          assert.deepEqual(granted, [], `${label}: no CORS header from the engine`);
        };
        // A credentialed cross-origin read of the session document: answered (the document is
        // the browser's to read only from the tunnel origin), with no CORS grant to `evil`.
        const read = await ask("scoped.test", "GET /.well-known/rstream/session HTTP/1.1", [
          ["Host", "scoped.test"],
          ["Origin", evil],
          ["Authorization", `Bearer ${token}`],
        ]);
        assert.equal(read.status, 200);
        assert.match(read.body, /"authenticated"/);
        noCors(read, "session read");
        // A cross-origin logout is refused (S-W2), without a CORS grant either.
        const logout = await ask("web.test", "POST /.well-known/rstream/logout HTTP/1.1", [
          ["Host", "web.test"],
          ["Origin", evil],
          ["Content-Length", "0"],
        ]);
        refused(logout, 403);
        noCors(logout, "logout");
        // Preflights to the engine's paths are the engine's to answer: refused, never forwarded
        // (an upstream that reflects any Origin with credentials would otherwise grant them).
        for (const path of [
          "/.well-known/rstream/session",
          "/.well-known/rstream/logout",
          "/x/../.well-known/rstream/session",
          "/.well-known/rstream/challenge",
          "/.well-known/rstream/login",
        ]) {
          const [reply, seen] = await forwarded(() =>
            ask("web.test", `OPTIONS ${path} HTTP/1.1`, [
              ["Host", "web.test"],
              ["Origin", evil],
              ["Access-Control-Request-Method", "POST"],
              ["Access-Control-Request-Headers", "authorization, content-type"],
            ]),
          );
          assert.ok((reply.status ?? 0) >= 400, `${path}: ${reply.status}`);
          noCors(reply, path);
          assert.equal(seen, null, `${path} is never forwarded (S-O2)`);
        }
        // The application's own paths are the upstream's: its preflight is forwarded.
        const [, app] = await forwarded(() =>
          ask("web.test", "OPTIONS /app HTTP/1.1", [
            ["Host", "web.test"],
            ["Origin", evil],
            ["Access-Control-Request-Method", "POST"],
          ]),
        );
        assert.equal(app?.method, "OPTIONS");
      });

      it("S-R15: a repeated rstream.token is 400; every spelling is stripped before forwarding", async () => {
        refused(await ask("web.test", "GET /p?rstream.token=a&rstream.token=b HTTP/1.1"), 400);
        refused(await ask("web.test", "GET /p?rstream.token=a&rstream%2Etoken=b HTTP/1.1"), 400);
        for (const query of [
          "a=1&rstream%2etoken=s&b=2",
          "a=1;RSTREAM.TOKEN=s&b=2",
          "a=1&%72stream.token=s&b=2",
        ]) {
          const [reply, seen] = await forwarded(() => ask("web.test", `GET /p?${query} HTTP/1.1`));
          assert.equal(reply.status, 200, query);
          assert.doesNotMatch(seen?.url ?? "", /token|=s\b/i, query);
        }
      });

      it("S-R16: only websocket upgrades are forwarded; h2c and others are 400", async () => {
        for (const upgrade of ["h2c", "websocket, h2c", "TLS/1.2"]) {
          const [reply, seen] = await forwarded(() =>
            ask("web.test", "GET / HTTP/1.1", [
              ["Host", "web.test"],
              ["Connection", "Upgrade, HTTP2-Settings"],
              ["Upgrade", upgrade],
              ["HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"],
            ]),
          );
          refused(reply, 400);
          assert.equal(seen, null, upgrade);
        }
      });

      it("S-R17: HEAD is non-GET for the challenge gate (403, not a redirect)", async () => {
        const reply = await ask("gate.test", "HEAD /page HTTP/1.1", [
          ["Host", "gate.test"],
          ["Accept", "text/html"],
        ]);
        assert.equal(reply.status, 403);
      });

      it("S-R17: method overrides are stripped (a framework honouring them stays in scope)", async () => {
        const fw = frameworks["method-override"] as FrameworkUpstream;
        for (const name of ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"]) {
          const reply = await ask("override.test", "GET /public/x HTTP/1.1", [
            ["Host", "override.test"],
            ["Authorization", `Bearer ${token}`],
            [name, "DELETE"],
          ]);
          assert.equal(reply.status, 200);
          const hit = JSON.parse(reply.body) as { effectiveMethod: string };
          assert.equal(hit.effectiveMethod, "GET", `${name} never reaches the upstream`);
        }
        assert.ok(fw.hits.every((h) => h.effectiveMethod === "GET"));
      });

      it("S-R18: an oversized header block is 431, over TLS too; too many fields is 431; a long URL is 414", async () => {
        const big = await ask("web.test", "GET / HTTP/1.1", [
          ["Host", "web.test"],
          ["X-Big", "a".repeat(17_000)],
        ]);
        refused(big, 431);
        const many: [string, string][] = [["Host", "web.test"]];
        for (let i = 0; i < 120; i++) many.push([`X-F${i}`, "1"]);
        refused(await ask("web.test", "GET / HTTP/1.1", many), 431);
        refused(await ask("web.test", `GET /${"a".repeat(8200)} HTTP/1.1`), 414);
      });

      it("S-R20: rewrite, identity and untrusted forwarding headers never reach the upstream", async () => {
        const [reply, seen] = await forwarded(() =>
          ask("web.test", "GET /p HTTP/1.1", [
            ["Host", "web.test"],
            ["X-Original-URL", "/admin"],
            ["X-Rewrite-URL", "/admin"],
            ["X-Forwarded-Prefix", "/admin"],
            ["X-Forwarded-Host", "evil.test"],
            ["Forwarded", "for=1.2.3.4;host=evil.test"],
            ["X-Real-IP", "1.2.3.4"],
            ["X-Rampart-Subject", "admin"],
            ["Connection", "x-forwarded-for, x-forwarded-proto"],
          ]),
        );
        assert.equal(reply.status, 200);
        const h = seen?.headers ?? {};
        for (const name of [
          "x-original-url",
          "x-rewrite-url",
          "x-forwarded-prefix",
          "forwarded",
          "x-real-ip",
          "x-rampart-subject",
        ])
          assert.equal(h[name], undefined, name);
        assert.equal(h["x-forwarded-host"], "web.test");
        assert.equal(h["x-forwarded-for"], "127.0.0.1", "a client cannot remove what serve adds");
        assert.equal(h["x-forwarded-proto"], scheme);
      });

      it("S-R20: a framework honouring X-Original-URL stays in the token's scope", async () => {
        const reply = await ask("rewrite.test", "GET /public/x HTTP/1.1", [
          ["Host", "rewrite.test"],
          ["Authorization", `Bearer ${token}`],
          ["X-Original-URL", "/admin"],
          ["X-Rewrite-URL", "/admin"],
        ]);
        assert.equal(reply.status, 200);
        assert.equal((JSON.parse(reply.body) as { route: string }).route, "public");
      });

      it("S-R20: hop-by-hop and Connection-listed fields are gone before policy", async () => {
        const reply = await ask("scoped.test", "GET /public/x HTTP/1.1", [
          ["Host", "scoped.test"],
          ["Authorization", `Bearer ${token}`],
          ["Connection", "authorization"],
        ]);
        refused(reply, 401);
      });
    });
  }
});
