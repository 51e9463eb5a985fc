/**
 * Issue #21 item 4: shadow on the TLS listener's stream tunnels, on real sockets. A candidate
 * that narrows a `tls-passthrough` tunnel's trusted IPs disagrees on its connections (decided
 * at the ClientHello); one that raises a `tls` tunnel's minimum version disagrees on its
 * handshakes, not on the relay after them; one that turns a terminated `tls` tunnel into a
 * passthrough one is not compared (it would decide at another step), and says so in counts.
 * Names only the candidate serves: a passthrough one is compared, a terminated one counted.
 * And a candidate that renames a credential (same CA) is judged with its own credentials.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { DetailedPeerCertificate } from "node:tls";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { chainsToCa } from "../../src/runtime/shadow/candidate-certificate.ts";
import { certificateAuthority, selfSigned, tempDir } from "./helpers/certs.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";
import { send } from "./helpers/http.ts";
import { startTcpEcho, startTlsEcho, tlsExchange } from "./helpers/streams.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { EchoServer } from "./helpers/streams.ts";

function policyText(tcp: string, tlsUpstream: string, candidate: boolean): string {
  // Names only the candidate serves: one relayed untouched, one terminated.
  const added = candidate
    ? `
tunnel "newpass" {
  protocol tls-passthrough
  hosts ["newpass.shop.test"]
  public
  upstream "${tlsUpstream}"
}

tunnel "newterm" {
  protocol tls
  hosts ["newterm.shop.test"]
  public
  upstream "${tcp}"
}
`
    : "";
  return `${added}project "shop" {
  plan pro
  public_access allowed
  members { users ["alice"] }
}

tunnel "pass" {
  protocol tls-passthrough
  hosts ["pass.shop.test"]
  public
  upstream "${tlsUpstream}"
  trusted_ips [${candidate ? "10.0.0.0/8" : "127.0.0.0/8"}]
}

tunnel "term" {
  protocol tls
  hosts ["term.shop.test"]
  public
  upstream "${tcp}"
  ${candidate ? "tls_min 1.3" : ""}
}

tunnel "swap" {
  protocol ${candidate ? "tls-passthrough" : "tls"}
  hosts ["swap.shop.test"]
  public
  upstream "${tcp}"
}
`;
}

function compiled(text: string): CompiledPolicy[] {
  const checked = checkPolicySource({ name: "shop.rampart", text });
  assert.ok(checked.effective !== undefined, JSON.stringify(checked.diagnostics));
  return [compilePolicy(checked.effective)];
}

describe("shadow on stream tunnels of the TLS listener (issue #21 item 4)", () => {
  let echo: EchoServer;
  let tlsEcho: EchoServer;
  let runtime: RuntimeHandle;
  let lines: LogLines;

  before(async () => {
    const dir = tempDir();
    const edge = selfSigned(dir, "edge", ["term.shop.test", "swap.shop.test", "newterm.shop.test"]);
    const upstreamCert = selfSigned(dir, "upstream", ["pass.shop.test"]);
    echo = await startTcpEcho();
    tlsEcho = await startTlsEcho(upstreamCert);
    const tcp = `tcp://127.0.0.1:${echo.port}`;
    const tlsUp = `tcp://127.0.0.1:${tlsEcho.port}`;
    const candidate = compiled(policyText(tcp, tlsUp, true));
    const started = await startTestRuntime(compiled(policyText(tcp, tlsUp, false)), {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [
        {
          hosts: ["term.shop.test", "swap.shop.test", "newterm.shop.test"],
          certFile: edge.cert,
          keyFile: edge.key,
        },
      ],
      shadow: {
        load: () => Promise.resolve({ value: candidate, diagnostics: [] }),
        source: "candidate.rampart",
        samplesPerMinute: 5,
        maxRulePairs: 100,
      },
      shutdownGraceMs: 100,
    });
    runtime = started.runtime;
    lines = started.lines;
  });

  after(async () => {
    await runtime.close();
    await echo.close();
    await tlsEcho.close();
  });

  it("S-P1, S-A3, S-A5: passthrough connections, tls handshakes and added names disagree; a swapped protocol is not compared", async () => {
    const port = runtime.addresses.https?.port ?? 0;
    for (let i = 0; i < 2; i++) {
      // The passthrough upstream terminates TLS itself and answers with the name it saw.
      const pass = await tlsExchange(port, "pass.shop.test", "pass\n", 19);
      assert.equal(pass.reply, "sni=pass.shop.test\n");
      const term = await tlsExchange(port, "term.shop.test", "term\n", 5, {
        maxVersion: "TLSv1.2",
      });
      assert.deepEqual([term.reply, term.protocol], ["term\n", "TLSv1.2"]);
      assert.equal((await tlsExchange(port, "swap.shop.test", "swap\n", 5)).reply, "swap\n");
    }
    // Names the running policy does not serve: refused at the ClientHello.
    for (const name of ["newpass.shop.test", "newterm.shop.test", "nowhere.shop.test"])
      await assert.rejects(tlsExchange(port, name, "x\n", 2));
    const text = await runtime.metrics.registry.metrics();
    const count = (name: string): number =>
      Number(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\d+)$`, "m").exec(text)?.[1] ?? -1);
    // pass: refused by the candidate at the ClientHello; term: the relay after the handshake
    // agrees; swap: the candidate would relay it untouched, so not compared. newpass: the
    // candidate relays it; newterm: its handshake never happened (not compared); nowhere:
    // refused by both.
    assert.equal(count('rampart_shadow_connections_total{result="disagree"}'), 3);
    assert.equal(count('rampart_shadow_connections_total{result="agree"}'), 2);
    assert.equal(count('rampart_shadow_connections_total{result="not_compared"}'), 2);
    assert.equal(count('rampart_shadow_handshakes_total{result="disagree"}'), 2);
    assert.equal(count('rampart_shadow_handshakes_total{result="not_compared"}'), 3);
    assert.equal(count('rampart_shadow_handshakes_total{result="agree"}'), 1);
    assert.equal(count('rampart_shadow_requests_total{result="candidate_error"}'), 0);
    const pairs = text
      .split("\n")
      .filter((l) => l.startsWith("rampart_shadow_disagreements_total{"))
      .sort();
    assert.deepEqual(pairs, [
      'rampart_shadow_disagreements_total{kind="newly-allowed",running_rule="route",candidate_rule="tunnel:newpass"} 1',
      'rampart_shadow_disagreements_total{kind="newly-denied",running_rule="tunnel:pass",candidate_rule="tunnel:pass.trusted_ips"} 2',
      'rampart_shadow_disagreements_total{kind="newly-denied",running_rule="tunnel:term",candidate_rule="tunnel:term.tls_min_version"} 2',
    ]);
    const witnesses = lines
      .filter((l) => l["msg"] === "shadow disagreement")
      .map((l) => l["shadow"] as Record<string, string>);
    const pass = witnesses.find((w) => w["tunnel"] === "pass");
    assert.equal(pass?.["subject"], "connection");
    assert.equal(pass["running"], "relayed [tunnel:pass]");
    assert.equal(pass["candidate"], "denied 403 (policy_denied: ip) [tunnel:pass.trusted_ips]");
    assert.match(
      pass["witness"] ?? "",
      /^TLS passthrough connection for pass\.shop\.test from 127\.0\.0\.1 \(/,
    );
    const term = witnesses.find((w) => w["tunnel"] === "term");
    assert.equal(term?.["subject"], "handshake");
    assert.match(term["witness"] ?? "", /^TLS 1\.2 handshake for term\.shop\.test \(group /);
  });

  it("S-H6: the candidate's chain check accepts its own CA's certificates only, within their dates", () => {
    const dir = tempDir();
    const ours = certificateAuthority(dir, "ours");
    const theirs = certificateAuthority(dir, "theirs");
    const leaf = ours.issue("client");
    const presented = (file: string): DetailedPeerCertificate => {
      const raw = new X509Certificate(readFileSync(file)).raw;
      const cert = { raw } as DetailedPeerCertificate;
      // A lone certificate: Node links a self-issued end of chain to itself.
      return Object.assign(cert, { issuerCertificate: cert });
    };
    const ca = (file: string) => [new X509Certificate(readFileSync(file))];
    const now = new Date();
    assert.equal(chainsToCa(presented(leaf.cert), ca(ours.cert), now), true);
    assert.equal(chainsToCa(presented(leaf.cert), ca(theirs.cert), now), false);
    assert.equal(
      chainsToCa(presented(leaf.cert), [...ca(theirs.cert), ...ca(ours.cert)], now),
      true,
    );
    // Past the test certificates' two days of validity.
    const later = new Date(now.getTime() + 30 * 24 * 3600 * 1000);
    assert.equal(chainsToCa(presented(leaf.cert), ca(ours.cert), later), false);
    assert.equal(chainsToCa({} as DetailedPeerCertificate, ca(ours.cert), now), false);
  });
});

/** An HTTP tunnel with mTLS whose credential names `cn`. */
function mtlsPolicy(upstream: string, ca: string, cn: string): string {
  return `project "shop" {
  plan pro
  public_access allowed
  members { users ["alice"] }
}

tunnel "internal" {
  protocol http
  hosts ["internal.shop.test"]
  public
  upstream "${upstream}"
  auth none
  mtls ca "${ca}"
}

grant "internal-service" {
  type app
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["shop"]
    connect where id = "internal" { path prefix ["/"] }
  }
}

credential "billing" {
  subject_cn "${cn}"
  grant "internal-service"
}
`;
}

describe("shadow reads client certificates with the candidate's credentials (issue #21 item 4)", () => {
  it("S-H6: same CA, a credential renamed in the candidate: handshakes agree, requests disagree", async () => {
    const dir = tempDir();
    const edge = selfSigned(dir, "edge", ["internal.shop.test"]);
    const ca = certificateAuthority(dir, "clients");
    const client = ca.issue("billing-client");
    const upstream = await startUpstream();
    const candidate = compiled(mtlsPolicy(upstream.url, ca.cert, "renamed-client"));
    const { runtime, lines } = await startTestRuntime(
      compiled(mtlsPolicy(upstream.url, ca.cert, "billing-client")),
      {
        https: { host: "127.0.0.1", port: 0 },
        certificates: [{ hosts: ["internal.shop.test"], certFile: edge.cert, keyFile: edge.key }],
        shadow: {
          load: () => Promise.resolve({ value: candidate, diagnostics: [] }),
          source: "candidate.rampart",
          samplesPerMinute: 5,
          maxRulePairs: 100,
        },
        shutdownGraceMs: 100,
      },
    );
    try {
      for (let i = 0; i < 2; i++) {
        const reply = await send({
          port: runtime.addresses.https?.port ?? 0,
          host: "internal.shop.test",
          path: "/reports",
          tls: { cert: readFileSync(client.cert), key: readFileSync(client.key) },
        });
        assert.equal(reply.status, 200, "the running credential admits the client");
      }
      const text = await runtime.metrics.registry.metrics();
      assert.match(text, /^rampart_shadow_handshakes_total\{result="agree"\} 2$/m);
      assert.match(text, /^rampart_shadow_requests_total\{result="disagree"\} 2$/m);
      const witness = lines
        .filter((l) => l["msg"] === "shadow disagreement")
        .map((l) => l["shadow"] as Record<string, string>)[0];
      assert.equal(witness?.["subject"], "request");
      assert.equal(witness["kind"], "newly-denied");
      assert.match(witness["running"] ?? "", /^forwarded \(authenticated by mtls\)/);
    } finally {
      await runtime.close();
      await upstream.close();
    }
  });
});
