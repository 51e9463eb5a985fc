import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { effectivePolicy, compiledPolicy, tunnel, withTrustedIps } from "./helpers/policy.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { send } from "./helpers/http.ts";

describe("forwarding (issue #5 item 5)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let port: number;

  before(async () => {
    upstream = await startUpstream();
    const policy = effectivePolicy([
      tunnel({ id: "web", hosts: ["web.test"], upstream: upstream.url }),
      tunnel({ id: "down", hosts: ["down.test"], upstream: "http://127.0.0.1:1" }),
      withTrustedIps(tunnel({ id: "office", hosts: ["office.test"], upstream: upstream.url }), [
        "203.0.113.0/24",
      ]),
    ]);
    ({ runtime } = await startTestRuntime([compiledPolicy(policy)], {
      trustedProxies: ["10.9.9.9"],
      upstream: { headersTimeoutMs: 300, maxBodyBytes: 1024 },
    }));
    port = runtime.addresses.http?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await upstream.close();
  });

  it("S-O3: strips the query token, engine cookies and hop-by-hop headers; sets X-Forwarded-*", async () => {
    const reply = await send({
      port,
      host: "web.test",
      path: "/a/b?x=1&rstream.token=secret&y=2",
      headers: {
        cookie: "a=1; rampart_session=v1.x.y; b=2; rampart_challenge=v1.z.w",
        connection: "keep-alive, x-private",
        "x-private": "drop me",
        "x-forwarded-for": "198.51.100.1",
        "keep-alive": "timeout=5",
      },
    });
    assert.equal(reply.status, 200);
    const echo = JSON.parse(reply.body) as { url: string; headers: Record<string, string> };
    assert.equal(echo.url, "/a/b?x=1&y=2");
    assert.equal(echo.headers["cookie"], "a=1; b=2");
    assert.equal(echo.headers["x-private"], undefined);
    assert.equal(echo.headers["keep-alive"], undefined);
    assert.equal(
      echo.headers["x-forwarded-for"],
      "127.0.0.1",
      "a client's own X-Forwarded-For is not believed",
    );
    assert.equal(echo.headers["x-forwarded-proto"], "http");
    assert.equal(echo.headers["x-forwarded-host"], "web.test");
    assert.deepEqual(reply.headers["set-cookie"], ["a=1", "b=2"]);
    assert.equal(reply.headers["x-upstream"], "echo");
  });

  it("streams request bodies upstream and refuses bodies over the limit with 413", async () => {
    const ok = await send({
      port,
      host: "web.test",
      method: "POST",
      path: "/upload",
      body: "hello body",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as { body: string }).body, "hello body");
    const big = await send({
      port,
      host: "web.test",
      method: "POST",
      path: "/upload",
      body: "x".repeat(2048),
    });
    assert.equal(big.status, 413);
    const chunked = await send({
      port,
      host: "web.test",
      method: "POST",
      path: "/upload",
      body: "y".repeat(4096),
      headers: { "transfer-encoding": "chunked" },
    });
    assert.equal(chunked.status, 413);
  });

  it("answers 404 no_route for an unknown host", async () => {
    const reply = await send({ port, host: "nobody.test" });
    assert.equal(reply.status, 404);
    assert.equal(reply.body, '{"error":{"reason":"no_route"}}');
  });

  it("answers 502 when the upstream is unreachable and 504 when it is too slow", async () => {
    const down = await send({ port, host: "down.test" });
    assert.equal(down.status, 502);
    const slow = await send({ port, host: "web.test", path: "/slow" });
    assert.equal(slow.status, 504);
  });

  it("S-A3: believes X-Forwarded-For only from a configured trusted proxy", async () => {
    const direct = await send({
      port,
      host: "office.test",
      headers: { "x-forwarded-for": "203.0.113.7" },
    });
    assert.equal(direct.status, 403);
    assert.equal(direct.body, '{"error":{"reason":"policy_denied","policy":"ip"}}');
  });

  it("forwards a WebSocket upgrade and relays messages both ways", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { host: "web.test" } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on("open", () => ws.send("ping"));
      ws.on("message", (data) => resolve(String(data)));
      ws.on("error", reject);
    });
    ws.close();
    assert.equal(reply, "echo:ping:http");
  });

  it("refuses a WebSocket upgrade that the policy denies, without forwarding it", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket`, { headers: { host: "office.test" } });
    const status = await new Promise<number>((resolve) => {
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("error", () => resolve(-1));
    });
    assert.equal(status, 403);
  });
});
