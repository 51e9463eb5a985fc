/** Issue #18 item 1: per-tunnel admission to the upstream, first in first out, bounded. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { TunnelGates } from "../../src/runtime/ops/tunnel-gate.ts";

describe("tunnel gates (issue #18 item 1)", () => {
  it("admits up to the concurrency, queues in order, refuses past the queue", () => {
    const gates = new TunnelGates({ concurrency: 2, queue: 2, queueTimeoutMs: 10_000 });
    const started: string[] = [];
    const busy: string[] = [];
    const releases: (() => void)[] = [];
    const enter = (id: string, tunnel = "a") =>
      gates.enter(tunnel, {
        start: (release) => {
          started.push(id);
          releases.push(release);
        },
        busy: (reason) => busy.push(`${id}:${reason}`),
      });
    for (const id of ["1", "2", "3", "4", "5"]) enter(id);
    assert.deepEqual(started, ["1", "2"]);
    assert.deepEqual(busy, ["5:queue_full"]);
    assert.deepEqual(gates.load("a"), { active: 2, queued: 2 });
    // Another tunnel is not affected by a's full gate.
    enter("b1", "b");
    assert.deepEqual(started, ["1", "2", "b1"]);
    releases[0]?.();
    releases[0]?.(); // a second release of the same slot does nothing
    assert.deepEqual(started, ["1", "2", "b1", "3"]);
    assert.deepEqual(gates.load("a"), { active: 2, queued: 1 });
    releases[1]?.();
    assert.deepEqual(started, ["1", "2", "b1", "3", "4"]);
  });

  it("answers a long wait with queue_timeout, and a cancelled wait frees its queue place", async () => {
    const gates = new TunnelGates({ concurrency: 1, queue: 1, queueTimeoutMs: 30 });
    const events: string[] = [];
    gates.enter("a", { start: () => events.push("first"), busy: () => events.push("first busy") });
    const cancel = gates.enter("a", {
      start: () => events.push("second"),
      busy: () => events.push("second busy"),
    });
    assert.ok(cancel !== null);
    cancel();
    assert.deepEqual(gates.load("a"), { active: 1, queued: 0 });
    gates.enter("a", {
      start: () => events.push("third"),
      busy: (r) => events.push(`third ${r}`),
    });
    await sleep(80);
    assert.deepEqual(events, ["first", "third queue_timeout"]);
  });
});
