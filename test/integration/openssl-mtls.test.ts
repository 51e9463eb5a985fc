/**
 * mTLS through `rampart serve` with the real `openssl s_client` (issue #14 item 7; SPEC S-H6,
 * S-A5, S-A6, S-P1): an HTTPS tunnel and a `tls` tunnel, each asking for a client certificate
 * from its CA, reached over TLS 1.2 and 1.3, with and without a certificate, and with a
 * post-quantum group. s_client is OpenSSL's own client, so this checks the handshake against
 * an implementation other than Node's. Loopback only; every run bounded (helpers/s-client.ts).
 */
import { after, before, describe, it } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import { grantIr } from "../../src/testkit/builders.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { certificateAuthority, selfSigned, tempDir } from "../runtime/helpers/certs.ts";
import type { CertFiles } from "../runtime/helpers/certs.ts";
import { compiledPolicy, effectivePolicy, tunnel } from "../runtime/helpers/policy.ts";
import { startTestRuntime } from "../runtime/helpers/runtime.ts";
import type { LogLines } from "../runtime/helpers/runtime.ts";
import { sClientRun } from "../runtime/helpers/s-client.ts";
import { startTcpEcho, tlsExchange } from "../runtime/helpers/streams.ts";
import type { EchoServer } from "../runtime/helpers/streams.ts";
import { startUpstream } from "../runtime/helpers/upstream.ts";
import type { TestUpstream } from "../runtime/helpers/upstream.ts";
import { ensureOpenssl, opensslKnowsGroup } from "../setup/openssl.ts";

const HOSTS = ["app.mtls.test", "db.mtls.test", "app-pq.mtls.test", "db-pq.mtls.test"];
const PQ_GROUP = "X25519MLKEM768";

const openGrant = grantIr({ name: "ops" });

/** `t` with client certificates from `ca` required, and optionally PQ required. */
function mtls(t: EffectiveTunnel, ca: string, pq: boolean): EffectiveTunnel {
  const tls = pq
    ? {
        ...t.tls,
        runtimeMin: "1.3" as const,
        postQuantum: { mode: "required" as const, fips: false },
      }
    : t.tls;
  return { ...t, tls: { ...tls, terminated: true }, auth: { ...t.auth, mtls: { ca } } };
}

/** How a test talks through one tunnel kind: what to send and which answer means "through". */
interface Kind {
  readonly name: string;
  readonly host: string;
  readonly pqHost: string;
  readonly input: (host: string) => string;
  readonly answer: RegExp;
}

const KINDS: readonly Kind[] = [
  {
    name: "HTTPS tunnel",
    host: "app.mtls.test",
    pqHost: "app-pq.mtls.test",
    input: (host) => `GET /who HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    answer: /HTTP\/1\.1 (\d{3})/,
  },
  {
    name: "tls tunnel",
    host: "db.mtls.test",
    pqHost: "db-pq.mtls.test",
    input: () => "select-1\n",
    answer: /(select-1)\n/,
  },
];

describe("mTLS with openssl s_client against rampart serve (issue #14 item 7)", () => {
  let openssl: string;
  let pqInCli: boolean;
  let upstream: TestUpstream;
  let echo: EchoServer;
  let runtime: RuntimeHandle;
  let lines: LogLines;
  let port: number;
  let alice: CertFiles;
  let bob: CertFiles;
  let rogue: CertFiles;

  before(async () => {
    openssl = await ensureOpenssl();
    pqInCli = await opensslKnowsGroup(openssl, PQ_GROUP);
    const dir = tempDir();
    const edge = selfSigned(dir, "edge", HOSTS);
    const ca = certificateAuthority(dir, "clients");
    alice = ca.issue("alice");
    bob = ca.issue("bob");
    rogue = certificateAuthority(dir, "rogue").issue("alice");
    upstream = await startUpstream();
    echo = await startTcpEcho();
    const tcpUp = `tcp://127.0.0.1:${echo.port}`;
    const app = (id: string, host: string) => tunnel({ id, hosts: [host], upstream: upstream.url });
    const db = (id: string, host: string) =>
      tunnel({ id, hosts: [host], upstream: tcpUp, protocol: "tls" });
    const policy = effectivePolicy(
      [
        mtls(app("app", "app.mtls.test"), ca.cert, false),
        mtls(db("db", "db.mtls.test"), ca.cert, false),
        mtls(app("app-pq", "app-pq.mtls.test"), ca.cert, true),
        mtls(db("db-pq", "db-pq.mtls.test"), ca.cert, true),
      ],
      { ops: openGrant },
      [{ name: "alice-cert", subjectCn: "alice", fingerprint256: null, grant: "ops" }],
    );
    const started = await startTestRuntime([compiledPolicy(policy)], {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [{ hosts: HOSTS, certFile: edge.cert, keyFile: edge.key }],
    });
    runtime = started.runtime;
    lines = started.lines;
    port = runtime.addresses.https?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await upstream.close();
    await echo.close();
  });

  /** One s_client run through `kind`; the answer (status or echoed line) or null. */
  async function through(
    kind: Kind,
    host: string,
    extra: readonly string[],
    client: CertFiles | null,
  ): Promise<{ answer: string | null; output: string }> {
    // -brief: the negotiated version and the peer, without session dumps around the answer.
    const args = ["-brief", "-connect", `127.0.0.1:${port}`, "-servername", host, ...extra];
    if (client !== null) args.push("-cert", client.cert, "-key", client.key);
    const run = await sClientRun(args, kind.input(host), (out) => kind.answer.test(out), openssl);
    return { answer: kind.answer.exec(run.output)?.[1] ?? null, output: run.output };
  }

  for (const kind of KINDS) {
    const through200 = kind.name === "HTTPS tunnel" ? "200" : "select-1";

    it(`S-H6: ${kind.name}: a registered client certificate gets through over TLS 1.2 and 1.3`, async () => {
      for (const [flag, version] of [
        ["-tls1_2", "TLSv1.2"],
        ["-tls1_3", "TLSv1.3"],
      ] as const) {
        const run = await through(kind, kind.host, [flag], alice);
        assert.equal(run.answer, through200, `${version}: ${run.output}`);
        assert.match(run.output, new RegExp(`Protocol version: ${version}`));
      }
    });

    it(`S-H6: ${kind.name}: no client certificate is refused over TLS 1.2 and 1.3, nothing reaches the upstream`, async () => {
      const seen = upstream.seen.length;
      const accepted = echo.accepted();
      for (const flag of ["-tls1_2", "-tls1_3"]) {
        const run = await through(kind, kind.host, [flag], null);
        assert.equal(run.answer, null, `${flag}: ${run.output}`);
        // The edge's terminator answered the handshake (its certificate, CN = the first host).
        assert.match(run.output, /CN = app\.mtls\.test/, run.output);
      }
      assert.equal(upstream.seen.length, seen);
      assert.equal(echo.accepted(), accepted);
    });

    it(`S-H6: ${kind.name}: a certificate from another CA is refused; one from the CA but registered as no credential gets no access`, async () => {
      const seen = upstream.seen.length;
      const accepted = echo.accepted();
      const rogueRun = await through(kind, kind.host, ["-tls1_3"], rogue);
      assert.equal(rogueRun.answer, null, rogueRun.output);
      const bobRun = await through(kind, kind.host, ["-tls1_2"], bob);
      // HTTP answers the refusal itself (403); a stream has no way to, so it is closed.
      assert.equal(bobRun.answer, kind.name === "HTTPS tunnel" ? "403" : null, bobRun.output);
      assert.equal(upstream.seen.length, seen);
      assert.equal(echo.accepted(), accepted);
    });

    it(`S-A6: ${kind.name}: PQ required with mTLS admits ${PQ_GROUP} and refuses a classical group`, async (t: TestContext) => {
      const classical = await through(kind, kind.pqHost, ["-groups", "X25519"], alice);
      assert.equal(classical.answer, null, classical.output);
      assert.match(classical.output, /alert|handshake failure|error/i);
      if (pqInCli) {
        const hybrid = await through(kind, kind.pqHost, ["-groups", PQ_GROUP], alice);
        assert.equal(hybrid.answer, through200, hybrid.output);
        const none = await through(kind, kind.pqHost, ["-groups", PQ_GROUP], null);
        assert.equal(none.answer, null, none.output);
        return;
      }
      // This openssl predates the hybrid groups (OpenSSL < 3.5): the hybrid leg uses Node's
      // client (its OpenSSL has them), with the same client certificate.
      t.diagnostic(
        `${openssl} cannot offer ${PQ_GROUP}; the hybrid handshake used Node's TLS client`,
      );
      const cert = { cert: readFileSync(alice.cert), key: readFileSync(alice.key) };
      const input = kind.input(kind.pqHost);
      // Enough bytes for the answer: a status line's first 12, or the whole echoed line.
      const expect = kind.name === "HTTPS tunnel" ? 12 : input.length;
      const reply = await tlsExchange(port, kind.pqHost, input, expect, {
        ecdhCurve: PQ_GROUP,
        ...cert,
      });
      assert.equal(reply.protocol, "TLSv1.3");
      assert.equal(kind.answer.exec(reply.reply)?.[1], through200, reply.reply);
    });
  }

  it("S-H6: every refused stream connection is logged with the rule that refused it", () => {
    assert.ok(
      lines.some((l) => l["msg"] === "stream connection refused" && l["tunnel"] === "db"),
      "the unregistered certificate on the tls tunnel",
    );
  });
});
