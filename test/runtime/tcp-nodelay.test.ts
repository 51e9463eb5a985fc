/**
 * TCP_NODELAY on every socket of the proxy (issue #20 item 1): accepted plain, TLS HTTP/1.1
 * and TLS HTTP/2 connections, and the upstream pool's connections. With Nagle on, a small
 * response written after an unacknowledged one waits for the peer's delayed ACK (tens of ms).
 * The option is read from the kernel with getsockopt on the live sockets (helpers/socket-options.ts).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { TLSSocket } from "node:tls";
import { connect as h2Connect } from "node:http2";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { selfSigned, tempDir } from "./helpers/certs.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { keepAliveGet } from "./helpers/raw.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";
import { localPortsTo, noDelayOf, socketFd } from "./helpers/socket-options.ts";

const HOST = "nodelay.test";

/** The kernel's TCP_NODELAY of the runtime's side of a connection to `listenPort`. */
function serverSideNoDelay(listenPort: number, clientPort: number): boolean {
  const fd = socketFd(listenPort, clientPort);
  assert.notEqual(fd, null, `no fd for the accepted connection :${listenPort} ← :${clientPort}`);
  return noDelayOf(fd as number);
}

describe("TCP_NODELAY on accepted and upstream sockets (issue #20)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let httpPort: number;
  let httpsPort: number;
  const open: { destroy(): void }[] = [];

  before(async () => {
    const cert = selfSigned(tempDir(), "nodelay", [HOST]);
    upstream = await startUpstream();
    const policy = compiledPolicy(
      effectivePolicy([tunnel({ id: "nd", hosts: [HOST], upstream: upstream.url })]),
    );
    ({ runtime } = await startTestRuntime([policy], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: [HOST], certFile: cert.cert, keyFile: cert.key }],
    }));
    httpPort = runtime.addresses.http?.port ?? 0;
    httpsPort = runtime.addresses.https?.port ?? 0;
  });

  after(async () => {
    for (const s of open) s.destroy();
    await runtime.close();
    await upstream.close();
  });

  it("the probe reads the kernel's value: a client socket with Nagle left on reads false", async () => {
    const socket = netConnect({ host: "127.0.0.1", port: httpPort, noDelay: false });
    open.push(socket);
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.setNoDelay(false);
    const fd = socketFd(socket.localPort ?? 0, httpPort);
    assert.notEqual(fd, null);
    assert.equal(noDelayOf(fd as number), false);
    socket.setNoDelay(true);
    assert.equal(noDelayOf(fd as number), true);
  });

  it("a plain HTTP connection is accepted with TCP_NODELAY", async () => {
    const socket = netConnect({ host: "127.0.0.1", port: httpPort });
    open.push(socket);
    await new Promise((resolve) => socket.once("connect", resolve));
    assert.match(await keepAliveGet(socket, "/nodelay", HOST), /^HTTP\/1\.1 200/);
    assert.equal(serverSideNoDelay(httpPort, socket.localPort ?? 0), true);
  });

  it("a TLS HTTP/1.1 keep-alive connection is accepted with TCP_NODELAY", async () => {
    const socket: TLSSocket = tlsConnect({
      host: "127.0.0.1",
      port: httpsPort,
      servername: HOST,
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"],
    });
    open.push(socket);
    await new Promise((resolve) => socket.once("secureConnect", resolve));
    assert.match(await keepAliveGet(socket, "/nodelay", HOST), /^HTTP\/1\.1 200/);
    assert.match(await keepAliveGet(socket, "/nodelay", HOST), /^HTTP\/1\.1 200/);
    assert.equal(serverSideNoDelay(httpsPort, socket.localPort ?? 0), true);
  });

  it("a TLS HTTP/2 connection is accepted with TCP_NODELAY", async () => {
    const session = h2Connect(`https://127.0.0.1:${httpsPort}`, {
      servername: HOST,
      rejectUnauthorized: false,
    });
    open.push(session);
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ":path": "/nodelay", ":authority": HOST });
      req.on("response", (h) => resolve(Number(h[":status"])));
      req.on("error", reject);
      req.resume();
    });
    assert.equal(status, 200);
    const socket = session.socket;
    assert.equal(serverSideNoDelay(httpsPort, socket.localPort ?? 0), true);
  });

  it("the upstream pool's connections use TCP_NODELAY", () => {
    const upstreamPort = Number(new URL(upstream.url).port);
    // The proxy's side of its upstream connections: local sockets whose peer is the upstream.
    const ports = localPortsTo(upstreamPort);
    assert.ok(ports.length > 0, "the proxy holds a keep-alive connection to the upstream");
    for (const local of ports) {
      const fd = socketFd(local, upstreamPort);
      assert.notEqual(fd, null);
      assert.equal(noDelayOf(fd as number), true, `upstream connection from :${local}`);
    }
  });
});
