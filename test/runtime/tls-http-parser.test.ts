/**
 * An HTTPS/1.1 connection reaches Node's HTTP parser the way `node:https` hands it one (issue
 * #20 item 1: TLS keep-alive costs no more than Node's own HTTPS server). The listener peeks
 * at the ClientHello, hands the raw socket to the tunnel's terminator and the TLS socket to
 * the HTTP server; after that the parser must read the TLS layer in C++ (Node "consumes" the
 * socket's handle). A `data` or `readable` listener on the TLS socket would make Node give the
 * handle back to JavaScript, and every request would then cross into JavaScript as a Buffer
 * before it is parsed. The server-side socket is read from Node's `http.server.request.start`
 * diagnostics channel; its internal fields are Node 24's.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { TLSSocket } from "node:tls";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { selfSigned, tempDir } from "./helpers/certs.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { keepAliveGet } from "./helpers/raw.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const HOST = "parser.test";
const REQUEST_START = "http.server.request.start";

/** What decides how a request reaches the parser, read off the server's side of a connection. */
interface ParserPath {
  readonly socketClass: string;
  /** Node's parser reads the handle in C++ (`parser.consume(handle)`), bypassing JavaScript. */
  readonly parserConsumes: boolean;
  readonly dataListeners: number;
  readonly readableListeners: number;
}

/** The server-side TLS socket as Node's internals leave it (fields of Node 24, not public API). */
type InternalSocket = TLSSocket & { parser?: { _consumed?: boolean } | null };

function parserPathOf(socket: InternalSocket): ParserPath {
  return {
    socketClass: socket.constructor.name,
    parserConsumes: socket.parser?._consumed === true,
    dataListeners: socket.listenerCount("data"),
    readableListeners: socket.listenerCount("readable"),
  };
}

/** Sends two keep-alive requests to `port`; resolves with the server side of the second. */
async function secondRequestPath(port: number): Promise<ParserPath> {
  const seen: ParserPath[] = [];
  const onStart = (message: unknown): void => {
    const socket = (message as { socket: InternalSocket }).socket;
    // The test upstream's plain HTTP requests are on this channel too.
    if (socket.encrypted) seen.push(parserPathOf(socket));
  };
  subscribe(REQUEST_START, onStart);
  const socket = tlsConnect({
    host: "127.0.0.1",
    port,
    servername: HOST,
    rejectUnauthorized: false,
    ALPNProtocols: ["http/1.1"],
  });
  try {
    await new Promise((resolve, reject) => {
      socket.once("secureConnect", resolve);
      socket.once("error", reject);
    });
    for (let i = 0; i < 2; i++) await keepAliveGet(socket, "/p", HOST);
  } finally {
    socket.destroy();
    unsubscribe(REQUEST_START, onStart);
  }
  assert.equal(seen.length, 2);
  return seen[1] as ParserPath;
}

describe("HTTPS/1.1 connections reach the HTTP parser as node:https's do (issue #20)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let nodeHttps: HttpsServer;
  let cert: { cert: string; key: string };

  before(async () => {
    cert = selfSigned(tempDir(), "parser", [HOST]);
    upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "parser", hosts: [HOST], upstream: upstream.url })]),
    );
    ({ runtime } = await startTestRuntime([policy], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: [HOST], certFile: cert.cert, keyFile: cert.key }],
    }));
    nodeHttps = createHttpsServer(
      { cert: readFileSync(cert.cert), key: readFileSync(cert.key) },
      (_req, res) => res.writeHead(200, { "content-length": 0 }).end(),
    );
    await new Promise<void>((resolve) => nodeHttps.listen(0, "127.0.0.1", resolve));
  });

  after(async () => {
    nodeHttps.closeAllConnections();
    await new Promise((resolve) => nodeHttps.close(resolve));
    await runtime.close();
    await upstream.close();
  });

  it(
    "the parser reads the TLS layer in C++, with no JavaScript read listener of rampart's",
    { timeout: 30_000 },
    async () => {
      const rampart = await secondRequestPath(runtime.addresses.https?.port ?? 0);
      const node = await secondRequestPath((nodeHttps.address() as AddressInfo).port);
      assert.equal(node.parserConsumes, true, "the reference: node:https's parser consumes it");
      assert.deepEqual(rampart, node);
    },
  );
});
