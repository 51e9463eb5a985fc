// Tokens Rampart mints (issue #15 item 5): accepted by Rampart, narrowed to the policy's project
// (S-T8), and with --platform only claims the platform itself accepts (RP6040 otherwise).
// Also bounded work per token (issue #18 item 5): a boundary nested far too deep is a 401 with
// its reason from a real server, never a 500.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeJwt, SignJWT } from "jose";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { main } from "../../src/cli/main.ts";
import { memoryIo } from "../../src/cli/io.ts";
import type { GrantIr } from "../../src/ir/types.ts";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { JwtBackend } from "../../src/runtime/tokens/jwt-backend.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { MAX_BOUNDARY_DEPTH } from "../../src/runtime/tokens/boundary-limits.ts";
import { TUNNEL_INVENTORY_FIELDS } from "../../src/runtime/tokens/tunnel-fields.ts";
import { compilePolicy } from "../../src/compile/compile-policy.ts";
import { requestFacts } from "../../src/testkit/builders.ts";
import { send } from "./helpers/http.ts";
import { compiledPolicy, effectivePolicy, tunnel, withToken } from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import { startUpstream } from "./helpers/upstream.ts";
import type { TestUpstream } from "./helpers/upstream.ts";

const SECRET = "community-secret-0123456789abcdef-0123456789";

const POLICY = `
project "p1" {
  workspace "w1"
  plan enterprise
}

tunnel "api" {
  labels { env = "prod" }
  protocol http
  hosts ["api.p1.test"]
  public
  upstream "http://127.0.0.1:9"
  auth token
}

grant "platform-shaped" {
  type auth
  permissions [tunnels.streams.create-delete, tunnels.resources.read-only]
  resources any {
    scope {
      connect where labels.env = "prod" { path ~ "^/api" }
    }
    scope {
      list where protocol = "http" { select ["id", "name"] }
    }
  }
}

grant "with-extensions" {
  type pat
  permissions [tunnels.streams.create-delete]
  resources scope {
    connect { path prefix ["/api"] methods [GET] }
  }
}
`;

const checked = checkPolicySource({ name: "mint.rampart", text: POLICY });
const policy = checked.effective;
assert.ok(policy !== undefined, JSON.stringify(checked.diagnostics));
const grant = (name: string): GrantIr => {
  const g = policy.grants[name];
  assert.ok(g !== undefined);
  return g;
};

/** The platform's grammar (PLATFORM-FORMATS §2.2, §3.1): strict objects, the keys each allows. */
const PLATFORM_KEYS: Readonly<Record<string, readonly string[]>> = {
  common: ["type", "aud", "exp", "iat", "iss", "jti", "nbf", "sub", "metadata", "resources"],
  auth: ["userId", "permissions", "sourceCredentialId", "sourceCredentialUpdatedAt"],
  app: ["clientId", "permissions"],
  pat: ["tokendpoint", "token_endpoint"],
};

/** Where a claim set leaves the platform's grammar; empty when the platform accepts it. */
function platformProblems(claims: Record<string, unknown>): string[] {
  const allowed = [
    ...(PLATFORM_KEYS["common"] ?? []),
    ...(PLATFORM_KEYS[String(claims["type"])] ?? []),
  ];
  const problems = Object.keys(claims)
    .filter((k) => !allowed.includes(k))
    .map((k) => `claim ${k}`);
  const walk = (node: unknown, where: string): void => {
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (["methods", "prefix", "glob"].includes(key)) problems.push(`${where}/${key}`);
      if (key === "select") {
        if (Array.isArray(value)) problems.push(`${where}/select is a list`);
        else if (Object.keys(value as object).some((f) => !TUNNEL_INVENTORY_FIELDS.includes(f)))
          problems.push(`${where}/select field`);
      }
      walk(value, `${where}/${key}`);
    }
  };
  walk(claims["resources"], "resources");
  return problems;
}

describe("rampart token mint (issue #15 item 5)", () => {
  it("--platform mints only what the platform accepts, and Rampart accepts it too", async () => {
    const minted = await mintToken({
      secret: SECRET,
      grant: grant("platform-shaped"),
      userId: "u1",
      clientId: "not-for-auth",
      project: "p1",
      platform: true,
    });
    assert.ok(minted.value !== undefined, JSON.stringify(minted.diagnostics));
    const claims = decodeJwt(minted.value) as Record<string, unknown>;
    assert.deepEqual(platformProblems(claims), []);
    assert.equal(claims["clientId"], undefined);
    const options = { secret: SECRET, publicKeys: [], clockSkewSeconds: 300, cacheSize: 0 };
    const backend = new JwtBackend(
      [
        {
          alg: "HS256",
          key: (await import("node:crypto")).createSecretKey(Buffer.from(SECRET)),
          label: "secret",
          clientId: null,
        },
      ],
      options,
    );
    const token = await backend.verify(minted.value, "header");
    assert.equal(token.status, "valid", token.detail ?? "");
    // Narrowed to p1 (S-T8): accepted on a project that names no members.
    const engine = compilePolicy(policy);
    const facts = (path: string) => requestFacts({ host: "api.p1.test", path, token });
    assert.equal(engine.request(facts("/api/x")).outcome, "forward");
    assert.equal(engine.request(facts("/other")).status, 403);
  });

  it("--platform refuses a grant that needs Rampart's extensions, naming each (RP6040)", async () => {
    const minted = await mintToken({
      secret: SECRET,
      grant: grant("with-extensions"),
      subject: "u1",
      project: "p1",
      platform: true,
    });
    assert.equal(minted.value, undefined);
    const [d] = minted.diagnostics;
    assert.equal(d?.code, "RP6040");
    assert.match(d.message, /HTTP methods \(GET\)/);
    assert.match(d.message, /prefix \(\/api\)/);
    assert.match(d.message, /PAT carries no `permissions`/);
    // Without --platform the same grant mints, with its extensions, and Rampart reads it.
    const plain = await mintToken({
      secret: SECRET,
      grant: grant("with-extensions"),
      project: "p1",
    });
    assert.ok(plain.value !== undefined, JSON.stringify(plain.diagnostics));
  });

  it("the CLI passes --platform and reports RP6040 (exit 1)", async () => {
    const io = memoryIo({ "/mint.rampart": POLICY });
    const env = io.env as Record<string, string>;
    env["RAMPART_TOKEN_SECRET"] = SECRET;
    const code = await main(
      ["token", "mint", "/mint.rampart", "--grant", "with-extensions", "--platform"],
      io,
    );
    assert.equal(code, 1);
    assert.match(io.stderr.join("") + io.stdout.join(""), /RP6040/);
    const ok = memoryIo({ "/mint.rampart": POLICY });
    (ok.env as Record<string, string>)["RAMPART_TOKEN_SECRET"] = SECRET;
    const args = ["token", "mint", "/mint.rampart", "--grant", "platform-shaped"];
    assert.equal(await main([...args, "--platform", "--user-id", "u1"], ok), 0);
    const claims = decodeJwt(ok.stdout.join("").trim()) as Record<string, unknown>;
    assert.deepEqual(platformProblems(claims), []);
  });
});

describe("bounded work per token (issue #18 item 5)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let port: number;

  before(async () => {
    upstream = await startUpstream();
    const effective = effectivePolicy([
      withToken(tunnel({ id: "api", hosts: ["api.test"], upstream: upstream.url })),
    ]);
    ({ runtime } = await startTestRuntime([compiledPolicy(effective)], {
      tokens: { secret: SECRET },
    }));
    port = runtime.addresses.http?.port ?? 0;
  });
  after(async () => {
    await runtime.close();
    await upstream.close();
  });

  const withBoundary = (tunnels: unknown) =>
    new SignJWT({ type: "pat", sub: "u1", resources: { tunnels } })
      .setProtectedHeader({ alg: "HS256" })
      .sign(Buffer.from(SECRET));

  it("a boundary nested a thousand deep is 401 invalid_token with the reason, not a 500", async () => {
    let tree: unknown = { projects: ["acme"] };
    for (let i = 0; i < 1_000; i++) tree = { OR: [tree] };
    const reply = await send({
      port,
      host: "api.test",
      path: "/",
      headers: { authorization: `Bearer ${await withBoundary(tree)}` },
    });
    assert.equal(reply.status, 401);
    assert.equal(reply.body, '{"error":{"reason":"invalid_token"}}');
    assert.match(
      String(reply.headers["www-authenticate"]),
      new RegExp(
        `error_description="the token's boundary nests deeper than ${MAX_BOUNDARY_DEPTH} levels"`,
      ),
    );
  });

  it("too many regexes and too many nodes are refused the same way", async () => {
    const regexes = {
      OR: Array.from({ length: 65 }, (_, i) => ({
        scopes: { tunnels: { connect: { params: { path: { regex: `^/r${i}` } } } } },
      })),
    };
    // Small objects, so that the token stays under the header limits.
    const wide = { OR: Array.from({ length: 2_100 }, () => ({})) };
    for (const [tree, why] of [
      [regexes, "regexes"],
      [wide, "nodes"],
    ] as const) {
      const reply = await send({
        port,
        host: "api.test",
        path: "/",
        headers: { authorization: `Bearer ${await withBoundary(tree)}` },
      });
      assert.equal(reply.status, 401, why);
      assert.match(String(reply.headers["www-authenticate"]), new RegExp(`more than \\d+ ${why}`));
    }
  });
});
