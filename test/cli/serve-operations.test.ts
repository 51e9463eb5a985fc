/**
 * Issue #18: the operations flags of `rampart serve` reach the runtime. A real process is
 * started on loopback with ephemeral ports: the access log and log level, /readyz, and the
 * drain window on SIGTERM; a malformed number is a usage error (exit 2).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { send } from "../runtime/helpers/http.ts";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "src/cli/bin.js");
const env = { ...process.env, RAMPART_COOKIE_KEY: "cli-test-cookie-key-0123456789abcdef0123" };

describe("rampart serve operations flags (issue #18)", () => {
  it("serves /readyz, writes access lines at --log-level info, and drains on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [
        bin,
        "serve",
        join(root, "fixtures/policies/acme.rampart"),
        "--http",
        "127.0.0.1:0",
        "--admin",
        "127.0.0.1:0",
        "--drain-delay",
        "300",
        "--access-log",
        "--log-level",
        "info",
        "--tunnel-concurrency",
        "4",
        "--headers-timeout",
        "2000",
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      const ports: Record<string, number> = {};
      for (let i = 0; i < 1200 && ports["admin"] === undefined; i++) {
        await new Promise((r) => setTimeout(r, 25));
        for (const m of stderr.matchAll(/rampart: (\w+) listening on (\{.*\})/g))
          ports[m[1] ?? ""] = (JSON.parse(m[2] ?? "{}") as { port: number }).port;
      }
      const admin = ports["admin"] ?? 0;
      const http = ports["http"] ?? 0;
      assert.ok(admin > 0 && http > 0, stderr);
      assert.equal((await send({ port: admin, host: "localhost", path: "/readyz" })).status, 200);
      const denied = await send({ port: http, host: "nowhere.test", path: "/x?access_token=t0k" });
      assert.equal(denied.status, 404);
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await send({ port: admin, host: "localhost", path: "/readyz" })).status, 503);
      assert.equal(await exited, 0);
      const access = stdout
        .split("\n")
        .filter((l) => l.includes('"msg":"request"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        access.map((l) => [l["reason"], l["status"], l["path"]]),
        [["no_route", 404, "/x"]],
      );
      assert.ok(!stdout.includes("t0k"), "the query is never logged");
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("refuses a flag that takes a number with something else (exit 2)", () => {
    const run = spawnSync(
      process.execPath,
      [bin, "serve", join(root, "fixtures/policies/acme.rampart"), "--tunnel-queue", "many"],
      { env, encoding: "utf8", timeout: 20_000 },
    );
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--tunnel-queue takes a number/);
  });
});
