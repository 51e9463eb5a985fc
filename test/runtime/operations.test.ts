import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { WebSocket } from "ws";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import type { Outcome } from "../../src/diagnostics/diagnostic.ts";
import { startRuntime } from "../../src/runtime/server.ts";
import { tempDir } from "./helpers/certs.ts";
import { send } from "./helpers/http.ts";
import { effectivePolicy, compiledPolicy, tunnel, withTrustedIps } from "./helpers/policy.ts";
import { COOKIE_KEY, capturingLogger, startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";

const loaded = (p: CompiledPolicy): Outcome<CompiledPolicy[]> => ({ value: [p], diagnostics: [] });
const broken: Outcome<CompiledPolicy[]> = {
  value: undefined,
  diagnostics: [
    {
      code: "RP1001",
      severity: "error",
      message: "unexpected token `}`",
      span: { file: "acme.rampart", start: 3, end: 4 },
    },
  ],
};

describe("operations (issue #5 item 6)", () => {
  it("reloads under load with zero failed requests, and keeps the old policy when the new one is invalid", async () => {
    const upstream = await startUpstream();
    const a = compiledPolicy(
      effectivePolicy([tunnel({ id: "web", hosts: ["web.test"], upstream: upstream.url })]),
    );
    const b = compiledPolicy(
      effectivePolicy([
        tunnel({ id: "web", hosts: ["web.test", "www.test"], upstream: upstream.url }),
      ]),
    );
    let next: Outcome<CompiledPolicy[]> = loaded(a);
    const { runtime, lines } = await startTestRuntime(() => Promise.resolve(next));
    const port = runtime.addresses.http?.port ?? 0;
    const agent = new Agent({ connections: 16 });
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const worker = async (): Promise<void> => {
      while (running) {
        try {
          const res = await request(`http://127.0.0.1:${port}/x`, {
            headers: { host: "web.test" },
            dispatcher: agent,
          });
          await res.body.text();
          if (res.statusCode === 200) ok++;
          else failures.push(String(res.statusCode));
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    try {
      for (let i = 0; i < 20; i++) {
        next = i % 5 === 4 ? broken : loaded(i % 2 === 0 ? b : a);
        const result = await runtime.reload();
        if (next === broken) assert.equal(result.value, undefined);
        // Let traffic run on every generation before the next swap (bounded wait).
        const target = ok + 5;
        for (let w = 0; w < 400 && ok < target; w++) await sleep(5);
      }
      running = false;
      await Promise.all(workers);
      assert.deepEqual(failures, []);
      assert.ok(ok >= 100, `served ${ok} requests during reloads`);
      assert.equal(runtime.generation, 1 + 16, "16 good reloads on top of the first load");
      assert.ok(
        lines.some((l) => l["code"] === "RP1001" && l["msg"] === "unexpected token `}`"),
        "the diagnostics are logged",
      );
      assert.ok(lines.some((l) => String(l["msg"]).includes("previous policy keeps serving")));
    } finally {
      running = false;
      await agent.close();
      await runtime.close();
      await upstream.close();
    }
  });

  it("reloads when a watched policy file changes", async () => {
    const dir = tempDir();
    const file = join(dir, "acme.rampart");
    writeFileSync(file, "web.test");
    const load = () => {
      const hosts = readFileSync(file, "utf8").trim().split(",");
      return Promise.resolve(
        loaded(compiledPolicy(effectivePolicy([tunnel({ id: "web", hosts })]))),
      );
    };
    const { runtime } = await startTestRuntime(load, { watchFiles: [file], watchDebounceMs: 50 });
    try {
      assert.equal(runtime.generation, 1);
      writeFileSync(file, "web.test,new.test");
      for (let i = 0; i < 100 && runtime.generation < 2; i++) await sleep(20);
      assert.equal(runtime.generation, 2);
      const reply = await send({ port: runtime.addresses.http?.port ?? 0, host: "new.test" });
      assert.equal(reply.status, 502, "routed (no upstream configured), not 404");
    } finally {
      await runtime.close();
    }
  });

  it("reloads on SIGHUP when signal handling is on", async () => {
    let loads = 0;
    const policy = compiledPolicy(effectivePolicy([tunnel({ id: "web", hosts: ["web.test"] })]));
    const { runtime } = await startTestRuntime(
      () => {
        loads++;
        return Promise.resolve(loaded(policy));
      },
      { handleSignals: true },
    );
    try {
      process.kill(process.pid, "SIGHUP");
      for (let i = 0; i < 100 && runtime.generation < 2; i++) await sleep(10);
      assert.equal(runtime.generation, 2);
      assert.equal(loads, 2);
    } finally {
      await runtime.close();
    }
  });

  it("serves /healthz and /metrics on the admin listener only", async () => {
    const policy = compiledPolicy(
      effectivePolicy([
        withTrustedIps(tunnel({ id: "web", hosts: ["web.test"] }), ["192.0.2.0/24"]),
      ]),
    );
    const { runtime } = await startTestRuntime([policy], { admin: { host: "127.0.0.1", port: 0 } });
    try {
      const adminPort = runtime.addresses.admin?.port ?? 0;
      await send({ port: runtime.addresses.http?.port ?? 0, host: "web.test" });
      const health = await send({ port: adminPort, host: "localhost", path: "/healthz" });
      assert.equal(health.status, 200);
      assert.equal(health.body, '{"status":"ok","generation":1,"tunnels":1}');
      const metrics = await send({ port: adminPort, host: "localhost", path: "/metrics" });
      assert.match(
        metrics.body,
        /rampart_requests_total\{outcome="deny",reason="policy_denied"\} 1/,
      );
      assert.match(metrics.body, /rampart_policy_generation 1/);
      const viaTunnel = await send({
        port: runtime.addresses.http?.port ?? 0,
        host: "web.test",
        path: "/healthz",
      });
      assert.equal(viaTunnel.status, 403, "the tunnel listener does not answer admin paths");
    } finally {
      await runtime.close();
    }
  });

  it("closes gracefully: an in-flight request completes", async () => {
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "web", hosts: ["web.test"], upstream: upstream.url })]),
    );
    const { runtime } = await startTestRuntime([policy]);
    const inflight = send({
      port: runtime.addresses.http?.port ?? 0,
      host: "web.test",
      path: "/slow",
    });
    await sleep(200);
    await runtime.close();
    const reply = await inflight;
    assert.equal(reply.status, 200);
    assert.equal(reply.body, "late");
    await upstream.close();
  });

  it("closes within the grace period even with an open WebSocket", async () => {
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "web", hosts: ["web.test"], upstream: upstream.url })]),
    );
    const { runtime } = await startTestRuntime([policy], { shutdownGraceMs: 200 });
    const ws = new WebSocket(`ws://127.0.0.1:${runtime.addresses.http?.port ?? 0}/`, {
      headers: { host: "web.test" },
    });
    await new Promise((resolve, reject) => {
      ws.on("open", resolve);
      ws.on("error", reject);
    });
    const closedWs = new Promise((resolve) => ws.on("close", resolve));
    const started = Date.now();
    await runtime.close();
    assert.ok(Date.now() - started < 2_000, "close is bounded by the grace period");
    await closedWs;
    await upstream.close();
  });

  it("reports bad options and an unloadable first policy as RP6xxx diagnostics, never throws", async () => {
    const { logger } = capturingLogger();
    const bad = await startRuntime({
      load: () => Promise.resolve(broken),
      cookieKey: "short",
      logger,
    } as never);
    assert.equal(bad.value, undefined);
    assert.ok(
      bad.diagnostics.some(
        (d) => d.code === "RP6001" && d.message.startsWith("option `cookieKey`"),
      ),
    );
    const nothing = await startRuntime({
      load: () => Promise.resolve(broken),
      cookieKey: COOKIE_KEY,
      logger,
    });
    assert.ok(
      nothing.diagnostics.some(
        (d) => d.code === "RP6001" && d.message.includes("nothing would listen"),
      ),
    );
    const unloadable = await startRuntime({
      load: () => Promise.resolve(broken),
      cookieKey: COOKIE_KEY,
      logger,
      http: { host: "127.0.0.1", port: 0 },
    });
    assert.equal(unloadable.value, undefined);
    assert.deepEqual(
      unloadable.diagnostics.map((d) => d.code),
      ["RP1001", "RP6009"],
    );
    const badGeo = await startRuntime({
      load: () => Promise.resolve(broken),
      cookieKey: COOKIE_KEY,
      logger,
      http: { host: "127.0.0.1", port: 0 },
      geoipDatabase: "/nonexistent.mmdb",
    });
    assert.equal(badGeo.diagnostics[0]?.code, "RP6002");
  });
});
