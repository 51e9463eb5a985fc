/**
 * Issue #18 item 4: the access log (one line per request, sampled, never a token or a cookie
 * value), the request-duration histogram and per-tunnel counters with bounded labels, every
 * engine 500 logged with its cause, and the log level option.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { TokenBackend } from "../../src/runtime/tokens/backend.ts";
import { startRuntime } from "../../src/runtime/server.ts";
import { send } from "./helpers/http.ts";
import { compiledPolicy, effectivePolicy, tunnel, withToken } from "./helpers/policy.ts";
import { COOKIE_KEY, startTestRuntime } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";

const SECRET_TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJlLXZhbHVl";
const SECRET_COOKIE = "rampart_session=cookie-value-that-must-not-leak";

const accessLines = (lines: LogLines): LogLines => lines.filter((l) => l["msg"] === "request");

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await sleep(10);
}

/** The three lines of the first test: forwarded, denied by token, not routed. */
function checkAccessLines(lines: LogLines, forwardedBytes: number): void {
  const [ok, deny, unrouted] = lines;
  assert.deepEqual(
    {
      tunnel: ok?.["tunnel"],
      outcome: ok?.["outcome"],
      status: ok?.["status"],
      method: ok?.["method"],
      path: ok?.["path"],
    },
    { tunnel: "open", outcome: "forward", status: 200, method: "GET", path: "/page" },
  );
  assert.ok(typeof ok?.["ms"] === "number" && ok["ms"] >= 0);
  assert.ok(Number(ok?.["bytesOut"]) >= forwardedBytes);
  assert.ok(Number(ok?.["bytesIn"]) >= 0);
  assert.deepEqual(
    [deny?.["tunnel"], deny?.["outcome"], deny?.["stage"], deny?.["status"]],
    ["api", "deny", "token", 401],
  );
  assert.equal(deny?.["reason"], "invalid_token");
  assert.deepEqual(
    [unrouted?.["tunnel"], unrouted?.["stage"], unrouted?.["reason"], unrouted?.["status"]],
    [null, "route", "no_route", 404],
  );
}

describe("observability (issue #18 item 4)", () => {
  it("S-D2: writes one access line per request with tunnel, decision, stage, status, duration and bytes, and never a token or cookie value", async () => {
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([
        tunnel({ id: "open", hosts: ["open.test"], upstream: upstream.url }),
        withToken(tunnel({ id: "api", hosts: ["api.test"], upstream: upstream.url })),
      ]),
    );
    const { runtime, lines } = await startTestRuntime([policy], {
      accessLog: { enabled: true, sampleRate: 1 },
      tokens: { secret: "community-secret-0123456789abcdef-0123456789" },
    });
    const port = runtime.addresses.http?.port ?? 0;
    try {
      const forwarded = await send({
        port,
        host: "open.test",
        path: `/page?access_token=${SECRET_TOKEN}`,
        headers: { cookie: SECRET_COOKIE },
      });
      assert.equal(forwarded.status, 200);
      const denied = await send({
        port,
        host: "api.test",
        path: "/v1",
        headers: { authorization: `Bearer ${SECRET_TOKEN}`, cookie: SECRET_COOKIE },
      });
      assert.equal(denied.status, 401);
      await send({ port, host: "nowhere.test", path: "/" });
      await until(() => accessLines(lines).length >= 3);
      checkAccessLines(accessLines(lines), forwarded.body.length);
      const everything = JSON.stringify(lines);
      assert.ok(!everything.includes(SECRET_TOKEN), "no token value is logged");
      assert.ok(
        !everything.includes("cookie-value-that-must-not-leak"),
        "no cookie value is logged",
      );
    } finally {
      await runtime.close();
      await upstream.close();
    }
  });

  it("samples the access log, and leaves it off by default", async () => {
    const policy = compiledPolicy(effectivePolicy([tunnel({ id: "web", hosts: ["web.test"] })]));
    for (const [options, expected] of [
      [{ accessLog: { enabled: true, sampleRate: 0 } }, 0],
      [{}, 0],
      [{ accessLog: { enabled: true, sampleRate: 0.5 } }, -1],
    ] as const) {
      const { runtime, lines } = await startTestRuntime([policy], options);
      let closed = false;
      try {
        const port = runtime.addresses.http?.port ?? 0;
        for (let i = 0; i < 40; i++) await send({ port, host: "web.test", path: "/" });
        // Access lines are written in batches; closing flushes the last one, so the count is
        // complete without waiting for the batch timer on a loaded machine.
        await runtime.close();
        closed = true;
        const n = accessLines(lines).length;
        // Half of 40, give or take: the chance of 0 or 40 is 2 × 2^-40.
        if (expected === -1) assert.ok(n > 0 && n < 40, `${n} of 40 sampled`);
        else assert.equal(n, expected);
      } finally {
        if (!closed) await runtime.close();
      }
    }
  });

  it("exports a request-duration histogram and per-tunnel counters whose tunnel labels are bounded", async () => {
    const policy = compiledPolicy(
      effectivePolicy([
        tunnel({ id: "one", hosts: ["one.test"] }),
        tunnel({ id: "two", hosts: ["two.test"] }),
        tunnel({ id: "three", hosts: ["three.test"] }),
      ]),
    );
    const { runtime } = await startTestRuntime([policy], {
      admin: { host: "127.0.0.1", port: 0 },
      metricsMaxTunnels: 1,
    });
    try {
      const port = runtime.addresses.http?.port ?? 0;
      for (const host of ["one.test", "two.test", "three.test", "one.test"])
        await send({ port, host, path: "/.well-known/rstream/session" });
      await sleep(20);
      const text = (
        await send({
          port: runtime.addresses.admin?.port ?? 0,
          host: "localhost",
          path: "/metrics",
        })
      ).body;
      assert.match(text, /rampart_tunnel_requests_total\{tunnel="one",outcome="respond"\} 2/);
      assert.match(text, /rampart_tunnel_requests_total\{tunnel="other",outcome="respond"\} 2/);
      assert.doesNotMatch(text, /tunnel="two"|tunnel="three"/);
      assert.match(text, /rampart_request_duration_seconds_count\{outcome="respond"\} 4/);
      assert.match(
        text,
        /rampart_request_duration_seconds_bucket\{le="0\.005",outcome="respond"\}/,
      );
    } finally {
      await runtime.close();
    }
  });

  it("logs every engine 500 with its cause (a token backend that throws)", async () => {
    const throwing: TokenBackend = {
      name: "broken",
      verify: () => Promise.reject(new Error("boundary nested too deeply")),
    };
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([
        withToken(tunnel({ id: "api", hosts: ["api.test"], upstream: upstream.url })),
      ]),
    );
    const { runtime, lines } = await startTestRuntime([policy], {
      admin: { host: "127.0.0.1", port: 0 },
      tokens: { backend: throwing },
      accessLog: { enabled: true, sampleRate: 0 },
    });
    try {
      const port = runtime.addresses.http?.port ?? 0;
      const reply = await send({
        port,
        host: "api.test",
        headers: { authorization: `Bearer ${SECRET_TOKEN}` },
      });
      assert.equal(reply.status, 500);
      await until(() => accessLines(lines).length > 0);
      const logged = lines.find((l) => l["msg"] === "internal error; answered 500");
      assert.equal(logged?.["cause"], "token_verification_threw");
      assert.equal(logged?.["tunnel"], "api");
      assert.match(JSON.stringify(logged?.["err"]), /boundary nested too deeply/);
      // Sampled out, yet the 500's access line is written, with its cause.
      assert.equal(accessLines(lines)[0]?.["cause"], "token_verification_threw");
      const text = (
        await send({
          port: runtime.addresses.admin?.port ?? 0,
          host: "localhost",
          path: "/metrics",
        })
      ).body;
      assert.match(text, /rampart_internal_errors_total\{cause="token_verification_threw"\} 1/);
    } finally {
      await runtime.close();
      await upstream.close();
    }
  });

  it("refuses an unknown log level and a head timeout longer than the request timeout (RP6001)", async () => {
    const started = await startRuntime({
      load: () => Promise.resolve({ value: [], diagnostics: [] }),
      http: { host: "127.0.0.1", port: 0 },
      cookieKey: COOKIE_KEY,
      logLevel: "verbose" as "info",
      clients: { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 },
    });
    assert.equal(started.value, undefined);
    const messages = started.diagnostics.map((d) => `${d.code} ${d.message}`);
    assert.ok(
      messages.some((m) => m.startsWith("RP6001 option `logLevel`")),
      messages.join("\n"),
    );
    const timeouts = await startRuntime({
      load: () => Promise.resolve({ value: [], diagnostics: [] }),
      http: { host: "127.0.0.1", port: 0 },
      cookieKey: COOKIE_KEY,
      clients: { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 },
    });
    assert.equal(timeouts.value, undefined);
    assert.deepEqual(
      timeouts.diagnostics.map((d) => d.message),
      ["option `clients.headersTimeoutMs` is longer than `clients.requestTimeoutMs`"],
    );
  });
});
