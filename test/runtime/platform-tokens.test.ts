// The platform-token corpus (issue #15 items 1 and 2; S-T1, S-T3, S-T4, S-T8): every claim set
// in fixtures/tokens/platform/*.json is signed as its case says, verified by the JWT backend,
// and must give the decisions it lists on the two small policies beside it — `connect`
// through the compiled request decision, `create`, `list` and `watch` through the compiled
// control plane, each AND the interpreter (which must agree), ownership (S-T8) included.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT, exportSPKI, generateKeyPair } from "jose";
import type { CryptoKey } from "jose";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import type { EffectivePolicy, EffectiveTunnel } from "../../src/bounds/effective.ts";
import type { ControlDecision } from "../../src/bounds/control-verdicts.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { compileControlPlane } from "../../src/compile/control-plane.ts";
import type { ControlPlane } from "../../src/compile/control-plane.ts";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import {
  interpretCreate,
  interpretList,
  interpretWatch,
} from "../../src/interpret/control-plane.ts";
import { interpret } from "../../src/interpret/request.ts";
import type { TokenFacts } from "../../src/ir/facts.ts";
import { JwtBackend } from "../../src/runtime/tokens/jwt-backend.ts";
import { loadPinnedKeys } from "../../src/runtime/tokens/keys.ts";
import type { TokenOptions } from "../../src/runtime/options.ts";
import { requestFacts } from "../../src/testkit/builders.ts";
import { tempDir } from "./helpers/certs.ts";

const CORPUS = join(import.meta.dirname, "..", "..", "fixtures", "tokens", "platform");
const SECRET = "community-secret-0123456789abcdef-0123456789";
const NOW = 1_800_000_000;

interface Decision {
  readonly policy: "members" | "open";
  readonly action: "connect" | "create" | "list" | "watch";
  /** The tunnel decided on; `watch` names none (it is decided for the policy's project). */
  readonly tunnel?: string;
  readonly path?: string;
  readonly allow: boolean;
}

interface Case {
  readonly about: string;
  readonly signer: string;
  readonly claims: Record<string, unknown>;
  readonly expect: { readonly valid: true } | { readonly invalid: string };
  readonly decisions?: readonly Decision[];
}

interface LoadedPolicy {
  readonly effective: EffectivePolicy;
  readonly compiled: CompiledPolicy;
  readonly plane: ControlPlane;
}

function loadPolicy(file: string): LoadedPolicy {
  const checked = checkPolicySource({ name: file, text: readFileSync(join(CORPUS, file), "utf8") });
  assert.ok(checked.effective, JSON.stringify(checked.diagnostics));
  const effective = checked.effective;
  return { effective, compiled: compilePolicy(effective), plane: compileControlPlane(effective) };
}

/**
 * `create` (a tunnel with `tunnel`'s properties), `list` (is `tunnel` visible) or `watch`,
 * from the compiled control plane, checked equal to the interpreter's verdict.
 */
function controlAllows(
  policy: LoadedPolicy,
  token: TokenFacts,
  action: "create" | "list" | "watch",
  tunnel: EffectiveTunnel | undefined,
  what: string,
): boolean {
  const { effective, plane } = policy;
  let fast: ControlDecision;
  if (action === "watch") {
    fast = plane.watch(token);
    assert.deepEqual(fast, interpretWatch(effective, token), `compiled ≠ interpreter: ${what}`);
    return fast.allow;
  }
  assert.ok(tunnel !== undefined, what);
  if (action === "create") {
    fast = plane.create(token, tunnel);
    assert.deepEqual(
      fast,
      interpretCreate(effective, token, tunnel),
      `compiled ≠ interpreter: ${what}`,
    );
    return fast.allow;
  }
  const listed = plane.list(token);
  assert.deepEqual(listed, interpretList(effective, token), `compiled ≠ interpreter: ${what}`);
  return listed.visible.some((v) => v.tunnel === tunnel);
}

const cases = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((file) => [file, JSON.parse(readFileSync(join(CORPUS, file), "utf8")) as Case] as const);

describe("platform-token corpus (issue #15; S-T1, S-T3, S-T4, S-T8)", () => {
  let backend: JwtBackend;
  let clientKey: CryptoKey;
  const policies = { members: loadPolicy("members.rampart"), open: loadPolicy("open.rampart") };

  before(async () => {
    const pair = await generateKeyPair("ES512", { extractable: true });
    clientKey = pair.privateKey;
    const keyFile = join(tempDir(), "app-1.pem");
    writeFileSync(keyFile, await exportSPKI(pair.publicKey));
    const options: TokenOptions = {
      secret: SECRET,
      publicKeys: [{ file: keyFile, alg: "ES512", clientId: "app-1" }],
      clockSkewSeconds: 300,
      cacheSize: 0,
    };
    const diagnostics: unknown[] = [];
    backend = new JwtBackend(
      loadPinnedKeys(options, diagnostics as never),
      options,
      () => NOW * 1000,
    );
    assert.deepEqual(diagnostics, []);
  });

  const sign = (c: Case): Promise<string> =>
    c.signer === "secret"
      ? new SignJWT(c.claims).setProtectedHeader({ alg: "HS256" }).sign(Buffer.from(SECRET))
      : new SignJWT(c.claims).setProtectedHeader({ alg: "ES512" }).sign(clientKey);

  it("holds at least one case of every platform shape", () => {
    const types = new Set(cases.map(([, c]) => c.claims["type"]));
    assert.deepEqual([...types].sort(), ["app", "auth", "pat"]);
    assert.ok(cases.length >= 20);
  });

  for (const [file, c] of cases) {
    it(`${file}: ${c.about}`, async () => {
      const token = await backend.verify(await sign(c), "header");
      if ("invalid" in c.expect) {
        assert.notEqual(token.status, "valid");
        const said = `${token.status} ${token.detail ?? ""}`;
        assert.ok(said.includes(c.expect.invalid), `expected "${c.expect.invalid}" in "${said}"`);
      } else {
        assert.equal(token.status, "valid", token.detail ?? "");
      }
      for (const d of c.decisions ?? []) {
        const policy = policies[d.policy];
        const tunnel = policy.effective.tunnels.find((t) => t.id === d.tunnel);
        const what = `${d.action} ${d.tunnel ?? ""}${d.path ?? ""} on ${d.policy}`;
        if (d.action !== "connect") {
          assert.equal(controlAllows(policy, token, d.action, tunnel, what), d.allow, what);
          continue;
        }
        assert.ok(tunnel !== undefined, what);
        const host = tunnel.hosts[0] ?? "";
        const facts = requestFacts({ host, path: d.path ?? "/", token });
        const fast = policy.compiled.request(facts);
        assert.deepEqual(
          fast,
          interpret(policy.effective, facts),
          `compiled ≠ interpreter: ${what}`,
        );
        assert.equal(fast.outcome === "forward", d.allow, `${what}: ${fast.message}`);
        if (!d.allow) assert.equal(fast.status, token.status === "valid" ? 403 : 401, what);
      }
    });
  }
});
