/**
 * HTTP/2 on the TLS listener (issue #14 item 5): ALPN offers `h2` and keeps `http/1.1`; an h2
 * request meets the same compiled decision and request facts as an HTTP/1.1 one, is forwarded
 * to the HTTP/1.1 upstream without pseudo-headers, and the h2-only hardening holds
 * (`:authority` vs `Host`, pseudo-headers, header-list size). Real clients: Node's http2
 * client, curl `--http2`, and a WebSocket over HTTP/1.1 on the same listener.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { connect } from "node:http2";
import type { ClientHttp2Session, OutgoingHttpHeaders } from "node:http2";
import WebSocket from "ws";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { selfSigned, tempDir } from "./helpers/certs.ts";
import { compiledPolicy, effectivePolicy, tunnel, withTrustedIps } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { Echo, TestUpstream } from "./helpers/upstream.ts";

const HOSTS = ["h2.test", "denied.test", "other.test"];

/** One h2 request; resolves with the status, headers and body. */
function h2Request(
  session: ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined });
    let data = "";
    let response: Record<string, unknown> = {};
    req.on("response", (h) => (response = h));
    req.on("data", (d: Buffer) => (data += d.toString()));
    req.on("end", () =>
      resolve({ status: Number(response[":status"]), headers: response, body: data }),
    );
    req.on("error", reject);
    if (body !== undefined) req.end(body);
  });
}

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile("curl", ["-sk", "--max-time", "10", ...args], (error, stdout) =>
      error === null ? resolve(stdout) : reject(error),
    ),
  );
}

describe("HTTP/2 at the edge (issue #14)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let port: number;
  let session: ClientHttp2Session;

  before(async () => {
    const dir = tempDir();
    const cert = selfSigned(dir, "edge", HOSTS);
    upstream = await startUpstream();
    const policy = effectivePolicy([
      tunnel({ id: "h2", hosts: ["h2.test"], upstream: upstream.url }),
      tunnel({ id: "other", hosts: ["other.test"], upstream: upstream.url }),
      withTrustedIps(tunnel({ id: "denied", hosts: ["denied.test"], upstream: upstream.url }), [
        "192.0.2.0/24",
      ]),
    ]);
    runtime = (
      await startTestRuntime([compiledPolicy(policy)], {
        https: { host: "127.0.0.1", port: 0 },
        certificates: [{ hosts: HOSTS, certFile: cert.cert, keyFile: cert.key }],
        maxHeaderBytes: 4096,
      })
    ).runtime;
    port = runtime.addresses.https?.port ?? 0;
    session = connect(`https://127.0.0.1:${port}`, {
      servername: "h2.test",
      rejectUnauthorized: false,
    });
  });
  after(async () => {
    session.close();
    await runtime.close();
    await upstream.close();
  });

  it("S-O1: an h2 request is decided and forwarded to the HTTP/1.1 upstream without pseudo-headers", async () => {
    const reply = await h2Request(
      session,
      {
        ":method": "POST",
        ":path": "/v1/items?x=1",
        ":authority": "h2.test",
        "content-type": "text/plain",
        cookie: "a=1",
      },
      "payload",
    );
    assert.equal(reply.status, 200);
    assert.equal(reply.headers["x-upstream"], "echo");
    const echo = JSON.parse(reply.body) as Echo;
    assert.equal(echo.method, "POST");
    assert.equal(echo.url, "/v1/items?x=1");
    assert.equal(echo.body, "payload");
    assert.equal(echo.headers["x-forwarded-proto"], "https");
    assert.equal(echo.headers["x-forwarded-host"], "h2.test");
    assert.equal(echo.headers.cookie, "a=1");
    assert.ok(
      !Object.keys(echo.headers).some((h) => h.startsWith(":")),
      "no pseudo-header forwarded",
    );
  });

  it("RFC 9113 §8.2.3: cookie crumbs are joined into one Cookie field for the HTTP/1.1 upstream", async () => {
    const reply = await h2Request(session, {
      ":path": "/c",
      ":authority": "h2.test",
      cookie: ["a=1", "b=2"],
    });
    assert.equal((JSON.parse(reply.body) as Echo).headers.cookie, "a=1; b=2");
  });

  it("S-A3: the same compiled decision denies an h2 request from an untrusted address", async () => {
    const denied = connect(`https://127.0.0.1:${port}`, {
      servername: "denied.test",
      rejectUnauthorized: false,
    });
    try {
      const reply = await h2Request(denied, { ":path": "/", ":authority": "denied.test" });
      assert.equal(reply.status, 403);
      assert.match(reply.body, /policy_denied/);
    } finally {
      denied.close();
    }
  });

  it("hardening: :authority and Host disagreeing → 400; :authority other than SNI → 421", async () => {
    const mismatch = await h2Request(session, {
      ":path": "/",
      ":authority": "h2.test",
      host: "other.test",
    });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body, /authority_host_mismatch/);
    const misdirected = await h2Request(session, { ":path": "/", ":authority": "other.test" });
    assert.equal(misdirected.status, 421);
  });

  it("hardening: a header list over maxHeaderBytes → 431, CONNECT refused, and no request reaches the upstream", async () => {
    const before = upstream.seen.length;
    // Node's client does not hold itself to the server's SETTINGS, so the edge must.
    const big = await h2Request(session, {
      ":path": "/",
      ":authority": "h2.test",
      "x-big": "a".repeat(5000),
    }).catch((error: Error) => ({ status: 0, headers: {}, body: error.message }));
    assert.ok(big.status === 431 || big.status === 0, `got ${big.status}`);
    const connectMethod = await h2Request(session, {
      ":method": "CONNECT",
      ":authority": "h2.test:443",
    }).catch((error: Error) => ({ status: 0, headers: {}, body: error.message }));
    // Node's compatibility layer answers CONNECT with 405 before the pipeline; 400 is ours.
    assert.ok([0, 400, 405].includes(connectMethod.status), `got ${connectMethod.status}`);
    assert.equal(upstream.seen.length, before);
  });

  it("curl --http2 negotiates h2 through ALPN; curl --http1.1 keeps HTTP/1.1", async () => {
    const resolve = ["--resolve", `h2.test:${port}:127.0.0.1`];
    const url = `https://h2.test:${port}/curl`;
    assert.equal(
      await curl([
        ...resolve,
        "--http2",
        "-o",
        "/dev/null",
        "-w",
        "%{http_version} %{http_code}",
        url,
      ]),
      "2 200",
    );
    assert.equal(
      await curl([
        ...resolve,
        "--http1.1",
        "-o",
        "/dev/null",
        "-w",
        "%{http_version} %{http_code}",
        url,
      ]),
      "1.1 200",
    );
  });

  it("WebSocket over HTTP/1.1 still works on the TLS listener that offers h2", async () => {
    // `servername` goes through to tls.connect (ws's types leave it out).
    const options = {
      servername: "h2.test",
      headers: { host: "h2.test" },
      rejectUnauthorized: false,
    };
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, options as WebSocket.ClientOptions);
    const message = await new Promise<string>((resolve, reject) => {
      ws.on("open", () => ws.send("hi"));
      ws.on("message", (data) => resolve(String(data)));
      ws.on("error", reject);
    });
    ws.close();
    assert.equal(message, "echo:hi:https");
  });
});

describe("HTTP/2 at shutdown (issue #14)", () => {
  it("close() sends GOAWAY to an idle h2 session instead of waiting out the grace period", async () => {
    const cert = selfSigned(tempDir(), "edge", ["h2.test"]);
    const upstream = await startUpstream();
    const policy = effectivePolicy([
      tunnel({ id: "h2", hosts: ["h2.test"], upstream: upstream.url }),
    ]);
    const { runtime } = await startTestRuntime([compiledPolicy(policy)], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: ["h2.test"], certFile: cert.cert, keyFile: cert.key }],
      shutdownGraceMs: 20_000,
    });
    const session = connect(`https://127.0.0.1:${runtime.addresses.https?.port ?? 0}`, {
      servername: "h2.test",
      rejectUnauthorized: false,
    });
    try {
      assert.equal(
        (await h2Request(session, { ":path": "/", ":authority": "h2.test" })).status,
        200,
      );
      const goaway = new Promise<void>((resolve) => session.once("goaway", () => resolve()));
      const started = Date.now();
      await runtime.close();
      await goaway;
      assert.ok(Date.now() - started < 10_000, "closed well before the 20 s grace period");
    } finally {
      session.destroy();
      await upstream.close();
    }
  });
});
