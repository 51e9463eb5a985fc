/**
 * Issue #20: the upstream exchange is one undici dispatch handler. A client that leaves while
 * its upstream has not answered yet must settle the exchange at once: its tunnel slot (issue
 * #18) is released and the next request is forwarded, not refused as busy.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { send } from "./helpers/http.ts";
import { Pool } from "undici";

describe("forwarding when the client leaves first (issue #20)", () => {
  let upstream: Server;
  let runtime: RuntimeHandle;
  let port: number;

  before(async () => {
    // `/slow` answers after 3 s; anything else at once.
    upstream = createServer((req, res) => {
      const answer = (): void => void res.end("ok");
      if (req.url === "/slow") setTimeout(answer, 3_000).unref();
      else answer();
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const policy = effectivePolicy([tunnel({ id: "web", hosts: ["web.test"], upstream: url })]);
    ({ runtime } = await startTestRuntime([compiledPolicy(policy)], {
      tunnelLimits: { concurrency: 1, queue: 0, queueTimeoutMs: 1_000 },
    }));
    port = runtime.addresses.http?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it("releases the tunnel slot as soon as the client goes away before the upstream answers", async () => {
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.write("GET /slow HTTP/1.1\r\nHost: web.test\r\n\r\n");
    await sleep(300); // the request holds the tunnel's only slot, waiting for the upstream
    socket.destroy();
    await sleep(200);
    const reply = await send({ port, host: "web.test", path: "/fast" });
    assert.equal(reply.status, 200, "the slot of the client that left was released");
    assert.equal(reply.body, "ok");
  });

  it("releases the slot when each forwarded response closes: one slot serves requests one after another on a keep-alive connection", async () => {
    // The request observer's `close` listener settles the exchange (no listener of its own).
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1, pipelining: 1 });
    try {
      for (const path of ["/a", "/b", "/c"]) {
        const res = await pool.request({ path, method: "GET", headers: { host: "web.test" } });
        const body = await res.body.text();
        assert.equal(res.statusCode, 200, `${path}: ${body}`);
        assert.equal(body, "ok");
      }
    } finally {
      await pool.close();
    }
  });
});
