/**
 * The processes of the stream-relay benchmark (issue #14), one role per process so each one's
 * CPU is its own: `sinks` (a TCP and a TLS upstream that count bytes and answer "ok" once a
 * length-prefixed payload has arrived), `rampart` (the runtime serving a `tcp`, a `tls` and a
 * `tls-passthrough` tunnel, each with a trusted-IP list), `relay` (rampart's relay function
 * alone behind a `net` server, as the tcp listener calls it) and `node` (the baselines: a
 * plain `net` pipe relay, and a `tls.createServer` pipe relay for terminated TLS). Each
 * reports its ports over IPC.
 */
import { connect as netConnect, createServer as createNetServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { readFileSync } from "node:fs";
import { pino } from "pino";
import { startRuntime } from "../../src/runtime/server.ts";
import { TCP_READ_BYTES } from "../../src/runtime/stream/pooled-reads.ts";
import { relay } from "../../src/runtime/stream/relay.ts";
import {
  compiledPolicy,
  effectivePolicy,
  tunnel,
  withTrustedIps,
} from "../runtime/helpers/policy.ts";

const [role, ...args] = process.argv.slice(2);
const send = (message: unknown): void => {
  process.send?.(message);
};
// A parent that counts this process's instructions asks it to exit cleanly (stream-instructions.ts).
process.on("message", (message) => {
  if (message === "exit") process.exit(0);
});

/** The sink protocol: an 8-byte big-endian length, that many bytes, then "ok" back. */
function sinkConnection(socket: Socket): void {
  let expected = -1;
  let seen = 0;
  let header = Buffer.alloc(0);
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: Buffer) => {
    let data = chunk;
    if (expected < 0) {
      header = Buffer.concat([header, data]);
      if (header.length < 8) return;
      expected = Number(header.readBigUInt64BE(0));
      data = header.subarray(8);
    }
    seen += data.length;
    if (seen >= expected) {
      socket.write("ok");
      expected = -1;
      seen = 0;
      header = Buffer.alloc(0);
    }
  });
}

const listenOn = (server: Server): Promise<number> =>
  new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );

async function sinks(certFile: string, keyFile: string): Promise<void> {
  const tcp = await listenOn(createNetServer(sinkConnection));
  const tls = await listenOn(
    createTlsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, sinkConnection),
  );
  send({ tcp, tls });
}

/** A plain relay: what a Node proxy without policy costs. */
function pipeTo(port: number) {
  return (client: Socket): void => {
    const upstream = netConnect({ host: "127.0.0.1", port });
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };
}

async function node(tcpSink: number, tlsSink: number, certFile: string, keyFile: string) {
  const tcp = await listenOn(createNetServer(pipeTo(tcpSink)));
  const passthrough = await listenOn(createNetServer(pipeTo(tlsSink)));
  const tls = await listenOn(
    createTlsServer(
      { cert: readFileSync(certFile), key: readFileSync(keyFile) },
      pipeTo(tcpSink) as (s: Socket) => void,
    ),
  );
  send({ tcp, tls, passthrough });
}

/** Rampart's relay alone: the tcp listener's accept path without the decision or the runtime. */
async function relayAlone(tcpSink: number): Promise<void> {
  const upstream = { host: "127.0.0.1", port: tcpSink };
  const bounds = { connectTimeoutMs: 5_000, idleTimeoutMs: 300_000 };
  const server = createNetServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    socket.on("error", () => socket.destroy());
    socket.setNoDelay(true);
    relay(socket, upstream, null, bounds, () => undefined, TCP_READ_BYTES);
  });
  send({ tcp: await listenOn(server) });
}

async function rampart(tcpSink: number, tlsSink: number, certFile: string, keyFile: string) {
  const stream = (id: string, protocol: "tcp" | "tls" | "tls-passthrough", up: number) => {
    const t = tunnel({
      id,
      hosts: protocol === "tcp" ? [] : [`${id}.bench.test`],
      protocol,
      upstream: `tcp://127.0.0.1:${up}`,
    });
    // The decision runs on every connection: a trusted-IP list that admits loopback.
    return withTrustedIps({ ...t, tls: { ...t.tls, terminated: protocol === "tls" } }, [
      "127.0.0.0/8",
      "10.0.0.0/8",
      "192.0.2.0/24",
    ]);
  };
  const policy = effectivePolicy([
    stream("tcp", "tcp", tcpSink),
    stream("tls", "tls", tcpSink),
    stream("pass", "tls-passthrough", tlsSink),
  ]);
  const started = await startRuntime({
    load: () => Promise.resolve({ value: [compiledPolicy(policy)], diagnostics: [] }),
    https: { host: "127.0.0.1", port: 0 },
    certificates: [{ hosts: ["*.bench.test"], certFile, keyFile }],
    tcp: [{ tunnel: "tcp", port: 0 }],
    cookieKey: "bench-cookie-key-0123456789abcdef0123456789",
    logger: pino({ level: "silent" }),
  });
  if (started.value === undefined) throw new Error(JSON.stringify(started.diagnostics));
  const https = started.value.addresses.https?.port ?? 0;
  send({ tcp: started.value.addresses.tcp[0]?.address.port, tls: https, passthrough: https });
}

const n = (i: number): number => Number(args[i]);
if (role === "sinks") await sinks(args[0] ?? "", args[1] ?? "");
else if (role === "node") await node(n(0), n(1), args[2] ?? "", args[3] ?? "");
else if (role === "rampart") await rampart(n(0), n(1), args[2] ?? "", args[3] ?? "");
else if (role === "relay") await relayAlone(n(0));
else throw new Error(`unknown role ${role ?? ""}`);
