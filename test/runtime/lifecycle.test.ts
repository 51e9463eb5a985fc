/**
 * Issue #18 item 2: readiness and the drain window. `/readyz` is ready only with a policy
 * loaded and the listeners up; on shutdown it fails first while the listeners keep serving for
 * the drain delay, in-flight requests finish, and the grace period is a hard deadline.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { send } from "./helpers/http.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";

describe("lifecycle (issue #18 item 2)", () => {
  it("fails /readyz first on shutdown, keeps serving for the drain delay, then closes after in-flight requests finish", async () => {
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "web", hosts: ["web.test"], upstream: upstream.url })]),
    );
    const { runtime, lines } = await startTestRuntime([policy], {
      admin: { host: "127.0.0.1", port: 0 },
      drainDelayMs: 400,
    });
    const port = runtime.addresses.http?.port ?? 0;
    const adminPort = runtime.addresses.admin?.port ?? 0;
    try {
      const ready = await send({ port: adminPort, host: "localhost", path: "/readyz" });
      assert.equal(ready.status, 200);
      assert.equal(ready.body, '{"ready":true}');
      // A request that outlives the drain delay (the upstream answers /slow after 2 s).
      const inflight = send({ port, host: "web.test", path: "/slow" });
      await sleep(100);
      const closing = runtime.close();
      const draining = await send({ port: adminPort, host: "localhost", path: "/readyz" });
      assert.equal(draining.status, 503, "readiness fails as soon as draining starts");
      assert.equal(draining.body, '{"ready":false}');
      const during = await send({ port, host: "web.test", path: "/still-served" });
      assert.equal(during.status, 200, "the listener keeps serving during the drain delay");
      assert.ok(lines.some((l) => l["msg"] === "draining: /readyz fails"));
      await closing;
      const reply = await inflight;
      assert.equal(reply.status, 200, "the in-flight request finished");
      assert.equal(reply.body, "late");
      await assert.rejects(send({ port, host: "web.test", path: "/after" }), /ECONNREFUSED/);
    } finally {
      await runtime.close();
      await upstream.close();
    }
  });

  it("ends what outlives the grace period: close is bounded by drain delay plus grace", async () => {
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "web", hosts: ["web.test"], upstream: upstream.url })]),
    );
    const { runtime } = await startTestRuntime([policy], {
      drainDelayMs: 100,
      shutdownGraceMs: 200,
    });
    const port = runtime.addresses.http?.port ?? 0;
    const inflight = send({ port, host: "web.test", path: "/slow" }).then(
      (r) => r.status,
      () => "cut",
    );
    await sleep(100);
    const started = performance.now();
    await runtime.close();
    const took = performance.now() - started;
    assert.ok(took < 1_500, `close took ${took.toFixed(0)} ms with a 2 s upstream`);
    assert.equal(await inflight, "cut", "the request past the deadline was cut");
    await upstream.close();
  });

  it("stays ready when a reload fails: the previous policy keeps serving", async () => {
    const policy = compiledPolicy(effectivePolicy([tunnel({ id: "web", hosts: ["web.test"] })]));
    let broken = false;
    const { runtime } = await startTestRuntime(
      () =>
        Promise.resolve(
          broken ? { value: undefined, diagnostics: [] } : { value: [policy], diagnostics: [] },
        ),
      { admin: { host: "127.0.0.1", port: 0 } },
    );
    try {
      broken = true;
      const reloaded = await runtime.reload();
      assert.equal(reloaded.value, undefined);
      const adminPort = runtime.addresses.admin?.port ?? 0;
      const ready = await send({ port: adminPort, host: "localhost", path: "/readyz" });
      assert.equal(ready.status, 200);
      assert.equal(runtime.generation, 1);
    } finally {
      await runtime.close();
    }
  });
});
