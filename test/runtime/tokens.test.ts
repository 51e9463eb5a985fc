import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from "jose";
import type { CryptoKey } from "jose";
import type { GrantIr } from "../../src/ir/types.ts";
import { equalIr } from "../../src/ir/equal.ts";
import { lowerGrantClaims } from "../../src/ir/grant-from-claims.ts";
import { JwtBackend } from "../../src/runtime/tokens/jwt-backend.ts";
import { loadPinnedKeys } from "../../src/runtime/tokens/keys.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { grantToClaims } from "../../src/runtime/tokens/grant-to-claims.ts";
import type { TokenOptions } from "../../src/runtime/options.ts";
import { tempDir } from "./helpers/certs.ts";

const SECRET = "community-secret-0123456789abcdef-0123456789";
const NOW = 1_800_000_000;
const clock = { ms: NOW * 1000 };
const now = (): number => clock.ms;

const baseOptions = (extra: Partial<TokenOptions> = {}): TokenOptions => ({
  publicKeys: [],
  clockSkewSeconds: 300,
  cacheSize: 100,
  ...extra,
});

function backendFor(options: TokenOptions): JwtBackend {
  const diagnostics: { code: string }[] = [];
  const keys = loadPinnedKeys(options, diagnostics as never);
  assert.deepEqual(diagnostics, []);
  return new JwtBackend(keys, options, now);
}

const apiGrant: GrantIr = {
  name: "api",
  type: null,
  parent: null,
  expiresAt: null,
  permissions: ["tunnels.streams.create-delete"],
  resources: {
    kind: "leaf",
    workspaces: null,
    projects: ["acme"],
    create: null,
    list: null,
    connect: {
      filter: { kind: "string", field: "id", match: { kind: "exact", value: "api" } },
      path: { kind: "prefix", values: ["/api"] },
      methods: ["GET"],
      select: null,
    },
  },
  spans: {},
};

const hs = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(Buffer.from(secret));

describe("token verification (issue #5 item 3, S-T1, S-H2)", () => {
  const hsBackend = backendFor(baseOptions({ secret: SECRET }));

  it("S-T1: accepts a community HS256 token and lowers its grant", async () => {
    const minted = await mintToken({
      secret: SECRET,
      grant: apiGrant,
      lifetimeSeconds: 600,
      subject: "u1",
      now,
    });
    assert.ok(minted.value);
    const facts = await hsBackend.verify(minted.value, "header");
    assert.equal(facts.status, "valid");
    assert.equal(facts.type, "pat");
    assert.equal(facts.subject, "u1");
    assert.equal(facts.lifetimeSeconds, 600);
    assert.deepEqual(facts.grant?.permissions, ["tunnels.streams.create-delete"]);
    assert.ok(facts.grant !== null && equalIr(facts.grant.resources, apiGrant.resources));
  });

  it("S-T1: honours exp and nbf with ±300 s of skew", async () => {
    const t = (claims: Record<string, unknown>) => hs({ type: "pat", iat: NOW - 1000, ...claims });
    assert.equal((await hsBackend.verify(await t({ exp: NOW - 200 }), "header")).status, "valid");
    assert.equal((await hsBackend.verify(await t({ exp: NOW - 400 }), "header")).status, "expired");
    assert.equal((await hsBackend.verify(await t({ nbf: NOW + 200 }), "header")).status, "valid");
    assert.equal(
      (await hsBackend.verify(await t({ nbf: NOW + 400 }), "header")).status,
      "not_yet_valid",
    );
  });

  it("S-T1: refuses a token issued more than 300 s in the future, and never keeps that verdict", async () => {
    // A leaked application secret could otherwise mint a token dated next year: valid now,
    // living far past its 3600 s, and issued after any credential cut-off taken today.
    const backend = backendFor(baseOptions({ secret: SECRET }));
    const app = (iat: number) =>
      hs({ type: "app", clientId: "c", permissions: null, iat, exp: iat + 60 });
    const later = await app(NOW + 86_400 * 365);
    assert.equal((await backend.verify(later, "header")).status, "not_yet_valid");
    assert.equal((await backend.verify(await app(NOW + 301), "header")).status, "not_yet_valid");
    assert.equal((await backend.verify(await app(NOW + 300), "header")).status, "valid");
    const auth = await hs({
      type: "auth",
      userId: "u",
      permissions: null,
      iat: NOW + 3600,
      exp: NOW + 3660,
    });
    assert.equal((await backend.verify(auth, "query")).status, "not_yet_valid");
    assert.equal(backend.cached.failed, 0, "a time-based refusal is not kept");
    clock.ms = (NOW + 86_400 * 365) * 1000;
    try {
      assert.equal((await backend.verify(later, "header")).status, "valid");
    } finally {
      clock.ms = NOW * 1000;
    }
  });

  it("S-T1: a kept verdict expires at the very second a fresh verification does", async () => {
    const token = await hs({ type: "pat", iat: NOW, exp: NOW + 10 });
    const cached = backendFor(baseOptions({ secret: SECRET }));
    const fresh = backendFor(baseOptions({ secret: SECRET, cacheSize: 0 }));
    assert.equal((await cached.verify(token, "header")).status, "valid");
    for (const [at, status] of [
      [NOW + 10 + 299, "valid"],
      [NOW + 10 + 300, "expired"],
    ] as const) {
      clock.ms = at * 1000;
      try {
        assert.equal((await fresh.verify(token, "header")).status, status, `fresh at ${at}`);
        assert.equal((await cached.verify(token, "header")).status, status, `kept at ${at}`);
      } finally {
        clock.ms = NOW * 1000;
      }
    }
  });

  it("S-T1: `aud` as a string or an array, against a configured audience", async () => {
    const backend = backendFor(baseOptions({ secret: SECRET, audience: "rampart" }));
    const check = async (aud: unknown) =>
      (await backend.verify(await hs({ type: "pat", sub: "u", aud }), "header")).status;
    assert.equal(await check("rampart"), "valid");
    assert.equal(await check(["engine.example", "rampart"]), "valid");
    assert.equal(await check(["engine.example"]), "malformed");
    assert.equal(await check("rampart-other"), "malformed");
    assert.equal((await backend.verify(await hs({ type: "pat" }), "header")).status, "malformed");
    // Without a configured audience, `aud` is the issuer's business: any shape the SDK writes.
    const open = backendFor(baseOptions({ secret: SECRET }));
    for (const aud of ["x", ["x", "y"]])
      assert.equal((await open.verify(await hs({ type: "pat", aud }), "header")).status, "valid");
  });

  it("a cached valid token turns expired when its time passes", async () => {
    const token = await hs({ type: "pat", iat: NOW, exp: NOW + 10 });
    assert.equal((await hsBackend.verify(token, "header")).status, "valid");
    clock.ms = (NOW + 10 + 301) * 1000;
    try {
      assert.equal((await hsBackend.verify(token, "query")).status, "expired");
    } finally {
      clock.ms = NOW * 1000;
    }
  });

  it("refuses a token signed with another key", async () => {
    const token = await hs({ type: "pat" }, "another-secret-0123456789abcdef-0123456789");
    assert.equal((await hsBackend.verify(token, "header")).status, "bad_signature");
  });

  it("refuses `alg: none`", async () => {
    const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const token = `${enc({ alg: "none", typ: "JWT" })}.${enc({ type: "pat" })}.`;
    const facts = await hsBackend.verify(token, "header");
    assert.notEqual(facts.status, "valid");
    assert.equal(facts.grant, null);
  });

  it("refuses garbage and oversized tokens as malformed", async () => {
    assert.equal((await hsBackend.verify("not.a.jwt", "header")).status, "malformed");
    assert.equal((await hsBackend.verify("x".repeat(20_000), "header")).status, "malformed");
  });

  it("S-T1: ignores unknown top-level claims, refuses bad app lifetimes and malformed grants", async () => {
    const check = async (claims: Record<string, unknown>) =>
      (await hsBackend.verify(await hs(claims), "header")).status;
    // RFC 7519 §4: an unknown top-level claim is ignored (and never used), not refused.
    assert.equal(await check({ type: "pat", admin: true }), "valid");
    assert.equal(await check({ type: "robot" }), "malformed");
    const app = { type: "app", clientId: "c", permissions: null, iat: NOW };
    assert.equal(await check({ ...app, exp: NOW + 3601 }), "malformed");
    assert.equal(await check({ ...app, exp: NOW + 3600 }), "valid");
    assert.equal(
      await check({
        type: "pat",
        resources: { tunnels: { scopes: { tunnels: { connect: "yes" } } } },
      }),
      "malformed",
    );
    assert.equal(
      await check({
        type: "pat",
        resources: {
          tunnels: { scopes: { tunnels: { connect: { params: { path: { regex: "(a+)+$" } } } } } },
        },
      }),
      "malformed",
    );
    assert.equal(await check({ type: "pat", resources: null, permissions: null }), "valid");
  });

  it("S-T2: an app or auth token without its permissions claim is malformed; a PAT needs none", async () => {
    // The platform's app and auth claim sets require `permissions` (PLATFORM-FORMATS §2.2), and
    // only an explicit `null` means everything: an absent key read as `null` would widen.
    const check = async (claims: Record<string, unknown>) =>
      (await hsBackend.verify(await hs(claims), "header")).status;
    const app = { type: "app", clientId: "c", iat: NOW, exp: NOW + 60 };
    const auth = { type: "auth", userId: "u", exp: NOW + 60 };
    assert.equal(await check(app), "malformed");
    assert.equal(await check(auth), "malformed");
    assert.equal(await check({ ...app, permissions: null }), "valid");
    assert.equal(await check({ ...auth, permissions: [] }), "valid");
    assert.equal(await check({ type: "pat" }), "valid");
  });

  it("S-T2: another surface's permission is one of its documented shape; anything else is invalid", async () => {
    const check = async (permissions: string[]) =>
      (await hsBackend.verify(await hs({ type: "pat", permissions }), "header")).status;
    assert.equal(await check(["account.plan.read-only", "turn.relay.allocate"]), "valid");
    assert.equal(await check(["network.webtty-servers.read-write"]), "valid");
    // A misspelled engine permission would grant nothing without a word: refuse it instead.
    assert.equal(await check(["Tunnels.tunnels.create-delete"]), "malformed");
    assert.equal(await check(["tunnel.streams.create-delete"]), "malformed");
    assert.equal(await check(["tunnels.streams.create"]), "malformed");
    assert.equal(await check(["Account.plan.read-only"]), "malformed");
    // A control character would reach the terminal through `token inspect` or a refusal.
    assert.equal(await check(["account.plan\u001b[2J"]), "malformed");
    assert.equal(await check(["turn.relay.allocate\u0000"]), "malformed");
  });

  describe("public keys", () => {
    let ed: { privateKey: CryptoKey; publicKey: CryptoKey };
    let es: { privateKey: CryptoKey; publicKey: CryptoKey };
    let edFile: string;
    let esFile: string;
    before(async () => {
      ed = await generateKeyPair("EdDSA", { crv: "Ed25519" });
      es = await generateKeyPair("ES256");
      const dir = tempDir();
      edFile = join(dir, "ed.pem");
      esFile = join(dir, "es.pem");
      writeFileSync(edFile, await exportSPKI(ed.publicKey));
      writeFileSync(esFile, await exportSPKI(es.publicKey));
    });

    it("verifies EdDSA and ES256 tokens against pinned public keys", async () => {
      const backend = backendFor(
        baseOptions({
          publicKeys: [
            { file: edFile, alg: "EdDSA" },
            { file: esFile, alg: "ES256" },
          ],
        }),
      );
      const edToken = await new SignJWT({
        type: "auth",
        userId: "u",
        permissions: null,
        exp: NOW + 60,
      })
        .setProtectedHeader({ alg: "EdDSA" })
        .sign(ed.privateKey);
      const esToken = await new SignJWT({ type: "pat" })
        .setProtectedHeader({ alg: "ES256" })
        .sign(es.privateKey);
      assert.equal((await backend.verify(edToken, "header")).status, "valid");
      assert.equal((await backend.verify(esToken, "header")).status, "valid");
    });

    it("refuses algorithm confusion: HS256 signed with the public key's bytes", async () => {
      const backend = backendFor(baseOptions({ publicKeys: [{ file: esFile, alg: "ES256" }] }));
      const pem = await exportSPKI(es.publicKey);
      const token = await hs({ type: "pat" }, pem);
      assert.equal((await backend.verify(token, "header")).status, "bad_signature");
    });

    it("refuses a key file whose type does not match its algorithm (RP6011)", () => {
      const diagnostics: { code: string }[] = [];
      loadPinnedKeys(
        baseOptions({ publicKeys: [{ file: edFile, alg: "ES256" }] }),
        diagnostics as never,
      );
      assert.equal(diagnostics[0]?.code, "RP6011");
    });

    it("verifies against a JWKS served on loopback, with issuer and audience", async () => {
      const jwk = { ...(await exportJWK(es.publicKey)), kid: "k1", alg: "ES256" };
      const server = createServer((_req, res) =>
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ keys: [jwk] })),
      );
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
        const backend = backendFor(
          baseOptions({ jwksUrl: url, issuer: "https://issuer.test", audience: "rampart" }),
        );
        const sign = (iss: string) =>
          new SignJWT({ type: "pat" })
            .setProtectedHeader({ alg: "ES256", kid: "k1" })
            .setIssuer(iss)
            .setAudience("rampart")
            .sign(es.privateKey);
        assert.equal(
          (await backend.verify(await sign("https://issuer.test"), "header")).status,
          "valid",
        );
        assert.equal(
          (await backend.verify(await sign("https://evil.test"), "header")).status,
          "malformed",
        );
      } finally {
        server.close();
      }
    });
  });
});

describe("minting (issue #5 item 3, S-H8, S-T6)", () => {
  it("round-trips a grant through claims", () => {
    const claims = grantToClaims(apiGrant);
    const lowered = lowerGrantClaims(claims, "api");
    assert.ok("grant" in lowered);
    assert.ok(equalIr(lowered.grant, apiGrant));
  });

  it("S-H8: refuses a derived token that widens its parent (RP6013)", async () => {
    const parent = await mintToken({ secret: SECRET, grant: apiGrant, lifetimeSeconds: 600, now });
    assert.ok(parent.value);
    const wider: GrantIr = {
      ...apiGrant,
      name: "wider",
      permissions: ["tunnels.streams.create-delete", "tunnels.tunnels.create-delete"],
    };
    const refused = await mintToken({
      secret: SECRET,
      grant: wider,
      parentToken: parent.value,
      now,
    });
    assert.equal(refused.value, undefined);
    assert.equal(refused.diagnostics[0]?.code, "RP6013");
  });

  it("S-T6: a narrowing derived token is minted and never outlives its parent", async () => {
    const parent = await mintToken({ secret: SECRET, grant: apiGrant, lifetimeSeconds: 600, now });
    assert.ok(parent.value);
    const child = await mintToken({
      secret: SECRET,
      grant: { ...apiGrant, name: "child" },
      type: "auth",
      userId: "u",
      lifetimeSeconds: 3000,
      parentToken: parent.value,
      now,
    });
    assert.ok(child.value, JSON.stringify(child.diagnostics));
    const payload = JSON.parse(
      Buffer.from(child.value.split(".")[1] ?? "", "base64url").toString(),
    ) as { exp: number };
    assert.equal(payload.exp, NOW + 600);
    const narrower = await mintToken({
      secret: SECRET,
      grant: { ...apiGrant, name: "open", permissions: null, resources: null },
      parentToken: parent.value,
      now,
    });
    assert.ok(narrower.value);
    const facts = await new JwtBackend(
      loadPinnedKeys(baseOptions({ secret: SECRET }), []),
      baseOptions({ secret: SECRET }),
      now,
    ).verify(narrower.value, "header");
    assert.deepEqual(
      facts.grant?.permissions,
      ["tunnels.streams.create-delete"],
      "an open child carries the parent's limits",
    );
  });

  it("refuses an app token longer than 3600 s and a short secret", async () => {
    assert.equal(
      (
        await mintToken({
          secret: SECRET,
          grant: apiGrant,
          type: "app",
          clientId: "c",
          lifetimeSeconds: 7200,
          now,
        })
      ).diagnostics[0]?.code,
      "RP6014",
    );
    assert.equal(
      (await mintToken({ secret: "short", grant: apiGrant, now })).diagnostics[0]?.code,
      "RP6014",
    );
  });
});
