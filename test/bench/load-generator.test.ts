/**
 * The proxy bench's load generator: its back-to-back warm-up requests go over the connection
 * it then measures, all before the window, and none of them is counted in the window's figures;
 * a cued window (two contenders loaded at once) opens on the parent's message, not before.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { waitFor } from "./child-message.ts";
import type { LoadResult } from "./load-generator.ts";

const LOAD_GENERATOR = join(import.meta.dirname, "load-generator.ts");

test("warm-up requests go first, on the one measured connection, and are not counted", async () => {
  const seen = { requests: 0, connections: 0 };
  const server = createServer((_req, res) => {
    seen.requests++;
    res.end("ok");
  });
  server.on("connection", () => seen.connections++);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const warmupRequests = 300;
  // One connection, 200/s for 0.5 s after 50 ms at the rate: ~100 requests in the window.
  const args = [port, 1, 0.5, 200, "{}", "", "/", 50, warmupRequests].map(String);
  const loader = fork(LOAD_GENERATOR, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    await waitFor(loader, (m) => m["phase"] === "measuring");
    const servedBeforeWindow = seen.requests;
    const result = await waitFor<LoadResult>(loader, (m) => "rps" in m);
    assert.ok(servedBeforeWindow >= warmupRequests, `${servedBeforeWindow} before the window`);
    assert.equal(seen.connections, 1);
    assert.equal(result.errors + result.non200, 0);
    // Only requests that end in the window count: never the back-to-back ones, all served
    // before it opened, so the window counts at most what was served after them. (A bound from
    // the rate and the window's length failed on a busy machine, where the timed warm-up's
    // timer fired late and the paced driver caught up with a burst.)
    assert.ok(
      result.requests > 0 && result.requests <= seen.requests - warmupRequests,
      `${result.requests} counted, ${seen.requests - warmupRequests} served after the warm-up`,
    );
    assert.ok(result.p99 >= result.p50 && result.p50 > 0);
  } finally {
    loader.kill();
    server.closeAllConnections();
    server.close();
  }
});

test("with a cue, the window opens on the parent's message and the load runs until then", async () => {
  let served = 0;
  const server = createServer((_req, res) => {
    served++;
    res.end("ok");
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  // Two connections at 200/s, a 0.3 s window after 50 ms of timed warm-up, then the cue.
  const args = [port, 2, 0.3, 200, "{}", "", "/", 50, 0, "cue"].map(String);
  const loader = fork(LOAD_GENERATOR, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    let cued = false;
    const measuring = waitFor(loader, (m) => m["phase"] === "measuring").then(() => cued);
    await waitFor(loader, (m) => m["phase"] === "warm");
    const atWarm = served;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(served > atWarm, `${served} served by the cue, ${atWarm} at "warm"`);
    cued = true;
    loader.send({ cmd: "measure" });
    assert.equal(await measuring, true, "the window opened before the cue");
    const result = await waitFor<LoadResult>(loader, (m) => "rps" in m);
    assert.equal(result.errors + result.non200, 0);
    assert.ok(result.requests > 0);
  } finally {
    loader.kill();
    server.closeAllConnections();
    server.close();
  }
});
