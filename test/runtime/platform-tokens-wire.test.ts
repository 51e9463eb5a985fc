/**
 * The platform-token corpus on the wire (S-T1…S-T8): every case of fixtures/tokens/platform
 * is signed as the platform's SDK would sign it (its time claims moved to the real clock),
 * sent to a running `serve` for its `connect` decisions, and given to `rampart explain
 * --action list|watch` for the others. Both must say what the case says, which the corpus
 * test checks against the compiled and the interpreted decisions: serve, explain, compiler and
 * interpreter agree.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT, exportSPKI, generateKeyPair } from "jose";
import type { CryptoKey } from "jose";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { main } from "../../src/cli/main.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { tempDir } from "./helpers/certs.ts";
import { send } from "./helpers/http.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const CORPUS = join(import.meta.dirname, "..", "..", "fixtures", "tokens", "platform");
const SECRET = "community-secret-0123456789abcdef-0123456789";
/** The corpus's clock; its time claims are moved by the distance to the real one. */
const CORPUS_NOW = 1_800_000_000;
const POLICIES = ["members", "open"] as const;
type PolicyName = (typeof POLICIES)[number];

interface Decision {
  readonly policy: PolicyName;
  readonly action: "connect" | "create" | "list" | "watch";
  readonly tunnel?: string;
  readonly path?: string;
  readonly allow: boolean;
}

interface Case {
  readonly signer: string;
  readonly claims: Record<string, unknown>;
  readonly expect: { readonly valid: true } | { readonly invalid: string };
  readonly decisions?: readonly Decision[];
}

/** Expectations that name how a token failed as a whole; any other names its claim set's flaw. */
const WHOLE_TOKEN_FAILURES: ReadonlySet<string> = new Set([
  "bad_signature",
  "expired",
  "not_yet_valid",
]);

/** The claims with `iat`, `nbf` and `exp` moved from the corpus's clock to now. */
function onRealClock(claims: Record<string, unknown>, nowSeconds: number): Record<string, unknown> {
  const moved = { ...claims };
  for (const claim of ["iat", "nbf", "exp"]) {
    const value = moved[claim];
    if (typeof value === "number") moved[claim] = value - CORPUS_NOW + nowSeconds;
  }
  return moved;
}

const cases = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((file) => [file, JSON.parse(readFileSync(join(CORPUS, file), "utf8")) as Case] as const);

describe("platform tokens: serve and explain agree with the corpus (S-T1…S-T8)", () => {
  let upstream: TestUpstream;
  let clientKey: CryptoKey;
  const texts = {} as Record<PolicyName, string>;
  const runtimes = {} as Record<PolicyName, RuntimeHandle>;
  const logs: LogLines[] = [];
  const hosts = new Map<string, string>();

  before(async () => {
    upstream = await startUpstream();
    const pair = await generateKeyPair("ES512", { extractable: true });
    clientKey = pair.privateKey;
    const keyFile = join(tempDir(), "app-1.pem");
    writeFileSync(keyFile, await exportSPKI(pair.publicKey));
    for (const name of POLICIES) {
      const file = `${name}.rampart`;
      texts[name] = readFileSync(join(CORPUS, file), "utf8").replaceAll(
        "http://127.0.0.1:9",
        upstream.url,
      );
      const checked = checkPolicySource({ name: file, text: texts[name] });
      assert.ok(checked.effective, JSON.stringify(checked.diagnostics));
      for (const t of checked.effective.tunnels) hosts.set(t.id, t.hosts[0] ?? "");
      const started = await startTestRuntime([compilePolicy(checked.effective)], {
        tokens: {
          secret: SECRET,
          publicKeys: [{ file: keyFile, alg: "ES512", clientId: "app-1" }],
        },
        accessLog: { enabled: true, sampleRate: 1 },
      });
      runtimes[name] = started.runtime;
      logs.push(started.lines);
    }
  });
  after(async () => {
    for (const runtime of Object.values(runtimes)) await runtime.close();
    await upstream.close();
  });

  /** The claims signed as the case says: the operator's secret, or the client's P-521 key. */
  const sign = (c: Case, claims: Record<string, unknown>): Promise<string> =>
    c.signer === "secret"
      ? new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(Buffer.from(SECRET))
      : new SignJWT(claims).setProtectedHeader({ alg: "ES512" }).sign(clientKey);

  /** `rampart explain --action` in JSON: the JWT verified with the secret, else its claims. */
  const explain = async (
    policy: PolicyName,
    action: string,
    c: Case,
    jwt: string,
    claims: Record<string, unknown>,
  ): Promise<{ status: number; json: Record<string, unknown> | null }> => {
    const path = `${policy}.rampart`;
    const io = memoryIo({ [path]: texts[policy] });
    // `explain` verifies with the shared secret only: a client-signed token goes as claims.
    const token = c.signer === "secret" ? jwt : JSON.stringify(claims);
    const status = await main(
      ["explain", path, "--action", action, "--token", token, "--format", "json"],
      { ...io, env: { RAMPART_TOKEN_SECRET: SECRET } },
    );
    const out = io.stdout.join("");
    assert.equal(out.includes(jwt), false, "explain never prints the token");
    return { status, json: status === 0 ? (JSON.parse(out) as Record<string, unknown>) : null };
  };

  /** A GET with the token in the `Authorization` header, to `tunnel` under `policy`. */
  const connect = (policy: PolicyName, tunnel: string, jwt: string, path = "/") =>
    send({
      port: runtimes[policy].addresses.http?.port ?? 0,
      host: hosts.get(tunnel) ?? "",
      path,
      headers: { authorization: `Bearer ${jwt}` },
    });

  /** Valid or invalid on the wire and in explain, as the case expects. */
  const checkValidity = async (c: Case, jwt: string, claims: Record<string, unknown>) => {
    if ("valid" in c.expect) {
      // Whatever a valid token may reach, it is never refused as a token.
      const reply = await connect("members", "api", jwt);
      assert.ok([200, 403].includes(reply.status), `${reply.status} ${reply.body}`);
      return;
    }
    const expected = c.expect.invalid;
    const asAWhole = WHOLE_TOKEN_FAILURES.has(expected);
    for (const policy of POLICIES) {
      // The 401 must be for the reason the case names, not for any other.
      const reply = await connect(policy, "api", jwt);
      assert.equal(reply.status, 401, `${policy}: ${reply.body}`);
      const challenge = String(reply.headers["www-authenticate"] ?? "");
      assert.match(challenge, /^Bearer realm="rampart", error="invalid_token"/, policy);
      const description = /error_description="([^"]*)"/.exec(challenge)?.[1] ?? null;
      if (asAWhole) {
        // Only a malformed claim set is described: a description here is another failure.
        assert.equal(description, null, `${policy}: ${challenge}`);
      } else {
        assert.ok(description?.includes(expected), `${policy}: "${expected}" in ${challenge}`);
      }
      const explained = await explain(policy, "watch", c, jwt, claims);
      assert.equal(explained.status, 0, policy);
      // `explain` has no key of the client: given the claims, it cannot see a bad signature.
      if (expected === "bad_signature" && c.signer !== "secret") {
        assert.equal(explained.json?.["allow"], false, policy);
        continue;
      }
      assert.equal(explained.json?.["rule"], "token", policy);
      const status = asAWhole ? expected : "malformed";
      assert.match(String(explained.json?.["message"]), new RegExp(`\\(${status}\\)$`), policy);
    }
  };

  /** One decision of the case: `connect` on the wire, `list` and `watch` through explain. */
  const checkDecision = async (
    d: Decision,
    c: Case,
    jwt: string,
    claims: Record<string, unknown>,
  ) => {
    const what = `${d.action} ${d.tunnel ?? ""}${d.path ?? ""} on ${d.policy}`;
    if (d.action === "connect") {
      const reply = await connect(d.policy, d.tunnel ?? "", jwt, d.path);
      assert.equal(reply.status === 200, d.allow, `${what}: ${reply.status} ${reply.body}`);
      if (!d.allow) assert.ok([401, 403].includes(reply.status), what);
      return;
    }
    // `create` needs a proposed tunnel on a free host: the corpus test decides it.
    if (d.action === "create") return;
    const explained = await explain(d.policy, d.action, c, jwt, claims);
    assert.equal(explained.status, 0, what);
    const json = explained.json ?? {};
    const allowed =
      d.action === "watch"
        ? json["allow"] === true
        : (json["visible"] as { id: string }[]).some((v) => v.id === d.tunnel);
    assert.equal(allowed, d.allow, what);
  };

  const sent: string[] = [];
  for (const [file, c] of cases) {
    it(file, async () => {
      const claims = onRealClock(c.claims, Math.floor(Date.now() / 1000));
      const jwt = await sign(c, claims);
      sent.push(jwt);
      await checkValidity(c, jwt, claims);
      for (const d of c.decisions ?? []) await checkDecision(d, c, jwt, claims);
    });
  }

  it("no token appears in serve's logs", () => {
    assert.ok(sent.length === cases.length);
    const logged = JSON.stringify(logs);
    for (const jwt of sent) assert.equal(logged.includes(jwt.split(".")[2] ?? jwt), false);
  });
});
