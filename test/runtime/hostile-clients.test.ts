/**
 * Issue #18 item 1: slow and abusive clients. Bounded slowloris and slow-body clients on
 * loopback against one tunnel while a control client keeps asking another tunnel and the
 * engine's own endpoint (S-O2, S-W1); client aborts counted as such; the connection cap.
 * Every loop and wait here is bounded.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { send } from "./helpers/http.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.on("error", reject);
  });
}

/** Resolves with what the server wrote once it closes the socket (or after `ms`). */
function closedWithin(socket: Socket, ms: number): Promise<{ closed: boolean; data: string }> {
  return new Promise((resolve) => {
    let data = "";
    socket.on("data", (c: Buffer) => (data += c.toString()));
    socket.on("error", () => undefined);
    const timer = setTimeout(() => resolve({ closed: false, data }), ms);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ closed: true, data });
    });
  });
}

async function metricsText(port: number): Promise<string> {
  return (await send({ port, host: "localhost", path: "/metrics" })).body;
}

function metricValue(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  return m === null ? 0 : Number(m[1]);
}

describe("hostile clients (issue #18 item 1)", () => {
  it("S-O1/S-O2: slowloris and slow-body clients of one tunnel leave another tunnel and the well-known endpoint answering: p99 within 100 ms of the same requests without attackers, none stuck", async (t) => {
    // Both tunnels share one upstream, hence one pool of 32 connections: without the tunnel
    // cap, 60 slow uploads to one tunnel would hold every connection the other one needs.
    const shared = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([
        tunnel({ id: "victim", hosts: ["victim.test"], upstream: shared.url }),
        tunnel({ id: "control", hosts: ["control.test"], upstream: shared.url }),
      ]),
    );
    const { runtime } = await startTestRuntime([policy], {
      admin: { host: "127.0.0.1", port: 0 },
      clients: {
        headersTimeoutMs: 1_000,
        requestTimeoutMs: 4_000,
        bodyIdleTimeoutMs: 600,
        maxConnections: 1_000,
      },
      tunnelLimits: { concurrency: 8, queue: 8, queueTimeoutMs: 1_000 },
      upstream: { connections: 32 },
    });
    const port = runtime.addresses.http?.port ?? 0;
    const adminPort = runtime.addresses.admin?.port ?? 0;
    const attackers: Socket[] = [];
    // The control client has its own keep-alive connection: what is measured is the request,
    // not a connect racing the attackers' sockets in the accept queue.
    const agent = new Agent({ connections: 1, pipelining: 1 });
    const control = async (host: string, path: string): Promise<number> => {
      const res = await request(`http://127.0.0.1:${port}${path}`, {
        headers: { host },
        dispatcher: agent,
      });
      await res.body.text();
      return res.statusCode;
    };
    /** `n` control requests, alternating the other tunnel and the engine's endpoint. */
    const measure = async (
      n: number,
    ): Promise<{ p99: number; max: number; statuses: [number, number][] }> => {
      const latencies: number[] = [];
      const statuses = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const status =
          i % 2 === 0
            ? await control("control.test", "/ping")
            : await control("victim.test", "/.well-known/rstream/session");
        latencies.push(performance.now() - t0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        await sleep(2);
      }
      latencies.sort((a, b) => a - b);
      return {
        p99: latencies[Math.floor(n * 0.99)] ?? Infinity,
        max: latencies.at(-1) ?? Infinity,
        statuses: [...statuses],
      };
    };
    try {
      // Warm up the control client's connection and the code paths before measuring.
      for (let i = 0; i < 10; i++) await control("control.test", "/warm");
      // The same control requests without hostile clients, in this run, on this machine now.
      const quiet = await measure(200);
      assert.deepEqual(quiet.statuses, [[200, 200]]);
      // 140 hostile sockets, as in the report: nine times the victim tunnel's 16 places
      // (8 slots, 8 queued), yet few enough that their drip costs the two shared cores little.
      // 80 slowloris clients: a head that never ends, one header line every 200 ms.
      const loris = await Promise.all(Array.from({ length: 80 }, () => rawSocket(port)));
      const lorisClosed = loris.map((s) => closedWithin(s, 3_000));
      for (const s of loris) s.write("GET / HTTP/1.1\r\nHost: victim.test\r\n");
      // 60 slow-body clients: a large declared body, one byte every 300 ms (never idle long
      // enough to be cut, so they hold the tunnel's slots until the whole-request timeout).
      const slow = await Promise.all(Array.from({ length: 60 }, () => rawSocket(port)));
      const slowReplies = slow.map((s) => closedWithin(s, 6_000));
      for (const s of slow)
        s.write("POST /upload HTTP/1.1\r\nHost: victim.test\r\nContent-Length: 100000\r\n\r\nx");
      attackers.push(...loris, ...slow);
      const drip = setInterval(() => {
        for (const s of loris) if (!s.destroyed) s.write("X-Slow: 1\r\n");
        for (const s of slow) if (!s.destroyed) s.write("y");
      }, 200);
      // Give the attack time to fill the victim's slots and queue.
      await sleep(300);
      const attackStart = performance.now();
      const attacked = await measure(300);
      // The slow uploads hold the victim's slots for 4 s (the whole-request timeout); say how
      // much of that window the measurement covered.
      t.diagnostic(`measured under attack for ${(performance.now() - attackStart).toFixed(0)} ms`);
      clearInterval(drip);
      t.diagnostic(
        `control p99 (max): ${quiet.p99.toFixed(1)} (${quiet.max.toFixed(1)}) ms quiet, ${attacked.p99.toFixed(1)} (${attacked.max.toFixed(1)}) ms attacked`,
      );
      assert.deepEqual(attacked.statuses, [[200, 300]], "every control request is answered 200");
      // The bound is relative to the same requests measured just before without attackers
      // (issue #18 asks for 100 ms at p99): the attack may add at most 100 ms at p99. On an
      // idle machine the quiet p99 is a few ms, so this is the 100 ms; on a machine
      // loaded by other work (this failed once at load 22 with an absolute bound) both samples
      // pay the same scheduling delay, which is not the attack's doing. Starvation, what the
      // test exists to catch, looks nothing like either: control requests stuck behind the
      // victim's slots wait out the 1 s queue timeout or the 4 s request timeout.
      // And no single control request is stuck behind the victim: with the tunnel cap off, the
      // p99 above still passed (the few stuck requests sit above it) while the slowest control
      // request waited 5 s for the slow uploads to time out. One second over the quiet worst
      // case (the queue timeout) is far from both a scheduling hiccup and that.
      assert.ok(
        attacked.max < quiet.max + 1_000,
        `slowest control request ${attacked.max.toFixed(1)} ms under attack vs ${quiet.max.toFixed(1)} ms quiet`,
      );
      assert.ok(
        attacked.p99 < quiet.p99 + 100,
        `control p99 ${attacked.p99.toFixed(1)} ms under attack vs ${quiet.p99.toFixed(1)} ms quiet`,
      );

      // The slowloris heads were cut at the head timeout (408), not left open.
      const lorisEnds = await Promise.all(lorisClosed);
      assert.ok(
        lorisEnds.every((e) => e.closed),
        "every slowloris connection is closed",
      );
      assert.ok(lorisEnds.some((e) => e.data.startsWith("HTTP/1.1 408")));
      // Past the tunnel's 8 slots and 8 queue places, slow uploads were refused at once.
      const ends = await Promise.all(slowReplies);
      const busy = ends.filter(
        (e) => /^HTTP\/1\.1 503/.test(e.data) && e.data.includes("tunnel_busy"),
      );
      assert.ok(busy.length >= 60 - 16 - 8, `${busy.length} slow uploads answered 503`);
      const text = await metricsText(adminPort);
      assert.ok(
        metricValue(
          text,
          /rampart_tunnel_busy_total\{tunnel="victim",reason="queue_full"\} (\d+)/,
        ) >= 1,
      );
      assert.equal(
        metricValue(text, /rampart_upstream_failures_total\{kind="unreachable"\} (\d+)/),
        0,
        "client stalls are never upstream failures",
      );
    } finally {
      for (const s of attackers) s.destroy();
      await agent.close();
      await runtime.close();
      await shared.close();
    }
  });

  it("cuts a request whose body goes silent with 408 and counts a client timeout, not an upstream failure", async () => {
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "web", hosts: ["web.test"], upstream: upstream.url })]),
    );
    const { runtime, lines } = await startTestRuntime([policy], {
      admin: { host: "127.0.0.1", port: 0 },
      clients: {
        headersTimeoutMs: 2_000,
        requestTimeoutMs: 10_000,
        bodyIdleTimeoutMs: 300,
        maxConnections: 100,
      },
    });
    try {
      const socket = await rawSocket(runtime.addresses.http?.port ?? 0);
      const end = closedWithin(socket, 3_000);
      socket.write(
        "POST /upload HTTP/1.1\r\nHost: web.test\r\nContent-Length: 1000\r\n\r\n0123456789",
      );
      const reply = await end;
      assert.ok(reply.closed, "the stalled request's connection is closed");
      assert.match(reply.data, /^HTTP\/1\.1 408/);
      assert.match(reply.data, /request_timeout/);
      const text = await metricsText(runtime.addresses.admin?.port ?? 0);
      assert.equal(metricValue(text, /rampart_client_timeouts_total\{phase="body"\} (\d+)/), 1);
      assert.doesNotMatch(text, /rampart_upstream_failures_total\{kind=/);
      assert.ok(lines.some((l) => l["msg"] === "request body stalled; the request is cut"));
      assert.ok(!lines.some((l) => l["msg"] === "forward failed"));
    } finally {
      await runtime.close();
      await upstream.close();
    }
  });

  it("counts and logs a client that resets mid-body as a client abort, never as ECONNRESET upstream", async () => {
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "web", hosts: ["web.test"], upstream: upstream.url })]),
    );
    const { runtime, lines } = await startTestRuntime([policy], {
      admin: { host: "127.0.0.1", port: 0 },
    });
    try {
      const socket = await rawSocket(runtime.addresses.http?.port ?? 0);
      socket.on("error", () => undefined);
      socket.write(
        "POST /upload HTTP/1.1\r\nHost: web.test\r\nContent-Length: 1000\r\n\r\n0123456789",
      );
      await sleep(100);
      socket.resetAndDestroy();
      const adminPort = runtime.addresses.admin?.port ?? 0;
      let text = "";
      for (let i = 0; i < 100; i++) {
        text = await metricsText(adminPort);
        if (/rampart_client_aborts_total\{phase="request"\} 1/.test(text)) break;
        await sleep(20);
      }
      assert.match(text, /rampart_client_aborts_total\{phase="request"\} 1/);
      assert.doesNotMatch(text, /rampart_upstream_failures_total\{kind=/);
      const abort = lines.find((l) => l["msg"] === "client aborted the request");
      assert.equal(abort?.["tunnel"], "web");
      assert.equal(abort?.["phase"], "request");
      assert.ok(!lines.some((l) => l["msg"] === "forward failed"), "no upstream failure is logged");
    } finally {
      await runtime.close();
      await upstream.close();
    }
  });

  it("closes connections past the global cap, with a metric and one log line, and keeps the admin listener reachable", async () => {
    const upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "web", hosts: ["web.test"], upstream: upstream.url })]),
    );
    const { runtime, lines } = await startTestRuntime([policy], {
      admin: { host: "127.0.0.1", port: 0 },
      clients: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 60_000,
        bodyIdleTimeoutMs: 10_000,
        maxConnections: 3,
      },
    });
    const port = runtime.addresses.http?.port ?? 0;
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await rawSocket(port));
      await sleep(50);
      const extra = await rawSocket(port);
      const refused = await closedWithin(extra, 2_000);
      assert.ok(refused.closed, "the connection past the cap is closed");
      assert.equal(refused.data, "");
      const text = await metricsText(runtime.addresses.admin?.port ?? 0);
      assert.equal(metricValue(text, /rampart_connections_refused_total (\d+)/), 1);
      assert.equal(metricValue(text, /rampart_open_connections (\d+)/), 3);
      const logged = lines.filter(
        (l) => l["msg"] === "connection cap reached; new connections are closed",
      );
      assert.equal(logged.length, 1);
      assert.equal(logged[0]?.["max"], 3);
      // A freed slot admits the next client.
      held.pop()?.destroy();
      await sleep(50);
      const reply = await send({ port, host: "web.test", path: "/ok" });
      assert.equal(reply.status, 200);
    } finally {
      for (const s of held) s.destroy();
      await runtime.close();
      await upstream.close();
    }
  });
});
