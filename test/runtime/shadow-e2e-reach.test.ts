/**
 * Issue #21 item 4, what shadow sees beyond the requests a running tunnel decides, end to end
 * on real sockets (HTTP, TLS with client certificates, TCP relays): one candidate that
 *   - adds a host (`docs.shop.test`), which the running policy answers `404 no_route`;
 *   - narrows a tcp tunnel's trusted CIDR (`db`: 127.0.0.0/8 → 127.0.0.1/32);
 *   - trusts another client CA for mTLS (`internal`: the old CA → the new CA).
 * Under mixed load (hosts served by both, unknown hosts, tcp from two loopback addresses on two
 * tunnels, client certificates from both CAs) exactly those three changes are disagreements —
 * on `/metrics`, in the witness lines and in `rampart shadow report` — and nothing else.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { connect as netConnect } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { certificateAuthority, selfSigned, tempDir } from "./helpers/certs.ts";
import type { CertFiles } from "./helpers/certs.ts";
import { send } from "./helpers/http.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";
import { startTcpEcho } from "./helpers/streams.ts";
import type { EchoServer } from "./helpers/streams.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const bin = join(import.meta.dirname, "..", "..", "src/cli/bin.js");

interface Side {
  readonly dbCidr: string;
  readonly clientCa: string;
  readonly docs: boolean;
}

function policyText(http: string, tcp: string, side: Side): string {
  const docs = side.docs
    ? `tunnel "docs" {
  protocol http
  hosts ["docs.shop.test"]
  public
  upstream "${http}"
  auth none
}
`
    : "";
  return `project "shop" {
  plan pro
  public_access allowed
  members { users ["alice"] }
}

tunnel "web" {
  protocol http
  hosts ["web.shop.test"]
  public
  upstream "${http}"
  auth none
}
${docs}
tunnel "internal" {
  protocol http
  hosts ["internal.shop.test"]
  public
  upstream "${http}"
  auth none
  mtls ca "${side.clientCa}"
}

tunnel "db" {
  protocol tcp
  public
  upstream "${tcp}"
  trusted_ips [${side.dbCidr}]
}

tunnel "cache" {
  protocol tcp
  public
  upstream "${tcp}"
  trusted_ips [127.0.0.0/8]
}

grant "internal-service" {
  type app
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["shop"]
    connect where id = "internal" { path prefix ["/billing/"] }
  }
}

credential "billing" {
  subject_cn "billing-client"
  grant "internal-service"
}
`;
}

function compiled(text: string): CompiledPolicy[] {
  const checked = checkPolicySource({ name: "shop.rampart", text });
  assert.ok(checked.effective !== undefined, JSON.stringify(checked.diagnostics));
  return [compilePolicy(checked.effective)];
}

/** Sends a line over a tcp tunnel from `localAddress`; "closed" when refused. */
function tcpExchangeFrom(port: number, localAddress: string, payload: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: "127.0.0.1", port, localAddress }, () =>
      socket.write(payload),
    );
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

/** A TLS handshake to `internal.shop.test` with `cert`: "refused" when the edge closes it. */
function handshakeWith(port: number, cert: CertFiles): Promise<"accepted" | "refused"> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: "127.0.0.1",
      port,
      servername: "internal.shop.test",
      rejectUnauthorized: false,
      cert: readFileSync(cert.cert),
      key: readFileSync(cert.key),
      ALPNProtocols: ["http/1.1"],
    });
    let settled = false;
    const done = (r: "accepted" | "refused"): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(5_000, () => done("refused"));
    // TLS 1.3: the server's verdict on the client certificate arrives after `secureConnect`;
    // a request shows whether the connection was kept.
    socket.once("secureConnect", () =>
      socket.write(
        "GET /billing/ HTTP/1.1\r\nhost: internal.shop.test\r\nconnection: close\r\n\r\n",
      ),
    );
    socket.once("data", () => done("accepted"));
    socket.on("error", () => done("refused"));
    socket.on("close", () => done("refused"));
  });
}

function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const space = line.lastIndexOf(" ");
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

describe("serve --shadow beyond routed requests: hosts, tcp, mTLS (issue #21 item 4)", () => {
  let upstream: TestUpstream;
  let echo: EchoServer;
  let runtime: RuntimeHandle;
  let lines: LogLines;
  let oldCa: CertFiles & { issue(cn: string): CertFiles };
  let newCa: CertFiles & { issue(cn: string): CertFiles };
  let oldBilling: CertFiles;
  let newBilling: CertFiles;

  before(async () => {
    const dir = tempDir();
    const server = selfSigned(dir, "server", [
      "web.shop.test",
      "internal.shop.test",
      "docs.shop.test",
    ]);
    oldCa = certificateAuthority(dir, "clients-old");
    newCa = certificateAuthority(dir, "clients-new");
    oldBilling = oldCa.issue("billing-client");
    newBilling = newCa.issue("billing-client");
    upstream = await startUpstream();
    echo = await startTcpEcho();
    const tcp = `tcp://127.0.0.1:${echo.port}`;
    const running = compiled(
      policyText(upstream.url, tcp, { dbCidr: "127.0.0.0/8", clientCa: oldCa.cert, docs: false }),
    );
    const candidate = compiled(
      policyText(upstream.url, tcp, { dbCidr: "127.0.0.1/32", clientCa: newCa.cert, docs: true }),
    );
    const started = await startTestRuntime(running, {
      https: { host: "127.0.0.1", port: 0 },
      certificates: [
        {
          hosts: ["web.shop.test", "internal.shop.test", "docs.shop.test"],
          certFile: server.cert,
          keyFile: server.key,
        },
      ],
      tcp: [
        { tunnel: "db", port: 0 },
        { tunnel: "cache", port: 0 },
      ],
      shadow: {
        load: () => Promise.resolve({ value: candidate, diagnostics: [] }),
        source: "candidate.rampart",
        samplesPerMinute: 2,
        maxRulePairs: 100,
      },
      shutdownGraceMs: 100,
    });
    runtime = started.runtime;
    lines = started.lines;
  });

  after(async () => {
    await runtime.close();
    await upstream.close();
    await echo.close();
  });

  const tcpPort = (name: string): number =>
    runtime.addresses.tcp.find((t) => t.tunnel === name)?.address.port ?? 0;

  it("S-X1, S-A3, S-H6: exactly the new host, the narrowed CIDR and the new CA disagree", async () => {
    const httpPort = runtime.addresses.http?.port ?? 0;
    const httpsPort = runtime.addresses.https?.port ?? 0;
    const statuses: string[] = [];
    // Mixed load, three rounds: every kind of traffic, the changed and the unchanged.
    for (let round = 0; round < 3; round++) {
      for (const host of ["web.shop.test", "docs.shop.test", "nowhere.shop.test"])
        statuses.push(
          `${host} ${(await send({ port: httpPort, host, path: "/a?q=secret" })).status}`,
        );
      for (const [tunnel, from] of [
        ["db", "127.0.0.1"],
        ["db", "127.0.0.2"],
        ["cache", "127.0.0.1"],
        ["cache", "127.0.0.2"],
      ] as const)
        statuses.push(
          `${tunnel} ${from} ${await tcpExchangeFrom(tcpPort(tunnel), from, "ping\n")}`,
        );
      statuses.push(`old CA ${await handshakeWith(httpsPort, oldBilling)}`);
      statuses.push(`new CA ${await handshakeWith(httpsPort, newBilling)}`);
      const web = await send({
        port: httpsPort,
        host: "web.shop.test",
        path: "/",
        tls: { maxVersion: "TLSv1.3" },
      });
      statuses.push(`web https ${web.status}`);
    }
    // The running policy alone acted.
    assert.deepEqual(statuses.slice(0, 10), [
      "web.shop.test 200",
      "docs.shop.test 404",
      "nowhere.shop.test 404",
      "db 127.0.0.1 ping\n",
      "db 127.0.0.2 ping\n",
      "cache 127.0.0.1 ping\n",
      "cache 127.0.0.2 ping\n",
      "old CA accepted",
      "new CA refused",
      "web https 200",
    ]);
    assert.ok(!upstream.seen.some((e) => e.headers.host === "docs.shop.test"));

    const m = parseMetrics(await runtime.metrics.registry.metrics());
    const pairs = [...m.entries()]
      .filter(([k]) => k.startsWith("rampart_shadow_disagreements_total{"))
      .map(([k, v]) => `${k} ${v}`)
      .sort();
    assert.deepEqual(pairs, [
      // The new host, answered 404 today.
      'rampart_shadow_disagreements_total{kind="newly-allowed",running_rule="route",candidate_rule="tunnel:docs"} 3',
      // The new CA's client: refused today, accepted by the candidate.
      'rampart_shadow_disagreements_total{kind="newly-allowed",running_rule="tunnel:internal.mtls_auth",candidate_rule="tunnel:internal"} 3',
      // The narrowed CIDR: 127.0.0.2 on `db` only.
      'rampart_shadow_disagreements_total{kind="newly-denied",running_rule="tunnel:db",candidate_rule="tunnel:db.trusted_ips"} 3',
      // The old CA's client: the candidate refuses its handshake, and reads no credential on
      // the request that follows, which the running tunnel forwards by its mTLS rule.
      'rampart_shadow_disagreements_total{kind="newly-denied",running_rule="tunnel:internal",candidate_rule="tunnel:internal.mtls_auth"} 3',
      'rampart_shadow_disagreements_total{kind="newly-denied",running_rule="tunnel:internal.mtls_auth",candidate_rule="tunnel:internal.mtls_auth"} 3',
    ]);
    // Requests: web over HTTP and HTTPS and the unknown host agree; docs and the old CA
    // client's request disagree.
    assert.equal(m.get('rampart_shadow_requests_total{result="disagree"}'), 6);
    assert.equal(m.get('rampart_shadow_requests_total{result="agree"}'), 9);
    assert.equal(m.get('rampart_shadow_requests_total{result="not_compared"}'), 0);
    assert.equal(m.get('rampart_shadow_requests_total{result="candidate_error"}'), 0);
    // Connections: four per round, one of them disagrees.
    assert.equal(m.get('rampart_shadow_connections_total{result="agree"}'), 9);
    assert.equal(m.get('rampart_shadow_connections_total{result="disagree"}'), 3);
    // Handshakes: old CA and new CA disagree, web agrees.
    assert.equal(m.get('rampart_shadow_handshakes_total{result="agree"}'), 3);
    assert.equal(m.get('rampart_shadow_handshakes_total{result="disagree"}'), 6);
  });

  it("witness lines say each change in diff's words, never the query", () => {
    const witnesses = lines
      .filter((l) => l["msg"] === "shadow disagreement")
      .map((l) => l["shadow"] as Record<string, string>);
    const bySubject = (subject: string, tunnel: string) =>
      witnesses.filter((w) => w["subject"] === subject && w["tunnel"] === tunnel);
    // Two witnesses per pair and minute (samplesPerMinute 2), five pairs of three; a load
    // that crosses a minute's end may log the third too.
    assert.ok(witnesses.length >= 10 && witnesses.length <= 15, String(witnesses.length));
    const docs = bySubject("request", "docs");
    assert.ok(docs.length >= 2);
    assert.equal(docs[0]?.["running"], "denied 404 (no_route) [route]");
    assert.match(docs[0]?.["candidate"] ?? "", /^forwarded .*\[tunnel:docs\]$/);
    assert.match(docs[0]?.["witness"] ?? "", /^GET http:\/\/docs\.shop\.test\/a from 127\.0\.0\.1/);
    const db = bySubject("connection", "db");
    assert.ok(db.length >= 2);
    assert.equal(db[0]?.["running"], "relayed [tunnel:db]");
    assert.match(
      db[0]?.["candidate"] ?? "",
      /^denied 403 \(policy_denied: ip\) \[tunnel:db\.trusted_ips\]$/,
    );
    assert.match(
      db[0]?.["witness"] ?? "",
      /^tcp connection on the port of `db` from 127\.0\.0\.2 /,
    );
    const internal = bySubject("handshake", "internal");
    assert.ok(internal.length >= 4);
    assert.ok(
      internal.some((w) =>
        /^TLS 1\.3 handshake for internal\.shop\.test \(.*client certificate `billing`\)$/.test(
          w["witness"] ?? "",
        ),
      ),
    );
    for (const l of lines) assert.ok(!JSON.stringify(l).includes("q=secret"));
  });

  it("rampart shadow report counts requests, handshakes and connections apart", async () => {
    await runtime.close();
    const log = lines.map((l) => JSON.stringify(l)).join("\n");
    const json = spawnSync(process.execPath, [bin, "shadow", "report", "--format", "json"], {
      input: log,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(json.status, 1, json.stderr);
    const report = JSON.parse(json.stdout) as {
      disagreements: number;
      pairs: { kind: string; subject: string; tunnel: string; count: number; logged: number }[];
    };
    assert.equal(report.disagreements, 15);
    assert.deepEqual(
      report.pairs.map((p) => `${p.tunnel} ${p.subject} ${p.kind} ${p.count}`).sort(),
      [
        "db connection newly-denied 3",
        "docs request newly-allowed 3",
        "internal handshake newly-allowed 3",
        "internal handshake newly-denied 3",
        "internal request newly-denied 3",
      ],
    );
    for (const p of report.pairs) assert.ok(p.logged >= 2 && p.logged <= 3, JSON.stringify(p));
    const text = spawnSync(process.execPath, [bin, "shadow", "report"], {
      input: log,
      encoding: "utf8",
      timeout: 30_000,
    });
    // "(2 logged)", unless the load crossed a minute's end and all three were logged.
    assert.match(text.stdout, /tunnel `db`\n {2}- newly denied: 3 connections( \(2 logged\))?\n/);
    assert.match(text.stdout, /tunnel `docs`\n {2}\+ newly allowed: 3 requests( \(2 logged\))?\n/);
    assert.match(text.stdout, / {2}\+ newly allowed: 3 handshakes( \(2 logged\))?\n/);
    assert.match(text.stdout, / {2}- newly denied: 3 handshakes( \(2 logged\))?\n/);
  });
});
