/**
 * The stream relay's bounds (issue #14, SPEC S-P1), on real loopback sockets: bytes both ways
 * (the passthrough's already-read bytes first), a half-close passed on in each direction,
 * a close on either side closing the other, the idle timeout (traffic either way keeps the
 * relay open), and an upstream that refuses the connection. `relay()` is driven directly, as
 * the tcp listener calls it, so every outcome reaches `done` and is asserted; once piped and
 * once with pooled reads (src/runtime/stream/pooled-reads.ts).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { TCP_READ_BYTES } from "../../src/runtime/stream/pooled-reads.ts";
import { relay } from "../../src/runtime/stream/relay.ts";
import type { RelayBounds, RelayEnd } from "../../src/runtime/stream/relay.ts";
import { within } from "./helpers/streams.ts";

/** How long a test waits for an event before failing (never a timing assertion). */
const WAIT_MS = 10_000;

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );

const waitFor = <T>(promise: Promise<T>, what: string): Promise<T> =>
  within(promise, what, WAIT_MS);

/** Everything a socket receives until its peer ends. */
const untilEnd = (socket: Socket): Promise<string> =>
  new Promise((resolve) => {
    let data = "";
    socket.on("data", (d: Buffer) => (data += d.toString()));
    socket.once("end", () => resolve(data));
  });

/** Resolves once the peer has hung up on `socket` (a FIN read to the end, or a reset). */
const hungUp = (socket: Socket): Promise<void> =>
  new Promise((resolve) => {
    if (socket.closed || socket.readableEnded) {
      resolve();
      return;
    }
    socket.on("error", () => resolve());
    socket.once("end", () => resolve());
    socket.once("close", () => resolve());
    socket.resume();
  });

/** An upstream whose accepted sockets the test drives itself. */
interface Upstream {
  readonly port: number;
  next(): Promise<Socket>;
  close(): Promise<void>;
}

/** Every socket a test opened, destroyed at the end (a half-closed one would keep the loop). */
const opened: Socket[] = [];

async function startUpstream(): Promise<Upstream> {
  const waiting: ((s: Socket) => void)[] = [];
  const accepted: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => socket.destroy());
    opened.push(socket);
    const take = waiting.shift();
    if (take === undefined) accepted.push(socket);
    else take(socket);
  });
  const port = await listen(server);
  return {
    port,
    next: () => {
      const ready = accepted.shift();
      return ready === undefined
        ? waitFor(new Promise<Socket>((r) => waiting.push(r)), "upstream connection")
        : Promise.resolve(ready);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A relay in front of `upstreamPort`: the client's socket, its ending, and `done`'s value. */
interface Relayed {
  readonly client: Socket;
  readonly end: Promise<RelayEnd>;
}

/** Both read modes: piped, and pooled buffers as the tcp listener and passthrough use. */
for (const pooledReadBytes of [null, TCP_READ_BYTES]) {
  describe(`stream relay bounds (issue #14), ${pooledReadBytes === null ? "piped" : "pooled reads"}`, () => {
    let upstream: Upstream;
    let front: Server;
    let frontPort: number;
    let pending: { bounds: RelayBounds; first: Buffer | null; upstreamPort: number }[] = [];
    const ends: ((end: RelayEnd) => void)[] = [];

    before(async () => {
      upstream = await startUpstream();
      // The front listener is set up as the tcp listener's: paused until the relay reads.
      front = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
        socket.on("error", () => socket.destroy());
        opened.push(socket);
        const job = pending.shift();
        const report = ends.shift();
        if (job === undefined || report === undefined) {
          socket.destroy();
          return;
        }
        relay(
          socket,
          { host: "127.0.0.1", port: job.upstreamPort },
          job.first,
          job.bounds,
          report,
          pooledReadBytes,
        );
      });
      frontPort = await listen(front);
    });
    after(async () => {
      for (const socket of opened) socket.destroy();
      await new Promise((resolve) => front.close(resolve));
      await upstream.close();
    });

    function open(
      bounds: Partial<RelayBounds> = {},
      first: Buffer | null = null,
      upstreamPort = upstream.port,
    ): Promise<Relayed> {
      pending = [
        ...pending,
        {
          bounds: { connectTimeoutMs: 2_000, idleTimeoutMs: 60_000, ...bounds },
          first,
          upstreamPort,
        },
      ];
      const end = new Promise<RelayEnd>((resolve) => ends.push(resolve));
      return new Promise((resolve, reject) => {
        const client = connect({ host: "127.0.0.1", port: frontPort, allowHalfOpen: true }, () =>
          resolve({ client, end: waitFor(end, "relay end") }),
        );
        opened.push(client);
        client.once("error", reject);
      });
    }

    it("S-P1: relays both ways, the already-read bytes first, and passes a client's half-close on", async () => {
      const { client, end } = await open({}, Buffer.from("hello:"));
      const server = await upstream.next();
      const atServer = untilEnd(server);
      const atClient = untilEnd(client);
      client.end("from-client");
      assert.equal(
        await waitFor(atServer, "client half-close at the upstream"),
        "hello:from-client",
      );
      // Half-closed, not closed: the upstream still answers and the client still reads.
      server.end("from-upstream");
      assert.equal(await waitFor(atClient, "upstream end at the client"), "from-upstream");
      assert.equal(await end, "closed");
    });

    it("S-P1: an upstream's half-close reaches the client, which may still send", async () => {
      const { client, end } = await open();
      const server = await upstream.next();
      const atClient = untilEnd(client);
      const atServer = untilEnd(server);
      server.end("bye");
      assert.equal(await waitFor(atClient, "upstream half-close at the client"), "bye");
      client.end("late");
      assert.equal(await waitFor(atServer, "client bytes after the half-close"), "late");
      assert.equal(await end, "closed");
    });

    it("S-P1: an upstream that resets closes the client connection", async () => {
      const { client, end } = await open();
      const server = await upstream.next();
      // Once a byte went through, the relay is connected: the reset is a close, not a failed connect.
      client.write("x");
      await waitFor(new Promise((r) => server.once("data", r)), "a relayed byte");
      server.resetAndDestroy();
      await waitFor(hungUp(client), "client hang-up");
      assert.equal(await end, "closed");
    });

    it("S-P1: a client that resets closes the upstream connection", async () => {
      const { client, end } = await open();
      const server = await upstream.next();
      client.resetAndDestroy();
      await waitFor(hungUp(server), "upstream hang-up");
      assert.equal(await end, "closed");
    });

    it("S-P1: a relay without traffic either way is closed as idle, both sides", async () => {
      const { client, end } = await open({ idleTimeoutMs: 150 });
      const server = await upstream.next();
      assert.equal(await end, "idle");
      await waitFor(Promise.all([hungUp(client), hungUp(server)]), "both sides hung up");
    });

    it("S-P1: traffic in one direction only keeps a relay open past its idle timeout", async () => {
      // Generous against a loaded machine: only a 900 ms stall of the event loop could end it early.
      const idleTimeoutMs = 1_000;
      const { client, end } = await open({ idleTimeoutMs });
      const server = await upstream.next();
      let settled: RelayEnd | null = null;
      void end.then((e) => (settled = e));
      let received = 0;
      const allReceived = new Promise<void>((resolve) =>
        server.on("data", (d: Buffer) => {
          received += d.length;
          if (received === 30) resolve();
        }),
      );
      // Three idle timeouts' worth of upstream-bound bytes, one every tenth of the timeout.
      for (let i = 0; i < 30; i++) {
        client.write("x");
        await new Promise((r) => setTimeout(r, idleTimeoutMs / 10));
      }
      await waitFor(allReceived, "every relayed byte");
      assert.equal(settled, null, "the relay ended while bytes were flowing");
      // Then silence: the relay ends as idle.
      assert.equal(await end, "idle");
    });

    it("S-P1: an upstream refusing the connection ends the relay and closes the client", async () => {
      const refusing = createServer();
      const port = await listen(refusing);
      await new Promise((resolve) => refusing.close(resolve));
      const { client, end } = await open({}, null, port);
      assert.equal(await end, "connect_failed");
      await waitFor(hungUp(client), "client hang-up");
    });
  });
}
