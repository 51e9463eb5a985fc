/**
 * Stream tunnels end to end (issue #14, SPEC S-P1, S-P2, S-A5…S-A7, S-X1): `tls` terminated at
 * the edge and relayed to a TCP echo upstream, `tls-passthrough` relayed untouched to a TLS
 * upstream with its own certificate, `tcp` on a port from the options — with real Node TLS
 * clients and `openssl s_client`, on loopback.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect as netConnect, createServer as createNetServer } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { AddressInfo, Server } from "node:net";
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import { grantIr } from "../../src/testkit/builders.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { certificateAuthority, selfSigned, tempDir } from "./helpers/certs.ts";
import type { CertFiles } from "./helpers/certs.ts";
import {
  effectivePolicy,
  compiledPolicy,
  tunnel,
  withCountries,
  withTrustedIps,
} from "./helpers/policy.ts";
import { sClient } from "./helpers/s-client.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";
import {
  captureClientHello,
  fragmentRecords,
  rawExchange,
  startTcpEcho,
  startTlsEcho,
  tcpExchange,
  tlsExchange,
} from "./helpers/streams.ts";
import type { EchoServer } from "./helpers/streams.ts";

const EDGE_HOSTS = [
  "tls.test",
  "tls13.test",
  "pq.test",
  "mtls.test",
  "bad-upstream.test",
  "tls-half.test",
];
const HELLO_TIMEOUT_MS = 400;

const openGrant = grantIr({ name: "ops" });

function stream(
  id: string,
  protocol: EffectiveTunnel["protocol"],
  hosts: string[],
  upstream: string,
): EffectiveTunnel {
  const t = tunnel({ id, hosts, upstream, protocol });
  return { ...t, tls: { ...t.tls, terminated: protocol === "tls" } };
}

const fingerprintOf = (file: string): string =>
  new X509Certificate(readFileSync(file)).fingerprint256;

describe("stream tunnels: tls, tls-passthrough, tcp (issue #14)", () => {
  let echo: EchoServer;
  let tlsUpstream: EchoServer;
  let afterEndUpstream: Server;
  let upstreamCert: CertFiles;
  let edgeCert: CertFiles;
  let alice: CertFiles;
  let bob: CertFiles;
  let rogue: CertFiles;
  let runtime: RuntimeHandle;
  let lines: LogLines;
  let diagnostics: readonly { code: string; message: string }[];
  let tlsPort: number;
  const tcpPort = (name: string): number =>
    runtime.addresses.tcp.find((t) => t.tunnel === name)?.address.port ?? 0;

  before(async () => {
    const dir = tempDir();
    edgeCert = selfSigned(dir, "edge", EDGE_HOSTS);
    upstreamCert = selfSigned(dir, "upstream", ["pass.test"]);
    const ca = certificateAuthority(dir, "clients");
    alice = ca.issue("alice");
    bob = ca.issue("bob");
    rogue = certificateAuthority(dir, "rogue").issue("alice");
    echo = await startTcpEcho();
    tlsUpstream = await startTlsEcho(upstreamCert);
    const tcpUp = `tcp://127.0.0.1:${echo.port}`;
    // Answers with the byte count only after the client's FIN has reached it, then closes.
    afterEndUpstream = createNetServer({ allowHalfOpen: true }, (socket) => {
      let bytes = 0;
      socket.on("data", (d: Buffer) => (bytes += d.length));
      socket.on("end", () => socket.end(`got ${bytes}`));
      socket.on("error", () => socket.destroy());
    });
    await new Promise<void>((ready) => afterEndUpstream.listen(0, "127.0.0.1", ready));
    const afterEndPort = (afterEndUpstream.address() as AddressInfo).port;
    const mtls = stream("mtls", "tls", ["mtls.test"], tcpUp);
    const tls13 = stream("tls13", "tls", ["tls13.test"], tcpUp);
    const pq = stream("pq", "tls", ["pq.test"], tcpUp);
    const policy = effectivePolicy(
      [
        stream("tls", "tls", ["tls.test"], tcpUp),
        { ...tls13, tls: { ...tls13.tls, storedMin: "1.3", runtimeMin: "1.3" } },
        {
          ...pq,
          tls: { ...pq.tls, runtimeMin: "1.3", postQuantum: { mode: "required", fips: false } },
        },
        { ...mtls, auth: { ...mtls.auth, mtls: { ca: ca.cert } } },
        stream("bad-upstream", "tls", ["bad-upstream.test"], "http://127.0.0.1:1"),
        stream("tls-half", "tls", ["tls-half.test"], `tcp://127.0.0.1:${afterEndPort}`),
        stream("pass", "tls-passthrough", ["pass.test"], `tcp://127.0.0.1:${tlsUpstream.port}`),
        stream(
          "pass-half",
          "tls-passthrough",
          ["pass-half.test"],
          `tcp://127.0.0.1:${afterEndPort}`,
        ),
        withTrustedIps(stream("pass-denied", "tls-passthrough", ["pass-denied.test"], tcpUp), [
          "192.0.2.0/24",
        ]),
        stream("echo", "tcp", [], tcpUp),
        withTrustedIps(stream("tcp-ip-denied", "tcp", [], tcpUp), ["192.0.2.0/24"]),
        withCountries(stream("tcp-geo-denied", "tcp", [], tcpUp), ["DE"]),
        stream("tcp-no-port", "tcp", [], tcpUp),
        stream("dtls-1", "dtls", ["dtls.test"], tcpUp),
        stream("quic-1", "quic", ["quic.test"], tcpUp),
      ],
      { ops: openGrant },
      [{ name: "alice-cert", subjectCn: "alice", fingerprint256: null, grant: "ops" }],
    );
    const started = await startTestRuntime([compiledPolicy(policy)], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: EDGE_HOSTS, certFile: edgeCert.cert, keyFile: edgeCert.key }],
      tcp: [
        { tunnel: "echo", port: 0 },
        { tunnel: "tcp-ip-denied", port: 0 },
        { tunnel: "tcp-geo-denied", port: 0 },
        { tunnel: "nonexistent", port: 0 },
      ],
      streams: { helloTimeoutMs: HELLO_TIMEOUT_MS },
    });
    runtime = started.runtime;
    lines = started.lines;
    diagnostics = started.diagnostics;
    tlsPort = runtime.addresses.https?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await echo.close();
    await tlsUpstream.close();
    await new Promise((closed) => afterEndUpstream.close(closed));
  });

  it("S-P1: a tls tunnel terminates TLS 1.2 and 1.3 at the edge and relays the decrypted stream", async () => {
    const v12 = await tlsExchange(tlsPort, "tls.test", "ping\n", 5, { maxVersion: "TLSv1.2" });
    assert.deepEqual([v12.reply, v12.protocol], ["ping\n", "TLSv1.2"]);
    const v13 = await tlsExchange(tlsPort, "tls.test", "pong\n", 5);
    assert.deepEqual([v13.reply, v13.protocol], ["pong\n", "TLSv1.3"]);
    assert.equal(v13.fingerprint, fingerprintOf(edgeCert.cert), "the edge's certificate");
  });

  it("S-A5: a tls tunnel with a 1.3 minimum refuses a TLS 1.2 client in the handshake", async () => {
    await assert.rejects(
      tlsExchange(tlsPort, "tls13.test", "x", 1, { maxVersion: "TLSv1.2" }),
      /protocol version|alert|closed|ECONNRESET/i,
    );
    assert.equal((await tlsExchange(tlsPort, "tls13.test", "x", 1)).reply, "x");
  });

  it("S-H6: mTLS on a tls tunnel admits only a registered certificate from the tunnel's CA", async () => {
    const cert = (c: CertFiles) => ({ cert: readFileSync(c.cert), key: readFileSync(c.key) });
    assert.equal((await tlsExchange(tlsPort, "mtls.test", "ok", 2, cert(alice))).reply, "ok");
    await assert.rejects(tlsExchange(tlsPort, "mtls.test", "no", 2), /closed|ECONNRESET|alert/);
    await assert.rejects(
      tlsExchange(tlsPort, "mtls.test", "no", 2, cert(rogue)),
      /closed|ECONNRESET|alert/,
    );
    // Signed by the CA but registered as no credential: refused by the connection decision.
    await assert.rejects(
      tlsExchange(tlsPort, "mtls.test", "no", 2, cert(bob)),
      /closed|ECONNRESET|alert/,
    );
    assert.ok(
      lines.some(
        (l) =>
          l["msg"] === "stream connection refused" &&
          l["tunnel"] === "mtls" &&
          l["policy"] === "mtls",
      ),
    );
  });

  it("S-A6: a PQ-required tls tunnel admits a hybrid-group client; a classical-only one is refused", async () => {
    const hybrid = await tlsExchange(tlsPort, "pq.test", "hello-pq", 8, {
      ecdhCurve: "X25519MLKEM768",
    });
    assert.equal(hybrid.reply, "hello-pq");
    await assert.rejects(tlsExchange(tlsPort, "pq.test", "x", 1, { ecdhCurve: "X25519" }));
    // The system OpenSSL may predate the hybrid groups; a classical s_client is refused either way.
    const classical = await sClient(
      ["-connect", `127.0.0.1:${tlsPort}`, "-servername", "pq.test", "-groups", "X25519"],
      "hello\n",
    );
    assert.doesNotMatch(classical, /^hello$/m);
    assert.match(classical, /alert|handshake failure|errno|error/i);
  });

  it("S-X1: openssl s_client over TLS 1.2 and 1.3 to a tls tunnel", async () => {
    const args = ["-connect", `127.0.0.1:${tlsPort}`, "-servername", "tls.test"];
    assert.match(await sClient([...args, "-tls1_2"], "one-two\n"), /^one-two$/m);
    assert.match(await sClient([...args, "-tls1_3"], "one-three\n"), /^one-three$/m);
  });

  it("S-P1: tls-passthrough relays the untouched handshake to a TLS upstream with its own certificate", async () => {
    const seen = await tlsExchange(
      tlsPort,
      "pass.test",
      "through\n",
      "sni=pass.test\nthrough\n".length,
    );
    assert.equal(seen.reply, "sni=pass.test\nthrough\n");
    assert.equal(seen.fingerprint, fingerprintOf(upstreamCert.cert), "the upstream's certificate");
    const v12 = await tlsExchange(tlsPort, "pass.test", "x", "sni=pass.test\nx".length, {
      maxVersion: "TLSv1.2",
    });
    assert.equal(v12.protocol, "TLSv1.2");
    const out = await sClient(
      ["-connect", `127.0.0.1:${tlsPort}`, "-servername", "pass.test"],
      "via-openssl\n",
    );
    assert.match(out, /CN\s*=\s*pass\.test/);
    assert.match(out, /^via-openssl$/m);
  });

  it("S-A3: tls-passthrough refuses an untrusted address with an access_denied alert, before a byte goes upstream", async () => {
    const before = echo.accepted();
    await assert.rejects(
      tlsExchange(tlsPort, "pass-denied.test", "x", 1),
      (error: Error & { code?: string }) =>
        /ACCESS_DENIED/.test(String(error.code ?? error.message)),
    );
    assert.equal(echo.accepted(), before, "the upstream saw no connection");
  });

  it("S-P1: tls-passthrough passes a client's half-close on and still relays the upstream's answer back", async () => {
    const hello = await captureClientHello("pass-half.test");
    const reply = await new Promise<string>((resolve) => {
      const socket = netConnect({ host: "127.0.0.1", port: tlsPort, allowHalfOpen: true });
      let text = "";
      const timer = setTimeout(() => socket.destroy(), 5_000);
      socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
      socket.on("error", () => undefined);
      socket.on("close", () => {
        clearTimeout(timer);
        resolve(text);
      });
      socket.on("connect", () => socket.end(Buffer.concat([hello, Buffer.from("tail")])));
    });
    assert.equal(reply, `got ${hello.length + 4}`);
  });

  it("S-P1: a tls tunnel passes a client's half-close on and still relays the upstream's answer back", async () => {
    // The client ends its side (close_notify, then FIN) and keeps reading: the upstream sees
    // the end only as a FIN, answers after it, and the answer still reaches the client.
    const reply = await new Promise<string>((resolve, reject) => {
      // A TLS socket is half-open when the TCP socket under it is.
      const tcp = netConnect({ host: "127.0.0.1", port: tlsPort, allowHalfOpen: true });
      const socket = tlsConnect(
        { socket: tcp, servername: "tls-half.test", rejectUnauthorized: false },
        () => socket.end("half-closed"),
      );
      let text = "";
      const timer = setTimeout(() => socket.destroy(new Error("no answer in time")), 5_000);
      socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
      socket.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on("close", () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    assert.equal(reply, `got ${"half-closed".length}`);
  });

  it("S-P1: a tls tunnel's client resumes with its ticket over TLS 1.3 and 1.2 (the terminators' newSession listener keeps nothing)", async () => {
    // One connection: echo `payload`, note the session ticket and whether this one resumed.
    const visit = (session: Buffer | null, maxVersion: "TLSv1.2" | "TLSv1.3") =>
      new Promise<{ reused: boolean; ticket: Buffer | null }>((resolve, reject) => {
        let ticket: Buffer | null = null;
        const socket = tlsConnect({
          host: "127.0.0.1",
          port: tlsPort,
          servername: "tls.test",
          rejectUnauthorized: false,
          maxVersion,
          ...(session === null ? {} : { session }),
        });
        const timer = setTimeout(() => socket.destroy(new Error("no echo in time")), 5_000);
        socket.on("session", (s: Buffer) => (ticket = s));
        socket.once("secureConnect", () => socket.write("resume"));
        let echoed = "";
        socket.on("data", (d: Buffer) => {
          echoed += d.toString();
          if (echoed !== "resume") return;
          // A TLS 1.3 ticket comes after the handshake: the first connection waits for it.
          const done = (): void => {
            clearTimeout(timer);
            resolve({ reused: socket.isSessionReused(), ticket });
            socket.destroy();
          };
          if (ticket !== null || session !== null) done();
          else socket.once("session", done);
        });
        socket.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
      const first = await visit(null, version);
      assert.equal(first.reused, false, `${version}: the first connection is a full handshake`);
      const again = await visit(first.ticket, version);
      assert.equal(again.reused, true, `${version}: the ticket resumes`);
    }
  });

  it("S-P1: a ClientHello fragmented into 64-byte TLS records is reassembled and relayed byte for byte", async () => {
    const hello = await captureClientHello("pass.test");
    const fragmented = fragmentRecords(hello, 64);
    const before = tlsUpstream.accepted();
    // The upstream answers the (fragmented) hello with its ServerHello: the relay passed it on.
    const reply = await rawExchange(tlsPort, [fragmented], 0, 600);
    assert.equal(reply.data[0], 0x16, "a TLS handshake record came back from the upstream");
    assert.equal(tlsUpstream.accepted(), before + 1);
  });

  it("bounds: garbage, no SNI, an oversized, a trickled and a stalled ClientHello are all closed without an upstream", async () => {
    const beforeEcho = echo.accepted();
    const beforeTls = tlsUpstream.accepted();
    const garbage = await rawExchange(tlsPort, [Buffer.from("GET / HTTP/1.1\r\n\r\n")]);
    assert.deepEqual([garbage.closed, garbage.data.length], [true, 0]);
    const noSni = await rawExchange(tlsPort, [await captureClientHello(undefined)]);
    assert.equal(noSni.closed, true);
    assert.deepEqual(
      [...noSni.data],
      [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70],
      "unrecognized_name",
    );
    const huge = Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x01, 0x00, 0x00]);
    assert.equal((await rawExchange(tlsPort, [huge])).closed, true);
    const hello = await captureClientHello("pass.test");
    const stalled = await rawExchange(tlsPort, [hello.subarray(0, 40)], 0, HELLO_TIMEOUT_MS * 5);
    assert.deepEqual([stalled.closed, stalled.data.length], [true, 0]);
    // One byte at a time, slower than the deadline allows in total.
    const trickle = [...hello.subarray(0, 60)].map((b) => Buffer.from([b]));
    const slow = await rawExchange(tlsPort, trickle, 20, HELLO_TIMEOUT_MS * 5);
    assert.equal(slow.closed, true);
    assert.equal(echo.accepted(), beforeEcho);
    assert.equal(tlsUpstream.accepted(), beforeTls);
    const metrics = await runtime.metrics.registry.metrics();
    assert.match(metrics, /rampart_tls_handshakes_refused_total\{reason="hello_timeout"\} [1-9]/);
    assert.match(metrics, /rampart_tls_handshakes_refused_total\{reason="bad_hello"\} [1-9]/);
    assert.match(metrics, /rampart_tls_handshakes_refused_total\{reason="no_sni"\} [1-9]/);
  });

  it("S-P1: a tcp tunnel relays on its option's port; trusted IPs and GeoIP refuse at accept", async () => {
    assert.equal(await tcpExchange(tcpPort("echo"), "tcp-echo\n"), "tcp-echo\n");
    const before = echo.accepted();
    assert.equal(await tcpExchange(tcpPort("tcp-ip-denied"), "x"), "closed");
    assert.equal(await tcpExchange(tcpPort("tcp-geo-denied"), "x"), "closed");
    assert.equal(await tcpExchange(tcpPort("nonexistent"), "x"), "closed");
    assert.equal(echo.accepted(), before, "no refused connection reached the upstream");
    const metrics = await runtime.metrics.registry.metrics();
    assert.match(metrics, /rampart_stream_connections_total\{kind="tcp",outcome="refused"\} 2/);
  });

  it("S-P1, S-P2: what the runtime cannot serve is refused at load with a code, and named on /metrics", async () => {
    const codes = (code: string) =>
      diagnostics.filter((d) => d.code === code).map((d) => d.message);
    assert.equal(codes("RP6030").length, 2, "dtls and quic");
    assert.match(codes("RP6031")[0] ?? "", /tcp-no-port/);
    assert.match(codes("RP6032")[0] ?? "", /bad-upstream/);
    assert.match(codes("RP6034")[0] ?? "", /nonexistent/);
    const check = async (): Promise<void> => {
      const metrics = await runtime.metrics.registry.metrics();
      for (const [name, protocol, code] of [
        ["dtls-1", "dtls", "RP6030"],
        ["quic-1", "quic", "RP6030"],
        ["tcp-no-port", "tcp", "RP6031"],
        ["bad-upstream", "tls", "RP6032"],
      ])
        assert.match(
          metrics,
          new RegExp(
            `rampart_tunnel_not_served\\{tunnel="${name}",protocol="${protocol}",code="${code}"\\} 1`,
          ),
        );
    };
    await check();
    const reloaded = await runtime.reload();
    assert.ok(
      reloaded.diagnostics.some((d) => d.code === "RP6030"),
      "named again at reload",
    );
    await check();
    assert.ok(
      lines.some((l) => String(l["msg"]).startsWith("tunnel not served") && l["code"] === "RP6031"),
    );
  });
});

describe("stream tunnels without a TLS listener (issue #14)", () => {
  it("S-P2: tls and tls-passthrough tunnels are refused with RP6035 when no --https listener exists", async () => {
    const policy = effectivePolicy([
      stream("pass", "tls-passthrough", ["pass.test"], "tcp://127.0.0.1:9"),
      stream("term", "tls", ["term.test"], "tcp://127.0.0.1:9"),
    ]);
    const { runtime, diagnostics } = await startTestRuntime([compiledPolicy(policy)]);
    try {
      assert.equal(diagnostics.filter((d) => d.code === "RP6035").length, 2);
    } finally {
      await runtime.close();
    }
  });
});

describe("ECH preferred on a runtime without ECH (issue #14)", () => {
  it("S-P1, S-P2, S-A7: an http and a tls tunnel preferring ECH are refused with RP6033 at start, at reload and on /metrics", async () => {
    const dir = tempDir();
    const cert = selfSigned(dir, "edge", ["web.test", "term.test", "plain.test"]);
    const echo = await startTcpEcho();
    const preferring = (t: EffectiveTunnel): EffectiveTunnel => ({
      ...t,
      tls: { ...t.tls, ech: "preferred" },
    });
    const web = tunnel({ id: "web", hosts: ["web.test"], upstream: "http://127.0.0.1:9" });
    const policy = effectivePolicy([
      preferring({ ...web, tls: { ...web.tls, terminated: true } }),
      preferring(stream("term", "tls", ["term.test"], `tcp://127.0.0.1:${echo.port}`)),
      stream("plain", "tls", ["plain.test"], `tcp://127.0.0.1:${echo.port}`),
    ]);
    const { runtime, diagnostics, lines } = await startTestRuntime([compiledPolicy(policy)], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [
        { hosts: ["web.test", "term.test", "plain.test"], certFile: cert.cert, keyFile: cert.key },
      ],
    });
    const port = runtime.addresses.https?.port ?? 0;
    const refusedAt = (found: readonly { code: string; severity: string; message: string }[]) =>
      found
        .filter((d) => d.code === "RP6033")
        .map((d) => [d.severity, /`(\w+)` prefers .* it is not served$/.exec(d.message)?.[1]])
        .sort();
    try {
      const expected = [
        ["error", "term"],
        ["error", "web"],
      ];
      assert.deepEqual(refusedAt(diagnostics), expected, "named at start");
      const notServed = async (): Promise<void> => {
        const metrics = await runtime.metrics.registry.metrics();
        for (const [name, protocol] of [
          ["web", "http"],
          ["term", "tls"],
        ])
          assert.match(
            metrics,
            new RegExp(
              `rampart_tunnel_not_served\\{tunnel="${name}",protocol="${protocol}",code="RP6033"\\} 1`,
            ),
          );
        assert.match(metrics, /^rampart_tunnels_served 1$/m, "only the tunnel without ECH");
      };
      await notServed();
      assert.equal(
        lines.filter(
          (l) => String(l["msg"]).startsWith("tunnel not served") && l["code"] === "RP6033",
        ).length,
        2,
      );
      assert.deepEqual(
        refusedAt((await runtime.reload()).diagnostics),
        expected,
        "named at reload",
      );
      await notServed();
      // Never served without ECH: the handshake meets no terminator for either host.
      await assert.rejects(
        tlsExchange(port, "term.test", "x", 1),
        /unrecognized|alert|closed|ECONNRESET/i,
      );
      await assert.rejects(
        tlsExchange(port, "web.test", "x", 1),
        /unrecognized|alert|closed|ECONNRESET/i,
      );
      assert.equal((await tlsExchange(port, "plain.test", "ok", 2)).reply, "ok");
    } finally {
      await runtime.close();
      await echo.close();
    }
  });
});
