/**
 * Read buffers kept between relay connections (src/runtime/stream/spare-buffers.ts): a buffer
 * is kept once, and connections relayed through reused buffers each deliver exactly their own
 * bytes (S-P1: a relay never mixes one client's bytes into another's stream). Loopback only.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { connect, createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { TCP_READ_BYTES } from "../../src/runtime/stream/pooled-reads.ts";
import { relay } from "../../src/runtime/stream/relay.ts";
import { keepSpare, keptSpares, takeSpare } from "../../src/runtime/stream/spare-buffers.ts";
import { patternedBytes, sha256, within } from "./helpers/streams.ts";

const WAIT_MS = 20_000;
const BOUNDS = { connectTimeoutMs: 5_000, idleTimeoutMs: 60_000 };
const CONNECTIONS = 8;
const BYTES = 2 * 1024 * 1024;

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );

const payloadOf = (id: number): Buffer => patternedBytes(BYTES, id);

describe("relay read buffers kept between connections (issue #14)", () => {
  const opened: Socket[] = [];
  let upstream: Server;
  let front: Server;
  let frontPort: number;

  before(async () => {
    // The upstream answers each connection with the hash of everything it received.
    upstream = createServer({ allowHalfOpen: true }, (socket) => {
      opened.push(socket);
      const hash = createHash("sha256");
      socket.on("data", (chunk: Buffer) => hash.update(chunk));
      socket.on("end", () => socket.end(hash.digest("hex")));
      socket.on("error", () => socket.destroy());
    });
    const upstreamPort = await listen(upstream);
    front = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
      opened.push(socket);
      socket.on("error", () => socket.destroy());
      const target = { host: "127.0.0.1", port: upstreamPort };
      relay(socket, target, null, BOUNDS, () => undefined, TCP_READ_BYTES);
    });
    frontPort = await listen(front);
  });
  after(async () => {
    for (const socket of opened) socket.destroy();
    await new Promise((resolve) => front.close(resolve));
    await new Promise((resolve) => upstream.close(resolve));
  });

  /** Sends connection `id`'s payload, ends, and resolves with the upstream's hash of it. */
  const send = (id: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = connect(frontPort, "127.0.0.1");
      opened.push(socket);
      let answer = "";
      socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
      socket.on("end", () => resolve(answer));
      socket.on("error", reject);
      socket.end(payloadOf(id));
    });

  const wave = async (first: number): Promise<void> => {
    const ids = Array.from({ length: CONNECTIONS }, (_, i) => first + i);
    const answers = await within(Promise.all(ids.map(send)), "every upstream answer", WAIT_MS);
    ids.forEach((id, i) => assert.equal(answers[i], sha256(payloadOf(id)), `connection ${id}`));
  };

  it("S-P1: a buffer is kept once, and a kept buffer is what the next connection takes", () => {
    const size = 4096 + 17;
    const buffer = Buffer.allocUnsafeSlow(size);
    keepSpare(buffer);
    keepSpare(buffer);
    assert.equal(keptSpares(size), 1, "the same buffer is never kept twice");
    assert.equal(takeSpare(size), buffer);
    assert.equal(keptSpares(size), 0);
    assert.notEqual(takeSpare(size), buffer, "an empty keep allocates a new buffer");
  });

  it("S-P1: connections relayed through reused buffers each deliver exactly their own bytes", async () => {
    await wave(1);
    // The first wave's buffers come back once its sockets have closed.
    await within(
      (async () => {
        while (keptSpares(TCP_READ_BYTES) === 0) await new Promise((r) => setTimeout(r, 20));
      })(),
      "the first wave's buffers kept",
      WAIT_MS,
    );
    const kept = keptSpares(TCP_READ_BYTES);
    assert.ok(kept > 0);
    await wave(100);
    await wave(200);
  });
});
