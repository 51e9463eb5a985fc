/**
 * Real stream peers for the `tls`, `tls-passthrough` and `tcp` tunnel tests: a TCP echo server,
 * a TLS echo server with its own certificate, clients that send a line and read the echo, and
 * a captured ClientHello for tests that send handshake bytes by hand. Loopback only.
 */
import { createServer as createNetServer, connect as netConnect } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { connect as tlsConnect, createServer as createTlsServer } from "node:tls";
import type { ConnectionOptions } from "node:tls";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { CertFiles } from "./certs.ts";

/** A listening echo server and how to stop it. */
export interface EchoServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  close(): Promise<void>;
}

function listening(server: Server, count: () => number): Promise<EchoServer> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        accepted: count,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Relayed connections may still be open; end them.
            server.emit("rampart-test-close");
          }),
      }),
    );
  });
}

/** A TCP server that echoes every byte back. */
export function startTcpEcho(): Promise<EchoServer> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.pipe(socket);
  });
  server.on("rampart-test-close", () => sockets.forEach((s) => s.destroy()));
  return listening(server, () => accepted);
}

/** A TLS server with its own certificate that echoes; it terminates TLS itself (passthrough). */
export function startTlsEcho(cert: CertFiles): Promise<EchoServer> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createTlsServer(
    { cert: readFileSync(cert.cert), key: readFileSync(cert.key) },
    (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      // Say which name the upstream saw, then echo.
      socket.write(`sni=${(socket as unknown as { servername: string }).servername}\n`);
      socket.pipe(socket);
    },
  );
  // Counted at TCP accept: a relayed handshake that never completes counts too.
  server.on("connection", () => accepted++);
  server.on("rampart-test-close", () => sockets.forEach((s) => s.destroy()));
  return listening(server, () => accepted);
}

/** What a TLS client saw: the echo, the protocol and the server certificate's fingerprint. */
export interface TlsExchange {
  readonly reply: string;
  readonly protocol: string | null;
  readonly fingerprint: string;
}

/** Connects over TLS, sends `payload`, and resolves once `expect` bytes came back. */
export function tlsExchange(
  port: number,
  servername: string,
  payload: string,
  expect: number,
  options: ConnectionOptions = {},
): Promise<TlsExchange> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host: "127.0.0.1", port, servername, rejectUnauthorized: false, ...options },
      () => socket.write(payload),
    );
    let reply = "";
    socket.setTimeout(5_000, () => socket.destroy(new Error("timeout")));
    socket.on("data", (d: Buffer) => {
      reply += d.toString();
      if (reply.length >= expect) {
        const result = {
          reply,
          protocol: socket.getProtocol(),
          fingerprint: socket.getPeerCertificate().fingerprint256,
        };
        socket.destroy();
        resolve(result);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`closed after ${JSON.stringify(reply)}`)));
  });
}

/** Connects over TCP, writes `chunks` (with `gapMs` between them), and collects what comes back. */
export function rawExchange(
  port: number,
  chunks: readonly Buffer[],
  gapMs = 0,
  timeoutMs = 5_000,
): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: "127.0.0.1", port, noDelay: true });
    const received: Buffer[] = [];
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(received), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("data", (d: Buffer) => received.push(d));
    socket.on("error", () => undefined);
    socket.on("close", () => finish(true));
    socket.on("connect", () => {
      let i = 0;
      const next = (): void => {
        if (i >= chunks.length || socket.destroyed) return;
        socket.write(chunks[i++] as Buffer);
        if (gapMs > 0) setTimeout(next, gapMs);
        else next();
      };
      next();
    });
  });
}

/** The first flight a Node TLS client sends for `servername` (undefined: no SNI). */
export function captureClientHello(
  servername: string | undefined,
  options: ConnectionOptions = {},
): Promise<Buffer> {
  return new Promise((resolve) => {
    const server = createNetServer((socket) => {
      socket.once("data", (d: Buffer) => {
        socket.destroy();
        server.close();
        resolve(d);
      });
    });
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      const client = tlsConnect({
        host: "127.0.0.1",
        port,
        rejectUnauthorized: false,
        ...(servername === undefined ? {} : { servername }),
        ...options,
      });
      client.on("error", () => undefined);
    });
  });
}

/** Splits a TLS handshake record into records of at most `size` payload bytes each. */
export function fragmentRecords(hello: Buffer, size: number): Buffer {
  const body = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const part = body.subarray(i, i + size);
    const header = Buffer.from([0x16, hello[1] as number, hello[2] as number, 0, 0]);
    header.writeUInt16BE(part.length, 3);
    out.push(header, part);
  }
  return Buffer.concat(out);
}

/** Connects over TCP, writes `payload`, and resolves with the echo or "closed". */
export function tcpExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: "127.0.0.1", port }, () => socket.write(payload));
    let reply = "";
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on("data", (d: Buffer) => {
      reply += d.toString();
      if (reply.length >= payload.length) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(reply.length >= payload.length ? reply : "closed"));
  });
}

/** `promise`, or a rejection naming `what` after `ms` (a bound on waiting, never a timing assertion). */
export function within<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Test bytes that depend on their position and on `seed`: a reordering, a loss or another
 * connection's bytes (another seed) all change their hash.
 */
export function patternedBytes(bytes: number, seed = 0): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i += 4) out.writeUInt32BE(((i >>> 2) * 31 + seed * 7919) >>> 0, i);
  return out;
}

/** The hex sha-256 of `data`. */
export const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");
