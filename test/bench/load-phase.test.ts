/**
 * The proxy bench's paired windows: each side's figures come back as that side's, whichever
 * generator is forked first (a swap would flip the sign of every other Δ without a trace).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pairedPhase } from "./load-phase.ts";
import type { Target } from "./load-phase.ts";

/** A loopback server answering every request with `status`. */
async function answering(status: number): Promise<{ server: Server; target: Target }> {
  const server = createServer((_req, res) => res.writeHead(status).end("x"));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const target = { port, servername: "", path: "/", headers: {}, pids: () => [process.pid] };
  return { server, target };
}

test("paired windows give a's figures first and b's second, whoever is forked first", async () => {
  const ok = await answering(200);
  const refusing = await answering(503);
  try {
    for (const first of ["a", "b"] as const) {
      const plan = { connections: 2, seconds: 0.3, rate: 100, warmup: { ms: 50 } };
      const [a, b] = await pairedPhase(ok.target, refusing.target, plan, first);
      assert.equal(a.result.non200, 0, `first forked: ${first}`);
      assert.ok(b.result.non200 > 0, `first forked: ${first}`);
      assert.ok(a.result.requests > 0 && b.result.requests > 0);
      assert.ok(a.cpuMicrosPerRequest > 0 && b.cpuMicrosPerRequest > 0);
    }
  } finally {
    for (const { server } of [ok, refusing]) {
      server.closeAllConnections();
      server.close();
    }
  }
});
