/**
 * Issue #21 item 4, end to end: a real `rampart serve --shadow` on loopback, a real upstream,
 * real TLS with client certificates. The candidate widens exactly one grant (the path prefix
 * of the grant an mTLS credential carries); under mixed load (tokens, certificates, paths,
 * client addresses) exactly the requests in the widened region are disagreements — on
 * `/metrics`, in the witness lines and in `rampart shadow report` — and nothing else. Then the
 * candidate is promoted (the policy file replaced, SIGHUP) and the disagreements stop.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { certificateAuthority, selfSigned, tempDir } from "./helpers/certs.ts";
import type { CertFiles } from "./helpers/certs.ts";
import { send } from "./helpers/http.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "src/cli/bin.js");
const SECRET = "shadow-e2e-token-secret-0123456789abcdef";
const env = {
  ...process.env,
  RAMPART_COOKIE_KEY: "shadow-e2e-cookie-key-0123456789abcdef0123",
  RAMPART_TOKEN_SECRET: SECRET,
};

/** The policy; `reportsToo` is the candidate's one change: the credential's grant widens. */
function policyText(upstream: string, ca: string, reportsToo: boolean): string {
  const prefixes = reportsToo ? `["/billing/", "/reports/"]` : `["/billing/"]`;
  return `project "shop" {
  plan pro
  public_access allowed
  members { users ["alice", "ci"] }
  trusted_ips [192.0.2.0/24, 198.51.100.0/24]
}

tunnel "api" {
  protocol http
  hosts ["api.shop.test"]
  public
  upstream "${upstream}"
  auth token
}

tunnel "internal" {
  protocol http
  hosts ["internal.shop.test"]
  public
  upstream "${upstream}"
  auth none
  mtls ca "${ca}"
}

grant "reader" {
  type pat
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["shop"]
    connect where id = "api" { path prefix ["/v1/public/"] methods [GET] }
  }
}

grant "deployer" {
  type pat
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["shop"]
    connect where id = "api" { path prefix ["/v1/deploy/"] methods [POST, GET] }
  }
}

grant "internal-service" {
  type app
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["shop"]
    connect where id = "internal" { path prefix ${prefixes} }
  }
}

credential "billing" {
  subject_cn "billing-client"
  grant "internal-service"
}
`;
}

/** One request of the load and whether the candidate must disagree on it. */
interface Planned {
  readonly name: string;
  readonly run: () => Promise<number>;
  readonly disagrees: boolean;
}

const ALLOWED_IPS = ["192.0.2.10", "198.51.100.7"];
const ALL_IPS = [...ALLOWED_IPS, "203.0.113.9"];

/** Parses `/metrics` into `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const space = line.lastIndexOf(" ");
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

describe("serve --shadow end to end (issue #21 item 4)", () => {
  let upstream: TestUpstream;
  let child: ChildProcessWithoutNullStreams;
  let stdout = "";
  let stderr = "";
  let exited: Promise<number | null>;
  const ports: Record<string, number> = {};
  let dir: string;
  let policyFile: string;
  let candidateFile: string;
  let billing: CertFiles;
  let stranger: CertFiles;
  const tokens: Record<string, string> = {};

  before(async () => {
    dir = tempDir();
    const server = selfSigned(dir, "server", ["internal.shop.test", "api.shop.test"]);
    const ca = certificateAuthority(dir, "clients");
    billing = ca.issue("billing-client");
    stranger = ca.issue("stranger");
    upstream = await startUpstream();
    policyFile = join(dir, "shop.rampart");
    candidateFile = join(dir, "shop-candidate.rampart");
    writeFileSync(policyFile, policyText(upstream.url, ca.cert, false));
    writeFileSync(candidateFile, policyText(upstream.url, ca.cert, true));
    const checked = checkPolicySource({
      name: "shop.rampart",
      text: readFileSync(policyFile, "utf8"),
    });
    const grants = checked.effective?.grants ?? {};
    for (const [name, subject] of [
      ["reader", "alice"],
      ["deployer", "ci"],
    ] as const) {
      const grant = grants[name];
      assert.ok(grant !== undefined, JSON.stringify(checked.diagnostics));
      const minted = await mintToken({ secret: SECRET, grant, subject });
      assert.ok(minted.value !== undefined, JSON.stringify(minted.diagnostics));
      tokens[name] = minted.value;
    }
    child = spawn(
      process.execPath,
      [
        bin,
        "serve",
        policyFile,
        "--shadow",
        candidateFile,
        "--shadow-sample",
        "3",
        "--http",
        "127.0.0.1:0",
        "--https",
        "127.0.0.1:0",
        "--admin",
        "127.0.0.1:0",
        "--cert",
        `internal.shop.test,api.shop.test=${server.cert}:${server.key}`,
        "--trusted-proxy",
        "127.0.0.1",
        "--log-level",
        "info",
      ],
      { env, stdio: ["pipe", "pipe", "pipe"] },
    );
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    exited = new Promise((resolve) => child.on("exit", resolve));
    for (let i = 0; i < 1200 && ports["admin"] === undefined; i++) {
      await new Promise((r) => setTimeout(r, 25));
      for (const m of stderr.matchAll(/rampart: (\w+) listening on (\{.*\})/g))
        ports[m[1] ?? ""] = (JSON.parse(m[2] ?? "{}") as { port: number }).port;
    }
    assert.ok((ports["admin"] ?? 0) > 0 && (ports["https"] ?? 0) > 0, stderr);
  });

  after(async () => {
    child.kill("SIGKILL");
    await upstream.close();
  });

  /** The mixed load: every combination once, with what the candidate must do. */
  function plan(): Planned[] {
    const planned: Planned[] = [];
    const api = ports["http"] ?? 0;
    const internal = ports["https"] ?? 0;
    const apiCases: [string, string, string | null][] = [
      ["GET", "/v1/public/prices", "reader"],
      ["GET", "/v1/admin/users", "reader"],
      ["POST", "/v1/deploy/7", "deployer"],
      ["GET", "/v1/public/prices", null],
      ["GET", "/reports/q3", "deployer"],
    ];
    for (const ip of ALL_IPS) {
      for (const [method, path, token] of apiCases) {
        const headers: Record<string, string> = { "x-forwarded-for": ip };
        if (token !== null) headers["authorization"] = `Bearer ${tokens[token] ?? ""}`;
        planned.push({
          name: `${method} api${path} ${token ?? "no token"} from ${ip}`,
          run: async () =>
            (await send({ port: api, host: "api.shop.test", method, path, headers })).status,
          disagrees: false,
        });
      }
      for (const [certName, cert] of [
        ["billing", billing],
        ["stranger", stranger],
      ] as const) {
        for (const path of ["/billing/invoices", "/reports/q3", "/reports/", "/admin/users"]) {
          planned.push({
            name: `GET internal${path} cert ${certName} from ${ip}`,
            run: async () =>
              (
                await send({
                  port: internal,
                  host: "internal.shop.test",
                  path,
                  headers: { "x-forwarded-for": ip },
                  tls: { cert: readFileSync(cert.cert), key: readFileSync(cert.key) },
                })
              ).status,
            // The one widened region: the billing credential, on /reports/, from a trusted address.
            disagrees:
              certName === "billing" && path.startsWith("/reports/") && ALLOWED_IPS.includes(ip),
          });
        }
      }
    }
    return planned;
  }

  async function metrics(): Promise<Map<string, number>> {
    const reply = await send({ port: ports["admin"] ?? 0, host: "localhost", path: "/metrics" });
    assert.equal(reply.status, 200);
    return parseMetrics(reply.body);
  }

  const WIDENED =
    'rampart_shadow_disagreements_total{kind="newly-allowed",running_rule="grant:internal-service",candidate_rule="tunnel:internal.mtls_auth"}';

  it("S-H6, S-O3: only the widened region disagrees; the running policy alone answers", async () => {
    const load = plan();
    const statuses: number[] = [];
    for (const p of load) statuses.push(await p.run());
    const expected = load.filter((p) => p.disagrees);
    assert.equal(expected.length, 4);
    // A mixed load: forwarded, refused for a missing token, for the address, for scope.
    assert.deepEqual([...new Set(statuses)].sort(), [200, 401, 403]);
    // The running policy acted: the widened requests were refused, not forwarded.
    for (const [i, p] of load.entries()) if (p.disagrees) assert.equal(statuses[i], 403, p.name);
    assert.ok(
      !upstream.seen.some(
        (e) => e.url.startsWith("/reports/") && e.headers.host?.startsWith("internal"),
      ),
    );
    const m = await metrics();
    const shadowLines = [...m.keys()].filter((k) =>
      k.startsWith("rampart_shadow_disagreements_total{"),
    );
    assert.deepEqual(shadowLines, [WIDENED], [...m.entries()].join("\n"));
    assert.equal(m.get(WIDENED), expected.length);
    assert.equal(m.get('rampart_shadow_requests_total{result="disagree"}'), expected.length);
    assert.equal(
      m.get('rampart_shadow_requests_total{result="agree"}'),
      load.length - expected.length,
    );
    assert.equal(m.get('rampart_shadow_requests_total{result="not_compared"}'), 0);
    assert.equal(m.get("rampart_shadow_candidate_generation"), 1);
    // Witness lines: the first three of the pair this minute, in diff's words.
    const witnesses = stdout
      .split("\n")
      .filter((l) => l.includes('"msg":"shadow disagreement"'))
      .map((l) => (JSON.parse(l) as { shadow: Record<string, string> }).shadow);
    assert.equal(witnesses.length, 3);
    for (const w of witnesses) {
      assert.equal(w["change"], "newly allowed");
      assert.equal(w["tunnel"], "internal");
      assert.match(
        w["running"] ?? "",
        /^denied 403 \(insufficient_scope: mtls\) \[grant:internal-service\]$/,
      );
      assert.match(
        w["candidate"] ?? "",
        /^forwarded \(authenticated by mtls\) \[tunnel:internal\.mtls_auth\]$/,
      );
      assert.match(
        w["witness"] ?? "",
        /^GET https:\/\/internal\.shop\.test\/reports\/\S* from (192\.0\.2\.10|198\.51\.100\.7) \((unknown country|[A-Z]{2}), TLS 1\.3\), client certificate `billing`$/,
      );
    }
  });

  it("promotion: the candidate replaces the policy file, SIGHUP reloads, and disagreements stop", async () => {
    const before = await metrics();
    const tmp = `${policyFile}.tmp`;
    writeFileSync(tmp, readFileSync(candidateFile));
    renameSync(tmp, policyFile);
    child.kill("SIGHUP");
    // The SIGHUP and the file watch may each reload: wait until the generation settles.
    let generation = 1;
    let settled = 0;
    for (let i = 0; i < 200 && settled < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = (await metrics()).get("rampart_policy_generation") ?? 1;
      settled = now > 1 && now === generation ? settled + 1 : 0;
      generation = now;
    }
    assert.ok(generation >= 2, stderr);
    const load = plan();
    const statuses: number[] = [];
    for (const p of load) statuses.push(await p.run());
    // Promoted: the widened requests are forwarded now, by the running policy.
    for (const [i, p] of load.entries()) if (p.disagrees) assert.equal(statuses[i], 200, p.name);
    const m = await metrics();
    assert.equal(m.get(WIDENED), before.get(WIDENED));
    assert.equal(
      m.get('rampart_shadow_requests_total{result="agree"}'),
      (before.get('rampart_shadow_requests_total{result="agree"}') ?? 0) + load.length,
    );
  });

  it("rampart shadow report sums the log: the pair, its count, witnesses, no token value", async () => {
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    // At shutdown the minute's unlogged disagreements are written as one count line.
    assert.match(stdout, /"msg":"shadow disagreements not logged"/);
    for (const token of Object.values(tokens))
      assert.ok(!stdout.includes(token), "a token reached the log");
    const logFile = join(dir, "serve.log");
    writeFileSync(logFile, stdout);
    const notJson = stdout.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("{"));
    assert.deepEqual(notJson, []);
    const text = spawnSync(process.execPath, [bin, "shadow", "report"], {
      input: stdout,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(text.status, 1, text.stderr);
    assert.match(
      text.stdout,
      /^rampart shadow report \(stdin\)\n\ntunnel `internal`\n {2}\+ newly allowed: 4 requests \(3 logged\)\n/,
    );
    assert.match(
      text.stdout,
      / {6}running: {3}denied 403 \(insufficient_scope: mtls\) \[grant:internal-service\]\n/,
    );
    assert.match(text.stdout, / {6}witness: GET https:\/\/internal\.shop\.test\/reports\//);
    assert.match(
      text.stdout,
      /\n4 newly allowed, 0 newly denied, 0 answered differently: access widens\n$/,
    );
    const json = spawnSync(
      process.execPath,
      [bin, "shadow", "report", logFile, "--format", "json"],
      {
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    assert.equal(json.status, 1, json.stderr);
    const report = JSON.parse(json.stdout) as {
      disagreements: number;
      pairs: {
        kind: string;
        runningRule: string;
        candidateRule: string;
        count: number;
        witnesses: string[];
      }[];
    };
    assert.equal(report.disagreements, 4);
    assert.deepEqual(
      report.pairs.map((p) => [
        p.kind,
        p.runningRule,
        p.candidateRule,
        p.count,
        p.witnesses.length,
      ]),
      [["newly-allowed", "grant:internal-service", "tunnel:internal.mtls_auth", 4, 3]],
    );
  });
});
