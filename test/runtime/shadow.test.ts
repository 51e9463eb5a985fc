/**
 * Issue #21 item 4: shadow rollout in one process. A candidate that does not load is RP6060
 * and changes nothing; facts the running tunnel did not gather are looked up (the country) or
 * the request is left uncompared (a token); witness lines never carry a token, a cookie or a
 * query; rule pairs past the cap are `other`; the sampler logs the first N per pair per
 * minute and counts the rest; the comparison is `decisionKey`'s.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import type { Outcome } from "../../src/diagnostics/diagnostic.ts";
import { decisionKey } from "../../src/analysis/decision-key.ts";
import type { Decision } from "../../src/ir/decision.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import type { RuntimeOptions } from "../../src/runtime/options.ts";
import { sameBehaviour } from "../../src/runtime/shadow/disagreement.ts";
import { WitnessSampler } from "../../src/runtime/shadow/witness-sampler.ts";
import { decisionLine } from "../../src/analysis/diff/render-diff.ts";
import { pairRecord } from "../../src/runtime/shadow/witness-record.ts";
import type { PairRecord } from "../../src/runtime/shadow/witness-record.ts";
import { summarizeShadowLog } from "../../src/runtime/shadow/summarize-log.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { send } from "./helpers/http.ts";
import { selfSigned, tempDir } from "./helpers/certs.ts";
import type { Reply } from "./helpers/http.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const SECRET = "shadow-unit-token-secret-0123456789abcdef";
const GEOIP = join(import.meta.dirname, "../../fixtures/geoip/GeoLite2-Country-Test.mmdb");

/** A policy: `web` (open, or with `web` extra lines) and `api` (tokens, with `api` extra lines). */
function policy(upstream: string, extra: { web?: string; api?: string } = {}): string {
  return `project "p" {
  plan pro
  public_access allowed
  members { users ["alice"] }
}
tunnel "web" {
  protocol http
  hosts ["web.p.test"]
  public
  upstream "${upstream}"
  ${extra.web ?? ""}
}
tunnel "api" {
  protocol http
  hosts ["api.p.test"]
  public
  upstream "${upstream}"
  auth token
  ${extra.api ?? ""}
}
grant "reader" {
  type pat
  permissions [tunnels.streams.create-delete]
  resources scope {
    projects ["p"]
    connect where id = "api" { path prefix ["/v1/"] }
  }
}
`;
}

function compiled(text: string): CompiledPolicy[] {
  const checked = checkPolicySource({ name: "p.rampart", text });
  assert.ok(checked.effective !== undefined, JSON.stringify(checked.diagnostics));
  return [compilePolicy(checked.effective)];
}

const loaded = (policies: CompiledPolicy[]) => (): Promise<Outcome<CompiledPolicy[]>> =>
  Promise.resolve({ value: policies, diagnostics: [] });

async function metric(runtime: RuntimeHandle, name: string): Promise<number | undefined> {
  const text = await runtime.metrics.registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

function shadowLines(lines: LogLines): Record<string, unknown>[] {
  return lines.filter((l) => l["msg"] === "shadow disagreement");
}

describe("shadow rollout in one process (issue #21 item 4)", () => {
  let upstream: TestUpstream;
  const open: RuntimeHandle[] = [];

  before(async () => {
    upstream = await startUpstream();
  });
  after(async () => {
    for (const r of open) await r.close();
    await upstream.close();
  });

  async function start(
    running: string,
    shadow: RuntimeOptions["shadow"],
    options: Partial<RuntimeOptions> = {},
  ) {
    const started = await startTestRuntime(compiled(running), {
      shadow,
      tokens: { secret: SECRET },
      trustedProxies: ["127.0.0.1"],
      geoipDatabase: GEOIP,
      shutdownGraceMs: 100,
      ...options,
    });
    open.push(started.runtime);
    const port = started.runtime.addresses.http?.port ?? 0;
    const get = (
      host: string,
      path: string,
      headers: Record<string, string> = {},
    ): Promise<Reply> => send({ port, host, path, headers });
    return { ...started, get };
  }

  it("RP6060: a candidate that does not load leaves shadow off and serving as it was", async () => {
    const failing = (): Promise<Outcome<CompiledPolicy[]>> =>
      Promise.resolve({
        value: undefined,
        diagnostics: [{ code: "RP1001", severity: "error", message: "unexpected token" }],
      });
    const { runtime, diagnostics, lines, get } = await start(policy(upstream.url), {
      load: failing,
      source: "broken.rampart",
    });
    const warning = diagnostics.find((d) => d.code === "RP6060");
    assert.ok(warning !== undefined, JSON.stringify(diagnostics));
    assert.equal(warning.severity, "warning");
    assert.match(warning.message, /`broken\.rampart`.*RP1001: unexpected token/);
    assert.equal((await get("web.p.test", "/")).status, 200);
    assert.equal(await metric(runtime, "rampart_shadow_candidate_generation"), 0);
    assert.equal(await metric(runtime, 'rampart_shadow_loads_total{result="failed"}'), 1);
    assert.equal(await metric(runtime, 'rampart_shadow_requests_total{result="agree"}'), 0);
    assert.deepEqual(shadowLines(lines), []);
  });

  it("a reload whose candidate fails keeps comparing with the previous candidate", async () => {
    let broken = false;
    const candidate = compiled(policy(upstream.url, { web: "trusted_ips [192.0.2.0/24]" }));
    const { runtime, get } = await start(policy(upstream.url), {
      load: () =>
        broken
          ? Promise.reject(new Error("disk on fire"))
          : Promise.resolve({ value: candidate, diagnostics: [] }),
      source: "candidate.rampart",
    });
    broken = true;
    const reloaded = await runtime.reload();
    assert.ok(
      reloaded.diagnostics.some((d) => d.code === "RP6060" && /disk on fire/.test(d.message)),
    );
    assert.equal(reloaded.value, 2, "the running policy reloads either way");
    assert.equal((await get("web.p.test", "/", { "x-forwarded-for": "198.51.100.1" })).status, 200);
    assert.equal(await metric(runtime, 'rampart_shadow_requests_total{result="disagree"}'), 1);
    assert.equal(await metric(runtime, "rampart_shadow_candidate_generation"), 1);
  });

  it("S-A4: a candidate GeoIP rule gets the country looked up although the running tunnel needs none", async () => {
    const candidate = compiled(policy(upstream.url, { web: "geo_ip [GB]" }));
    const { runtime, lines, get } = await start(policy(upstream.url), {
      load: loaded(candidate),
      source: "geo.rampart",
    });
    assert.equal((await get("web.p.test", "/a", { "x-forwarded-for": "81.2.69.160" })).status, 200);
    assert.equal(
      (await get("web.p.test", "/b", { "x-forwarded-for": "89.160.20.112" })).status,
      200,
    );
    assert.equal(await metric(runtime, 'rampart_shadow_requests_total{result="agree"}'), 1);
    assert.equal(await metric(runtime, 'rampart_shadow_requests_total{result="disagree"}'), 1);
    const [line] = shadowLines(lines);
    const shadow = line?.["shadow"] as Record<string, string>;
    assert.equal(shadow["change"], "newly denied");
    assert.equal(shadow["witness"], "GET http://web.p.test/b from 89.160.20.112 (SE)");
    assert.equal(shadow["candidate"], "denied 403 (policy_denied: geo) [tunnel:web.geo_ip]");
  });

  it("S-H1: a candidate that reads tokens where the running tunnel does not leaves the request uncompared", async () => {
    const candidate = compiled(policy(upstream.url, { web: "auth token" }));
    const { runtime, lines, get } = await start(policy(upstream.url), {
      load: loaded(candidate),
      source: "tokens.rampart",
    });
    assert.equal((await get("web.p.test", "/", { authorization: "Bearer abc" })).status, 200);
    assert.equal(await metric(runtime, 'rampart_shadow_requests_total{result="not_compared"}'), 1);
    assert.equal(await metric(runtime, 'rampart_shadow_requests_total{result="disagree"}'), 0);
    assert.deepEqual(shadowLines(lines), []);
  });

  it("S-H1, S-R15: witness lines name the token's grant and owner, never the token, a cookie or the query", async () => {
    const candidate = compiled(policy(upstream.url, { api: "trusted_ips [192.0.2.0/24]" }));
    const { lines, get } = await start(policy(upstream.url), {
      load: loaded(candidate),
      source: "narrow.rampart",
    });
    const checked = checkPolicySource({ name: "p.rampart", text: policy(upstream.url) });
    const grant = checked.effective?.grants["reader"];
    assert.ok(grant !== undefined);
    const token = (await mintToken({ secret: SECRET, grant, subject: "alice" })).value ?? "";
    const cookie = "rstream_session=c00kie-value-123";
    const header = await get("api.p.test", "/v1/x", {
      authorization: `Bearer ${token}`,
      cookie,
      "x-forwarded-for": "198.51.100.9",
    });
    assert.equal(header.status, 200);
    const query = await get("api.p.test", `/v1/y?rstream.token=${token}&q=secret-query`, {
      "x-forwarded-for": "198.51.100.9",
    });
    assert.equal(query.status, 200);
    const witnesses = shadowLines(lines);
    assert.equal(witnesses.length, 2);
    const text = JSON.stringify(witnesses);
    assert.ok(!text.includes(token), "the token reached the log");
    assert.ok(!text.includes("c00kie"), "the cookie reached the log");
    assert.ok(!text.includes("secret-query"), "the query reached the log");
    const [first, second] = witnesses.map((l) => l["shadow"] as Record<string, string>);
    assert.match(
      first?.["witness"] ?? "",
      /^GET http:\/\/api\.p\.test\/v1\/x from 198\.51\.100\.9 \(unknown country\), a token with grant `[0-9a-f-]{36}` in the header$/,
    );
    assert.equal(first?.["tokenSubject"], "alice");
    assert.match(second?.["witness"] ?? "", /\/v1\/y from .* in the query$/);
    assert.equal(first?.["change"], "newly denied");
  });

  it("forward-auth sub-requests (nginx auth_request) are compared too", async () => {
    const candidate = compiled(policy(upstream.url, { web: "trusted_ips [192.0.2.0/24]" }));
    const { runtime, lines } = await start(
      policy(upstream.url),
      { load: loaded(candidate), source: "fa.rampart" },
      { forwardAuth: { host: "127.0.0.1", port: 0 } },
    );
    const reply = await send({
      port: runtime.addresses.forwardAuth?.port ?? 0,
      host: "rampart_forward_auth",
      path: "/nginx",
      headers: {
        "x-original-method": "GET",
        "x-original-uri": "/page",
        "x-forwarded-host": "web.p.test",
        "x-real-ip": "198.51.100.20",
      },
    });
    assert.equal(reply.status, 200, "the running policy answers");
    const [line] = shadowLines(lines);
    const shadow = line?.["shadow"] as Record<string, string>;
    assert.equal(shadow["change"], "newly denied");
    assert.equal(
      shadow["witness"],
      "GET http://web.p.test/page from 198.51.100.20 (unknown country)",
    );
  });

  it("S-A5: TLS handshakes are compared too: a candidate TLS 1.3 minimum refuses a 1.2 client", async () => {
    const dir = tempDir();
    const cert = selfSigned(dir, "server", ["web.p.test"]);
    const candidate = compiled(policy(upstream.url, { web: "tls_min 1.3" }));
    const { runtime, lines } = await start(
      policy(upstream.url),
      { load: loaded(candidate), source: "tls13.rampart" },
      {
        https: { host: "127.0.0.1", port: 0 },
        certificates: [{ hosts: ["web.p.test"], certFile: cert.cert, keyFile: cert.key }],
      },
    );
    const reply = await send({
      port: runtime.addresses.https?.port ?? 0,
      host: "web.p.test",
      path: "/old-client",
      tls: { maxVersion: "TLSv1.2" },
    });
    assert.equal(reply.status, 200, "the running policy admits TLS 1.2");
    const text = await runtime.metrics.registry.metrics();
    assert.match(text, /^rampart_shadow_handshakes_total\{result="disagree"\} 1$/m);
    const witnesses = shadowLines(lines).map((l) => l["shadow"] as Record<string, string>);
    const handshake = witnesses.find((w) => w["witness"]?.startsWith("TLS 1.2 handshake"));
    assert.ok(handshake !== undefined, JSON.stringify(witnesses));
    assert.equal(handshake["change"], "newly denied");
    assert.match(handshake["running"] ?? "", /^handshake passes \[/);
    assert.match(
      handshake["candidate"] ?? "",
      /^denied 403 \(policy_denied: tls\) \[tunnel:web\.tls_min_version\]$/,
    );
    assert.match(handshake["witness"] ?? "", /^TLS 1\.2 handshake for web\.p\.test \(group \S+\)$/);
    // The request over that connection is decided (and compared) with its TLS version too.
    assert.ok(witnesses.some((w) => w["witness"]?.startsWith("GET https://web.p.test/old-client")));
  });

  it("a candidate decision that throws is counted and logged once; the request is answered as before", async () => {
    const [good] = compiled(policy(upstream.url));
    assert.ok(good !== undefined);
    const throwing: CompiledPolicy = {
      ...good,
      policy: good.policy,
      route: (host) => good.route(host),
      handshake: (facts) => good.handshake(facts),
      tunnelById: (id) => good.tunnelById(id),
      request: () => {
        throw new Error("candidate bug");
      },
    };
    const { runtime, lines, get } = await start(policy(upstream.url), {
      load: loaded([throwing]),
      source: "throwing.rampart",
    });
    assert.equal((await get("web.p.test", "/1")).status, 200);
    assert.equal((await get("web.p.test", "/2")).status, 200);
    assert.equal(
      await metric(runtime, 'rampart_shadow_requests_total{result="candidate_error"}'),
      2,
    );
    assert.equal(
      lines.filter((l) => /candidate's decision threw/.test(String(l["msg"]))).length,
      1,
    );
  });

  it("rule pairs past the cap are counted as `other`", async () => {
    const candidate = compiled(
      policy(upstream.url, {
        web: "trusted_ips [192.0.2.0/24]",
        api: "trusted_ips [192.0.2.0/24]",
      }),
    );
    const { runtime, get } = await start(policy(upstream.url), {
      load: loaded(candidate),
      source: "cap.rampart",
      maxRulePairs: 1,
    });
    const far = { "x-forwarded-for": "198.51.100.2" };
    assert.equal((await get("web.p.test", "/", far)).status, 200);
    assert.equal((await get("api.p.test", "/v1/", far)).status, 401);
    const text = await runtime.metrics.registry.metrics();
    const pairs = text
      .split("\n")
      .filter((l) => l.startsWith("rampart_shadow_disagreements_total{"));
    assert.deepEqual(pairs, [
      'rampart_shadow_disagreements_total{kind="newly-denied",running_rule="tunnel:web",candidate_rule="tunnel:web.trusted_ips"} 1',
      'rampart_shadow_disagreements_total{kind="changed",running_rule="other",candidate_rule="other"} 1',
    ]);
  });
});

describe("the witness sampler (issue #21 item 4)", () => {
  const decision = (rule: string, outcome: "forward" | "deny"): Decision =>
    ({
      outcome,
      status: outcome === "deny" ? 403 : 0,
      reason: outcome === "deny" ? "policy_denied" : "ok",
      policy: outcome === "deny" ? "ip" : null,
      stage: "edge",
      rule,
      origin: null,
      message: "",
      identity: null,
      endpoint: null,
      // SAFETY: a test double with every Decision field; built here to vary the rule only
    }) as Decision;

  it("logs the first N of each rule pair per minute and counts the rest, per minute", () => {
    let now = 0;
    const sampler = new WitnessSampler(2, 10, () => now);
    const a = pairRecord(
      "newly-denied",
      "t",
      decision("a", "forward"),
      decision("a2", "deny"),
      decisionLine,
    );
    const b = pairRecord(
      "newly-allowed",
      "t",
      decision("b", "deny"),
      decision("b2", "forward"),
      decisionLine,
    );
    const admit = (p: PairRecord) => sampler.admit(p.runningRule, () => p);
    const logged = [a, a, a, b, a].map((p) => admit(p).pair !== null);
    assert.deepEqual(logged, [true, true, false, true, false]);
    now = 60_000;
    const next = admit(a);
    assert.equal(next.pair, a, "a new minute logs again");
    assert.deepEqual(
      next.ended.map((e) => [e.pair.runningRule, e.count]),
      [["a", 2]],
    );
    assert.deepEqual(sampler.flush(), []);
  });

  it("counts pairs past its cap under `other`", () => {
    const sampler = new WitnessSampler(5, 1, () => 0);
    const a = pairRecord(
      "changed",
      "t",
      decision("a", "deny"),
      decision("a2", "deny"),
      decisionLine,
    );
    const b = pairRecord(
      "changed",
      "t",
      decision("b", "deny"),
      decision("b2", "deny"),
      decisionLine,
    );
    assert.equal(sampler.admit("a", () => a).pair, a);
    assert.equal(sampler.admit("b", () => b).pair, null);
    assert.deepEqual(
      sampler.flush().map((e) => [e.pair.runningRule, e.count]),
      [["other", 1]],
    );
  });
});

describe("the shadow comparison is decisionKey's (issue #21 item 4)", () => {
  it("sameBehaviour(a, b) holds exactly when decisionKey(a) === decisionKey(b)", () => {
    const field = <T>(...values: T[]) => fc.constantFrom(...values);
    const arbitrary = fc.record({
      outcome: field("forward", "deny", "respond", "challenge", "login"),
      status: field(0, 302, 403, 404),
      reason: field("ok", "policy_denied", "no_route"),
      policy: field(null, "ip", "geo"),
      stage: field("edge", "forward"),
      rule: field("r1", "r2"),
      origin: fc.constant(null),
      message: field("m1", "m2"),
      identity: field(null, { method: "token", subject: "a" }, { method: "mtls", subject: null }),
      endpoint: field(null, "session", "logout"),
    });
    fc.assert(
      fc.property(arbitrary, arbitrary, (a, b) => {
        // SAFETY: the record above builds every field of Decision with values of its types
        const [x, y] = [a as Decision, b as Decision];
        assert.equal(sameBehaviour(x, y), decisionKey(x) === decisionKey(y));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("summarizeShadowLog (issue #21 item 4)", () => {
  it("adds witness lines and not-logged counts per pair, and skips what is not its own", () => {
    const pair = {
      kind: "newly-allowed",
      change: "newly allowed",
      tunnel: "t",
      runningRule: "r",
      candidateRule: "c",
      running: "denied 403 (policy_denied: ip) [r]",
      candidate: "forwarded [c]",
    };
    const log = [
      "starting up",
      JSON.stringify({ msg: "request denied", shadow: pair }),
      JSON.stringify({
        msg: "shadow disagreement",
        shadow: { ...pair, witness: "GET http://h/1" },
      }),
      JSON.stringify({
        msg: "shadow disagreement",
        shadow: { ...pair, witness: "GET http://h/2" },
      }),
      JSON.stringify({ msg: "shadow disagreements not logged", shadow: { ...pair, notLogged: 5 } }),
      JSON.stringify({ msg: "shadow disagreement", shadow: { ...pair, kind: "bogus" } }),
    ].join("\n");
    const summary = summarizeShadowLog(log, 1);
    assert.equal(summary.disagreements, 7);
    assert.equal(summary.skipped, 1);
    assert.deepEqual(
      summary.pairs.map((p) => [p.kind, p.count, p.logged, p.witnesses]),
      [["newly-allowed", 7, 2, ["GET http://h/1"]]],
    );
  });
});
