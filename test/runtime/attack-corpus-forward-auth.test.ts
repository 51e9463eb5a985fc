/**
 * The attack corpus on the forward-auth endpoint (`serve --forward-auth`, SPEC §10, S-R19): the
 * shared target and Host cases as the original request an nginx `auth_request` or a
 * Traefik/Caddy ForwardAuth sub-request describes, then what only a sub-request can carry —
 * missing, repeated or malformed original-request headers, untrusted peers, client addresses,
 * and sub-requests the parser refuses. Whatever the input, the answer is 2xx, 401 or 403 (the
 * real status in `X-Rampart-Status`), and an allow tells nginx exactly the canonical target.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { HOST_CASES, TARGET_CASES } from "./helpers/attack-corpus.ts";
import { send } from "./helpers/http.ts";
import type { Reply } from "./helpers/http.ts";
import { compiledPolicy, effectivePolicy, tunnel, withTrustedIps } from "./helpers/policy.ts";
import { rawRequest } from "./helpers/raw.ts";
import { startTestRuntime } from "./helpers/runtime.ts";

/** A forward-auth answer no proxy can mistake: 2xx, 401 or 403 (S-R19). */
const ANSWERS = new Set([200, 401, 403]);

describe("attack corpus: forward-auth, nginx and Traefik dialects (S-R19)", () => {
  let runtime: RuntimeHandle;
  let strict: RuntimeHandle;
  let port: number;
  let strictPort: number;

  before(async () => {
    const policy = compiledPolicy(
      effectivePolicy([
        tunnel({ id: "web", hosts: ["web.test"], upstream: null }),
        tunnel({ id: "wild", hosts: ["*.wild.test"], upstream: null }),
        // Only the internal network, where the proxy itself lives.
        withTrustedIps(tunnel({ id: "inside", hosts: ["inside.test"], upstream: null }), [
          "127.0.0.0/8",
        ]),
      ]),
    );
    const options = { forwardAuth: { host: "127.0.0.1", port: 0 }, maxHeaderBytes: 8192 };
    ({ runtime } = await startTestRuntime([policy], { ...options, trustedProxies: ["127.0.0.1"] }));
    port = runtime.addresses.forwardAuth?.port ?? 0;
    // Loopback is no trusted proxy here: every sub-request comes from an untrusted peer.
    ({ runtime: strict } = await startTestRuntime([policy], {
      ...options,
      trustedProxies: ["192.0.2.0/24"],
    }));
    strictPort = strict.addresses.forwardAuth?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await strict.close();
  });

  const nginx = (headers: OutgoingHttpHeaders, at = port): Promise<Reply> =>
    send({ port: at, host: "rampart_forward_auth", path: "/nginx", headers });
  const traefik = (headers: OutgoingHttpHeaders, at = port): Promise<Reply> =>
    send({ port: at, host: "rampart:9000", path: "/traefik", headers });
  const asNginx = (uri: string, host = "web.test"): OutgoingHttpHeaders => ({
    "x-original-method": "GET",
    "x-original-uri": uri,
    "x-forwarded-host": host,
    "x-real-ip": "127.0.0.9",
  });
  const asTraefik = (uri: string, host = "web.test"): OutgoingHttpHeaders => ({
    "x-forwarded-method": "GET",
    "x-forwarded-uri": uri,
    "x-forwarded-host": host,
    "x-forwarded-proto": "https",
    "x-forwarded-for": "127.0.0.9",
  });
  const without = (headers: OutgoingHttpHeaders, name: string): OutgoingHttpHeaders =>
    Object.fromEntries(Object.entries(headers).filter(([n]) => n !== name));
  /** A refusal as S-R19 shapes it: 403, the real status beside it. */
  const refused = (reply: Reply, status: number, label: string): void => {
    assert.equal(reply.status, 403, `${label}: ${reply.body}`);
    assert.equal(reply.headers["x-rampart-status"], String(status), label);
  };

  it("S-R19 S-R2 S-R3 S-R4: each original target is refused, or nginx is told its canonical form", async () => {
    for (const c of TARGET_CASES) {
      const label = `${c.rule} X-Original-URI ${c.target}`;
      const reply = await nginx(asNginx(c.target));
      if (c.forwarded === null) refused(reply, 400, label);
      else {
        assert.equal(reply.status, 200, label);
        assert.equal(reply.headers["x-rampart-forward-uri"], c.forwarded, label);
      }
    }
  });

  it("S-R19 S-R4: Traefik, which cannot rewrite the target, is allowed only a target already canonical", async () => {
    for (const c of TARGET_CASES) {
      const label = `${c.rule} X-Forwarded-Uri ${c.target}`;
      const reply = await traefik(asTraefik(c.target));
      if (c.forwarded === c.target) assert.equal(reply.status, 200, label);
      else refused(reply, 400, label);
    }
  });

  it("S-R19 S-R8: X-Forwarded-Host is read as a Host is; a malformed one is a malformed original request", async () => {
    for (const c of HOST_CASES) {
      const label = `${c.rule} X-Forwarded-Host ${c.host}`;
      for (const reply of [
        await nginx(asNginx("/h", c.host)),
        await traefik(asTraefik("/h", c.host)),
      ])
        if (c.status === 200) assert.equal(reply.status, 200, label);
        else refused(reply, c.status, label);
    }
  });

  it("S-R19: missing, repeated or malformed original-request headers fail closed", async () => {
    const cases: readonly (readonly [string, OutgoingHttpHeaders, "nginx" | "traefik"])[] = [
      ["no X-Original-URI", without(asNginx("/"), "x-original-uri"), "nginx"],
      ["an empty X-Original-URI", asNginx(""), "nginx"],
      ["X-Original-URI without /", asNginx("admin"), "nginx"],
      ["X-Original-URI in absolute form", asNginx("http://web.test/admin"), "nginx"],
      ["X-Original-URI scheme-relative", asNginx("//evil.example/x"), "nginx"],
      ["two X-Original-URI", { ...asNginx("/"), "x-original-uri": ["/", "/admin"] }, "nginx"],
      ["no X-Original-Method", without(asNginx("/"), "x-original-method"), "nginx"],
      [
        "two X-Original-Method",
        { ...asNginx("/"), "x-original-method": ["GET", "DELETE"] },
        "nginx",
      ],
      ["a method with a space", { ...asNginx("/"), "x-original-method": "G ET" }, "nginx"],
      ["no X-Forwarded-Uri", without(asTraefik("/"), "x-forwarded-uri"), "traefik"],
      ["an empty X-Forwarded-Uri", asTraefik(""), "traefik"],
      ["two X-Forwarded-Uri", { ...asTraefik("/"), "x-forwarded-uri": ["/", "/admin"] }, "traefik"],
      ["no X-Forwarded-Method", without(asTraefik("/"), "x-forwarded-method"), "traefik"],
      ["no X-Forwarded-Host", without(asTraefik("/"), "x-forwarded-host"), "traefik"],
      ["an empty X-Forwarded-Host", asTraefik("/", ""), "traefik"],
      // A proxy that appends: the client may have written the first entry.
      [
        "two X-Forwarded-Host",
        { ...asTraefik("/"), "x-forwarded-host": ["web.test", "inside.test"] },
        "traefik",
      ],
      ["an X-Forwarded-Host list", asNginx("/", "evil.example, web.test"), "nginx"],
    ];
    for (const [label, headers, dialect] of cases) {
      const reply = await (dialect === "nginx" ? nginx(headers) : traefik(headers));
      // `//evil.example/x` is an origin-form path (`/evil.example/x`): canonical, not absolute.
      if (label === "X-Original-URI scheme-relative") {
        assert.equal(reply.status, 200, label);
        assert.equal(reply.headers["x-rampart-forward-uri"], "/evil.example/x", label);
        continue;
      }
      refused(reply, 400, label);
      assert.deepEqual(
        JSON.parse(reply.body),
        { error: { reason: "bad_original_request" } },
        label,
      );
    }
  });

  it("S-R19: from a peer that is no trusted proxy, nothing is read, well-formed or not", async () => {
    for (const [label, reply] of [
      ["nginx", await nginx(asNginx("/"), strictPort)],
      ["nginx, no headers", await nginx({}, strictPort)],
      ["nginx, malformed", await nginx(asNginx("/%2F"), strictPort)],
      ["traefik", await traefik(asTraefik("/"), strictPort)],
      ["traefik, no headers", await traefik({}, strictPort)],
    ] as const) {
      assert.equal(reply.status, 403, label);
      assert.equal(
        reply.headers["x-rampart-reason"] ?? JSON.parse(reply.body).error.reason,
        "untrusted_proxy",
        label,
      );
    }
  });

  it("S-R7 S-R19: the client address: X-Real-IP (nginx), else X-Forwarded-For right to left; malformed fails closed", async () => {
    const inside = (headers: OutgoingHttpHeaders): OutgoingHttpHeaders => ({
      "x-original-method": "GET",
      "x-original-uri": "/",
      "x-forwarded-host": "inside.test",
      ...headers,
    });
    const cases: readonly (readonly [string, OutgoingHttpHeaders, number])[] = [
      ["X-Real-IP inside", { "x-real-ip": "127.0.0.9" }, 200],
      ["X-Real-IP outside", { "x-real-ip": "6.6.6.6" }, 403],
      ["X-Real-IP mapped", { "x-real-ip": "::ffff:127.0.0.9" }, 200],
      ["X-Real-IP compatible", { "x-real-ip": "::127.0.0.9" }, 403],
      ["X-Forwarded-For outside", { "x-forwarded-for": "6.6.6.6" }, 403],
      ["X-Forwarded-For inside", { "x-forwarded-for": "6.6.6.6, 127.0.0.9" }, 200],
      ["X-Forwarded-For, an empty hop", { "x-forwarded-for": "127.0.0.9, " }, 403],
      ["X-Forwarded-For, a malformed hop", { "x-forwarded-for": "127.0.0.9, garbage" }, 403],
      // Present but unreadable, X-Real-IP is not skipped for what X-Forwarded-For says.
      ["X-Real-IP malformed", { "x-real-ip": "garbage" }, 403],
      ["X-Real-IP a range", { "x-real-ip": "127.0.0.0/8" }, 403],
      ["X-Real-IP empty", { "x-real-ip": "" }, 403],
      ["X-Real-IP repeated", { "x-real-ip": ["127.0.0.9", "6.6.6.6"] }, 403],
      [
        "X-Real-IP malformed, X-Forwarded-For inside",
        { "x-real-ip": "garbage", "x-forwarded-for": "127.0.0.9" },
        403,
      ],
    ];
    for (const [label, headers, status] of cases) {
      const reply = await nginx(inside(headers));
      assert.equal(reply.status, status, label);
      if (status === 403) assert.equal(reply.headers["x-rampart-reason"], "policy_denied", label);
    }
  });

  it("S-R18 S-R19: a sub-request the parser refuses is answered 403 with the real status, never 400 or 431", async () => {
    const head =
      "GET /nginx HTTP/1.1\r\nHost: rampart_forward_auth\r\nX-Original-Method: GET\r\nX-Original-URI: /\r\nX-Forwarded-Host: web.test\r\n";
    const cases: readonly (readonly [string, string, number])[] = [
      ["CL.TE", "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400],
      ["TE.CL", "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 400],
      ["two Content-Lengths", "Content-Length: 0\r\nContent-Length: 5\r\n\r\n", 400],
      ["obs-fold", "X-A: a\r\n b\r\n\r\n", 400],
      ["a space in a field name", "X A: a\r\n\r\n", 400],
      ["a header block over the limit", `Cookie: ${"a".repeat(9000)}\r\n\r\n`, 431],
    ];
    for (const [label, rest, status] of cases) {
      const reply = await rawRequest({ port }, head + rest);
      assert.ok(ANSWERS.has(reply.status ?? 0), `${label}: ${reply.raw.slice(0, 120)}`);
      assert.equal(reply.status, 403, label);
      assert.equal(reply.headers["x-rampart-status"], String(status), label);
    }
  });
});
