import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:tls";
import { connect as netConnect } from "node:net";
import { Duplex } from "node:stream";
import type { ConnectionOptions } from "node:tls";
import { readFileSync } from "node:fs";
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import type { GrantIr } from "../../src/ir/types.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { certificateAuthority, selfSigned, tempDir } from "./helpers/certs.ts";
import type { CertFiles } from "./helpers/certs.ts";
import { send } from "./helpers/http.ts";
import { effectivePolicy, compiledPolicy, tunnel } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const HOSTS = ["v12.test", "v13.test", "pq.test", "pqfips.test", "mtls.test", "ech.test"];

function withTls(t: EffectiveTunnel, patch: Partial<EffectiveTunnel["tls"]>): EffectiveTunnel {
  return { ...t, tls: { ...t.tls, ...patch } };
}

const openGrant: GrantIr = {
  name: "ops",
  type: null,
  parent: null,
  expiresAt: null,
  permissions: null,
  resources: null,
  spans: {},
};

/** Opens a TLS connection and resolves with the protocol, or rejects with the handshake error. */
function handshake(
  port: number,
  servername: string,
  options: ConnectionOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: "127.0.0.1", port, servername, rejectUnauthorized: false, ...options },
      () => {
        // A connection the engine refuses after the handshake is closed at once; wait a moment.
        socket.write(`GET / HTTP/1.1\r\nhost: ${servername}\r\nconnection: close\r\n\r\n`);
      },
    );
    let data = "";
    socket.on("data", (d: Buffer) => (data += d.toString()));
    socket.on("end", () =>
      data.startsWith("HTTP/1.1")
        ? resolve(`${socket.getProtocol()} ${data.slice(9, 12)}`)
        : reject(new Error("closed without a response")),
    );
    socket.on("error", reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error("timeout")));
  });
}

describe("TLS listeners (issue #5 item 1)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let port: number;
  let ca: ReturnType<typeof certificateAuthority>;
  let alice: CertFiles;
  let mallory: CertFiles;
  let diagnostics: readonly { code: string; message: string }[];

  before(async () => {
    const dir = tempDir();
    const server = selfSigned(dir, "server", HOSTS);
    ca = certificateAuthority(dir, "clients");
    alice = ca.issue("alice");
    mallory = certificateAuthority(dir, "rogue").issue("alice");
    upstream = await startUpstream();
    const up = upstream.url;
    const policy = effectivePolicy(
      [
        tunnel({ id: "v12", hosts: ["v12.test"], upstream: up }),
        withTls(tunnel({ id: "v13", hosts: ["v13.test"], upstream: up }), {
          storedMin: "1.3",
          runtimeMin: "1.3",
        }),
        withTls(tunnel({ id: "pq", hosts: ["pq.test"], upstream: up }), {
          runtimeMin: "1.3",
          postQuantum: { mode: "required", fips: false },
        }),
        withTls(tunnel({ id: "pqfips", hosts: ["pqfips.test"], upstream: up }), {
          runtimeMin: "1.3",
          postQuantum: { mode: "required", fips: true },
        }),
        {
          ...tunnel({ id: "mtls", hosts: ["mtls.test"], upstream: up }),
          auth: { ...tunnel({ id: "mtls", hosts: [] }).auth, mtls: { ca: ca.cert } },
        },
        withTls(tunnel({ id: "ech", hosts: ["ech.test"], upstream: up }), {
          runtimeMin: "1.3",
          ech: "required",
        }),
      ],
      { ops: openGrant },
      [{ name: "alice-cert", subjectCn: "alice", fingerprint256: null, grant: "ops" }],
    );
    const started = await startTestRuntime([compiledPolicy(policy)], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: HOSTS, certFile: server.cert, keyFile: server.key }],
    });
    runtime = started.runtime;
    diagnostics = started.diagnostics;
    port = runtime.addresses.https?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await upstream.close();
  });

  it("S-A5: serves TLS 1.2 and 1.3 on a tunnel with the default minimum", async () => {
    assert.equal(await handshake(port, "v12.test", { maxVersion: "TLSv1.2" }), "TLSv1.2 200");
    assert.equal(await handshake(port, "v12.test"), "TLSv1.3 200");
  });

  it("S-A5: a 1.3-minimum tunnel refuses a TLS 1.2 client in the handshake", async () => {
    await assert.rejects(
      handshake(port, "v13.test", { maxVersion: "TLSv1.2" }),
      /protocol version|alert/i,
    );
    assert.equal(await handshake(port, "v13.test"), "TLSv1.3 200");
  });

  it("S-A6: a PQ-required tunnel admits a hybrid-group client and refuses a classical-only one", async () => {
    assert.equal(await handshake(port, "pq.test", { ecdhCurve: "X25519MLKEM768" }), "TLSv1.3 200");
    await assert.rejects(
      handshake(port, "pq.test", { ecdhCurve: "X25519:P-256:P-384" }),
      /handshake failure|alert/i,
    );
  });

  it("S-A6: the FIPS toggle offers only P-256/P-384 hybrids", async () => {
    assert.equal(
      await handshake(port, "pqfips.test", { ecdhCurve: "SecP256r1MLKEM768" }),
      "TLSv1.3 200",
    );
    assert.equal(
      await handshake(port, "pqfips.test", { ecdhCurve: "SecP384r1MLKEM1024" }),
      "TLSv1.3 200",
    );
    await assert.rejects(
      handshake(port, "pqfips.test", { ecdhCurve: "X25519MLKEM768" }),
      /handshake failure|alert/i,
    );
  });

  it("S-H6: mTLS admits a certificate from the tunnel's CA mapped to a credential, and nothing else", async () => {
    const good = { cert: readFileSync(alice.cert), key: readFileSync(alice.key) };
    assert.equal(await handshake(port, "mtls.test", good), "TLSv1.3 200");
    await assert.rejects(handshake(port, "mtls.test"), /closed|reset|socket hang up|alert/i);
    // Chained to the CA but mapped to no credential: the handshake passes, the request is refused.
    const bob = ca.issue("bob");
    const unknown = { cert: readFileSync(bob.cert), key: readFileSync(bob.key) };
    assert.equal(await handshake(port, "mtls.test", unknown), "TLSv1.3 403");
    const rogue = { cert: readFileSync(mallory.cert), key: readFileSync(mallory.key) };
    await assert.rejects(handshake(port, "mtls.test", rogue), /closed|reset|socket hang up|alert/i);
  });

  it("S-A7: a tunnel requiring ECH is refused at load with RP6004 while the others serve", async () => {
    assert.ok(diagnostics.some((d) => d.code === "RP6004" && d.message.includes("`ech`")));
    await assert.rejects(handshake(port, "ech.test"), /unrecognized name|alert|reset/i);
    assert.equal(await handshake(port, "v12.test"), "TLSv1.3 200");
  });

  it("refuses an unknown SNI in the handshake and a Host that differs from SNI with 421", async () => {
    await assert.rejects(handshake(port, "nobody.test"), /unrecognized name|alert|reset/i);
    const mismatch = await send({ port, host: "v13.test", tls: { servername: "v12.test" } });
    assert.equal(mismatch.status, 421);
    assert.equal(mismatch.body, '{"error":{"reason":"misdirected_request"}}');
  });

  it("reassembles a ClientHello split across TCP segments (a PQ key share is ~1.2 KB)", async () => {
    const raw = netConnect(port, "127.0.0.1");
    let first = true;
    // A JS duplex between TLS and the socket, so the first flight can be cut in three pieces.
    const splitter = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        if (!first) {
          raw.write(chunk, done);
          return;
        }
        first = false;
        raw.write(chunk.subarray(0, 7));
        setTimeout(() => raw.write(chunk.subarray(7, 400)), 20);
        setTimeout(() => raw.write(chunk.subarray(400), done), 40);
      },
    });
    raw.on("data", (d: Buffer) => splitter.push(d));
    raw.on("end", () => splitter.push(null));
    const protocol = await new Promise<string>((resolve, reject) => {
      const socket = connect(
        {
          socket: splitter,
          servername: "pq.test",
          rejectUnauthorized: false,
          ecdhCurve: "X25519MLKEM768",
        },
        () => {
          resolve(socket.getProtocol() ?? "");
          socket.destroy();
          raw.destroy();
        },
      );
      socket.on("error", reject);
    });
    assert.equal(protocol, "TLSv1.3");
  });

  it("passes the TLS facts on: X-Forwarded-Proto is https", async () => {
    const reply = await send({ port, host: "v12.test", tls: {} });
    assert.equal(reply.status, 200);
    assert.equal(
      (JSON.parse(reply.body) as { headers: Record<string, string> }).headers["x-forwarded-proto"],
      "https",
    );
  });
});

describe("TLS capabilities at load (issue #5 item 1)", () => {
  it("S-A6: refuses a PQ-required tunnel on an OpenSSL without hybrid groups with RP6005; others serve", async () => {
    const dir = tempDir();
    const server = selfSigned(dir, "server", ["pq.test", "plain.test"]);
    const policy = effectivePolicy([
      withTls(tunnel({ id: "pq", hosts: ["pq.test"] }), {
        runtimeMin: "1.3",
        postQuantum: { mode: "required", fips: false },
      }),
      tunnel({ id: "plain", hosts: ["plain.test"] }),
    ]);
    const { runtime, diagnostics } = await startTestRuntime(
      [compiledPolicy(policy)],
      {
        https: { host: "127.0.0.1", port: 0 },
        certificates: [
          { hosts: ["pq.test", "plain.test"], certFile: server.cert, keyFile: server.key },
        ],
      },
      { capabilities: { openssl: "3.0.13", postQuantum: false, ech: false } },
    );
    try {
      const d = diagnostics.find((x) => x.code === "RP6005");
      assert.ok(d, "RP6005 reported");
      assert.match(
        d.message,
        /tunnel `pq` requires post-quantum key exchange, but OpenSSL 3\.0\.13/,
      );
      const httpsPort = runtime.addresses.https?.port ?? 0;
      await assert.rejects(handshake(httpsPort, "pq.test", { ecdhCurve: "X25519MLKEM768" }));
      assert.equal(
        runtime.metrics.registry.getSingleMetric("rampart_tunnels_served") !== undefined,
        true,
      );
    } finally {
      await runtime.close();
    }
  });
});
