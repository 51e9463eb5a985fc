/**
 * Issue #18: WebSocket upgrades are under the per-tunnel concurrency cap (an open WebSocket
 * holds one slot of its tunnel until it closes; past the slots and the queue, the documented
 * 503 `tunnel_busy` with `Retry-After: 1`) and in the access log (one line per upgrade, written
 * when its connection closes: status 101, duration, bytes each way). Real `ws` clients against
 * a real `serve`, on loopback, over HTTP and HTTPS.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket } from "ws";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { selfSigned, tempDir } from "./helpers/certs.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const HOSTS = ["ws.test", "other.test"];
/** Two slots and one queue place per tunnel; a queued upgrade waits at most 300 ms. */
const LIMITS = { concurrency: 2, queue: 1, queueTimeoutMs: 300 };

const accessLines = (lines: LogLines): LogLines =>
  lines.filter((l) => l["msg"] === "request" && l["upgrade"] === true);

async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await sleep(10);
}

/** An open WebSocket, or the status of the refused handshake. */
function openSocket(
  url: string,
  host: string,
  secure: boolean,
): Promise<{ ws: WebSocket; status: 101 } | { status: number; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { host },
      ...(secure ? { servername: host, rejectUnauthorized: false } : {}),
    });
    ws.once("open", () => resolve({ ws, status: 101 }));
    ws.once("unexpected-response", (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] ?? null });
      res.resume();
      ws.terminate();
    });
    ws.once("error", reject);
  });
}

async function echoOnce(ws: WebSocket, text: string): Promise<string> {
  const reply = once(ws, "message");
  ws.send(text);
  const [data] = (await reply) as [Buffer];
  return data.toString();
}

async function closeSocket(ws: WebSocket): Promise<void> {
  const closed = once(ws, "close");
  ws.close();
  await closed;
}

describe("WebSocket upgrades: tunnel cap and access log (issue #18)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let lines: LogLines;
  const ports = { http: 0, https: 0 };

  before(async () => {
    upstream = await startUpstream();
    const cert = selfSigned(tempDir(), "server", HOSTS);
    const policy = effectivePolicy([
      tunnel({ id: "ws", hosts: ["ws.test"], upstream: upstream.url }),
      tunnel({ id: "other", hosts: ["other.test"], upstream: upstream.url }),
    ]);
    ({ runtime, lines } = await startTestRuntime([compiledPolicy(policy)], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: HOSTS, certFile: cert.cert, keyFile: cert.key }],
      accessLog: { enabled: true, sampleRate: 1 },
      tunnelLimits: LIMITS,
    }));
    ports.http = runtime.addresses.http?.port ?? 0;
    ports.https = runtime.addresses.https?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await upstream.close();
  });

  for (const scheme of ["http", "https"] as const) {
    const secure = scheme === "https";
    const url = (path = "/chat"): string =>
      `${secure ? "wss" : "ws"}://127.0.0.1:${ports[scheme]}${path}`;

    it(`${scheme}: an open WebSocket holds a tunnel slot; past slots and queue the upgrade is 503 tunnel_busy, and a closed one frees its slot`, async () => {
      const held: WebSocket[] = [];
      try {
        for (let i = 0; i < LIMITS.concurrency; i++) {
          const opened = await openSocket(url(), "ws.test", secure);
          assert.equal(opened.status, 101);
          if ("ws" in opened) held.push(opened.ws);
        }
        // The tunnel is full: one upgrade may queue, and it waits out the queue timeout.
        const [queued, refused] = await Promise.all([
          openSocket(url(), "ws.test", secure),
          sleep(50).then(() => openSocket(url(), "ws.test", secure)),
        ]);
        assert.deepEqual(refused, { status: 503, retryAfter: "1" }, "queue full");
        assert.deepEqual(queued, { status: 503, retryAfter: "1" }, "queue timeout");
        // Another tunnel is not affected by this one's slots.
        const other = await openSocket(url(), "other.test", secure);
        assert.equal(other.status, 101);
        if ("ws" in other) await closeSocket(other.ws);
        // Closing one WebSocket frees its slot for the next upgrade.
        const first = held.shift();
        if (first !== undefined) await closeSocket(first);
        let again: Awaited<ReturnType<typeof openSocket>> = { status: 0, retryAfter: null };
        for (let i = 0; i < 50 && again.status !== 101; i++) {
          again = await openSocket(url(), "ws.test", secure);
          if (again.status !== 101) await sleep(20);
        }
        assert.equal(again.status, 101, "a freed slot admits the next upgrade");
        if ("ws" in again) held.push(again.ws);
      } finally {
        for (const ws of held) await closeSocket(ws);
      }
    });

    it(`${scheme}: one access line per upgrade when it closes: status 101, duration and bytes each way`, async () => {
      // Its own path: lines of the test before may still be in the batch.
      const path = `/logged-${scheme}`;
      const mine = (): LogLines => accessLines(lines).filter((l) => l["path"] === path);
      const opened = await openSocket(url(path), "ws.test", secure);
      assert.ok("ws" in opened);
      const ws = opened.ws;
      assert.match(await echoOnce(ws, "x".repeat(1000)), /^echo:x{1000}:/);
      await sleep(150);
      assert.equal(mine().length, 0, "no line while the WebSocket is open");
      await closeSocket(ws);
      // Lines are batched (100 ms); wait for this one.
      await until(() => mine().length > 0);
      await sleep(150);
      assert.equal(mine().length, 1, JSON.stringify(mine()));
      const line = mine()[0] ?? {};
      assert.deepEqual(
        [line["tunnel"], line["outcome"], line["status"], line["method"]],
        ["ws", "forward", 101, "GET"],
      );
      assert.ok(Number(line["ms"]) >= 150, `the line covers the connection's life: ${line["ms"]}`);
      // The 1,000-byte message went in and its echo came out, inside WebSocket frames.
      assert.ok(Number(line["bytesIn"]) >= 1000, `bytesIn ${line["bytesIn"]}`);
      assert.ok(Number(line["bytesOut"]) >= 1000, `bytesOut ${line["bytesOut"]}`);
    });
  }

  it("a refused upgrade (no route) has its line too, with the refusal's status", async () => {
    const mine = (): LogLines => accessLines(lines).filter((l) => l["path"] === "/unrouted");
    const refused = await openSocket(
      `ws://127.0.0.1:${ports.http}/unrouted`,
      "nowhere.test",
      false,
    );
    assert.equal(refused.status, 404);
    await until(() => mine().length > 0);
    const line = mine()[0] ?? {};
    assert.deepEqual(
      [line["tunnel"], line["stage"], line["reason"], line["status"]],
      [null, "route", "no_route", 404],
    );
  });
});
