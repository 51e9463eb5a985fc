/**
 * The verdict cache of the JWT backend (issue #20 item 3): a repeated token is answered from
 * the cache, and nothing a cache hit skips can change the answer. Revocation is honoured on
 * the very next request (S-M1, through the forward-auth endpoint and a real redis-server),
 * expiry on a hit (S-T1), a JWKS refetch drops what the old key set verified (S-H2, S-R14),
 * and floods of distinct tokens stay bounded without evicting the honest user's verdict.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Registry } from "prom-client";
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from "jose";
import type { CryptoKey, JWK } from "jose";
import { JwtBackend } from "../../src/runtime/tokens/jwt-backend.ts";
import { loadPinnedKeys } from "../../src/runtime/tokens/keys.ts";
import type { PinnedKey } from "../../src/runtime/tokens/keys.ts";
import { MAX_FAILED_VERDICTS } from "../../src/runtime/tokens/verdict-cache.ts";
import type { TokenOptions } from "../../src/runtime/options.ts";
import { RedisStore } from "../../src/runtime/state-store/redis-store.ts";
import { StateStoreMetrics } from "../../src/runtime/state-store/metrics.ts";
import { startRedis } from "../integration/redis-harness.ts";
import type { RunningRedis } from "../integration/redis-harness.ts";
import { waitFor } from "../integration/fleet-harness.ts";
import { send } from "./helpers/http.ts";
import { capturingLogger, startTestRuntime } from "./helpers/runtime.ts";
import { HOSTS, TOKEN_SECRET, forwardAuthPolicy, mintApiToken } from "./forward-auth-fixture.ts";

const SECRET = "token-cache-secret-0123456789abcdef-0123456789";
const NOW = 1_800_000_000;

function backend(
  extra: Partial<TokenOptions>,
  now: () => number = Date.now,
): { backend: JwtBackend; keys: PinnedKey[] } {
  const options: TokenOptions = { publicKeys: [], clockSkewSeconds: 300, cacheSize: 100, ...extra };
  const diagnostics: unknown[] = [];
  const keys = loadPinnedKeys(options, diagnostics as never);
  assert.deepEqual(diagnostics, []);
  return { backend: new JwtBackend(keys, options, now), keys };
}

const hs = (claims: Record<string, unknown>, secret = SECRET): Promise<string> =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(Buffer.from(secret));

describe("S-T1 expiry and what is kept", () => {
  const clock = { ms: NOW * 1000 };
  const { backend: b } = backend({ secret: SECRET }, () => clock.ms);

  it("S-T1: a kept valid verdict turns expired on a hit once exp + skew has passed", async () => {
    const token = await hs({ type: "pat", iat: NOW, exp: NOW + 10 });
    assert.equal((await b.verify(token, "header")).status, "valid");
    assert.equal(b.lookup(token, "header")?.status, "valid", "kept");
    clock.ms = (NOW + 10 + 299) * 1000;
    try {
      assert.equal(b.lookup(token, "header")?.status, "valid", "still within the skew");
      // At exp + skew, as jose decides a fresh verification (`tokens.test.ts`).
      clock.ms = (NOW + 10 + 300) * 1000;
      assert.equal(b.lookup(token, "header")?.status, "expired", "the synchronous hit too");
      assert.equal((await b.verify(token, "query")).status, "expired");
    } finally {
      clock.ms = NOW * 1000;
    }
  });

  it("S-T1: keeps failures that depend on the token only, never time-dependent ones", async () => {
    const forged = await hs({ type: "pat" }, "another-secret-0123456789abcdef-0123456789");
    assert.equal((await b.verify(forged, "header")).status, "bad_signature");
    assert.equal(b.lookup(forged, "header")?.status, "bad_signature", "a forgery stays forged");
    const expired = await hs({ type: "pat", exp: NOW - 400 });
    assert.equal((await b.verify(expired, "header")).status, "expired");
    assert.equal(b.lookup(expired, "header"), undefined, "expired is decided again each time");
    const early = await hs({ type: "pat", nbf: NOW + 400 });
    assert.equal((await b.verify(early, "header")).status, "not_yet_valid");
    assert.equal(b.lookup(early, "header"), undefined, "it becomes valid with time");
  });

  it("S-R14: a forger's copy of a kept token's signature never shares its verdict", async () => {
    const token = await hs({ type: "pat", sub: "owner" });
    assert.equal((await b.verify(token, "header")).status, "valid");
    const [head, , signature] = token.split(".");
    const claims = Buffer.from(JSON.stringify({ type: "pat", sub: "forger" })).toString(
      "base64url",
    );
    const forged = `${head}.${claims}.${signature}`;
    assert.equal(b.lookup(forged, "header"), undefined, "same signature, another token: a miss");
    assert.equal((await b.verify(forged, "header")).status, "bad_signature");
    assert.equal(b.lookup(forged, "header")?.status, "bad_signature");
    assert.equal(b.lookup(token, "header")?.subject, "owner", "the owner's verdict is intact");
  });

  it("a token is answered from its own verdict only: one sharing its last segment (or lacking a dot) is a miss", async () => {
    const sharing: Record<string, string[]> = {
      abc: ["xabc", "y.abc", "ab", ""],
      "a.": ["b.", ".", "a", "a.."],
      "x.y.sig": ["sig", "x.z.sig", "x.y.si"],
    };
    for (const [token, others] of Object.entries(sharing)) {
      assert.equal((await b.verify(token, "header")).status, "malformed", token);
      assert.equal(b.lookup(token, "header")?.status, "malformed", `${token} kept`);
      for (const other of others)
        assert.equal(
          b.lookup(other, "header"),
          undefined,
          `${other}: a miss, not ${token}'s verdict`,
        );
    }
  });

  it("S-R14: tokens sharing the cache key (the last 22 characters) never share a verdict, and a failed one never displaces a valid one", async () => {
    const token = await hs({ type: "pat", sub: "owner" });
    assert.equal((await b.verify(token, "header")).status, "valid");
    const tail = token.slice(-22);
    // Same key, another token: a signed-looking forgery and plain garbage.
    const [head, payload] = token.split(".");
    const sameTail = [`${head}.${payload}.AAAA${tail}`, `garbage-${tail}`, `x${token}`];
    for (const other of sameTail) {
      assert.equal(b.lookup(other, "header"), undefined, `${other.slice(0, 12)}…: a miss`);
      assert.notEqual((await b.verify(other, "header")).status, "valid");
      assert.notEqual(b.lookup(other, "header")?.status, "valid", "kept as the failure it is");
    }
    assert.equal(b.lookup(token, "header")?.subject, "owner", "the owner's verdict is intact");
  });

  it("keeps no token longer than 4 KiB", async () => {
    const long = await hs({ type: "pat", sub: "x".repeat(1000), pad: "p".repeat(4096) });
    assert.equal((await b.verify(long, "header")).status, "valid");
    assert.equal(b.lookup(long, "header"), undefined);
  });
});

describe("floods of distinct tokens stay bounded", () => {
  it("garbage and forged tokens never evict a valid verdict and stay within their cap", async () => {
    const { backend: b } = backend({ secret: SECRET, cacheSize: 50 });
    const honest = await hs({ type: "pat", sub: "honest" });
    assert.equal((await b.verify(honest, "header")).status, "valid");
    const forger = Buffer.from("forger-secret-0123456789abcdef-0123456789");
    for (let i = 0; i < 400; i++) {
      const forged = await new SignJWT({ type: "pat", n: i })
        .setProtectedHeader({ alg: "HS256" })
        .sign(forger);
      assert.equal((await b.verify(forged, "header")).status, "bad_signature");
      assert.equal((await b.verify(`garbage-${i}`, "header")).status, "malformed");
    }
    assert.ok(b.cached.failed <= 2 * 50, `failed verdicts ${b.cached.failed} ≤ 2 × 50`);
    assert.equal(b.cached.valid, 1);
    assert.equal(b.lookup(honest, "header")?.status, "valid", "the honest verdict survives");
  });

  it("the failure cache is capped whatever the valid cache's size", async () => {
    const { backend: b } = backend({ secret: SECRET, cacheSize: 100_000 });
    for (let i = 0; i < 3 * MAX_FAILED_VERDICTS; i++) await b.verify(`not-a-jwt-${i}`, "header");
    assert.ok(b.cached.failed <= 2 * MAX_FAILED_VERDICTS, `${b.cached.failed}`);
  });

  it("distinct valid tokens stay within 2 × cacheSize; a token in use is not evicted", async () => {
    const { backend: b } = backend({ secret: SECRET, cacheSize: 40 });
    const honest = await hs({ type: "pat", sub: "honest" });
    await b.verify(honest, "header");
    for (let i = 0; i < 400; i++) {
      await b.verify(await hs({ type: "pat", sub: `flood-${i}` }), "header");
      // The honest client comes back more often than the cache's capacity turns over.
      if (i % 20 === 0) assert.equal(b.lookup(honest, "header")?.status, "valid", `after ${i}`);
    }
    assert.ok(b.cached.valid <= 2 * 40, `valid verdicts ${b.cached.valid} ≤ 2 × 40`);
  });
});

/** A JWKS served on loopback whose key set and answer delay the test controls. */
class JwksServer {
  keys: JWK[] = [];
  /** While set, answers wait for it. */
  hold: Promise<void> | null = null;
  fetches = 0;
  readonly #server: Server = createServer((_req, res) => {
    this.fetches++;
    const body = JSON.stringify({ keys: this.keys });
    void (this.hold ?? Promise.resolve()).then(() =>
      res.writeHead(200, { "content-type": "application/json" }).end(body),
    );
  });

  async start(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/jwks.json`;
  }

  close(): void {
    this.#server.close();
  }
}

/** The remote key set's `reload()`, as jose runs it on its cache age or an unknown `kid`. */
function reloadOf(keys: PinnedKey[]): () => Promise<void> {
  const remote = keys.find((k) => typeof k.key === "function")?.key;
  assert.ok(typeof remote === "function");
  return () => remote.reload();
}

describe("S-H2, S-R14: a JWKS refetch drops what the old key set verified", () => {
  const jwks = new JwksServer();
  let url: string;
  let a: { privateKey: CryptoKey; publicKey: CryptoKey };
  let bKey: { privateKey: CryptoKey; publicKey: CryptoKey };
  let jwkA: JWK;
  let jwkB: JWK;
  before(async () => {
    url = await jwks.start();
    a = await generateKeyPair("ES256");
    bKey = await generateKeyPair("ES256");
    jwkA = { ...(await exportJWK(a.publicKey)), kid: "a", alg: "ES256" };
    jwkB = { ...(await exportJWK(bKey.publicKey)), kid: "b", alg: "ES256" };
  });
  after(() => jwks.close());

  const sign = (key: CryptoKey, kid: string, sub: string): Promise<string> =>
    new SignJWT({ type: "pat", sub }).setProtectedHeader({ alg: "ES256", kid }).sign(key);

  it("S-R14: after a rotation removes key a, a token it signed is refused on the next request", async () => {
    jwks.keys = [jwkA];
    const { backend: b, keys } = backend({ jwksUrl: url });
    const token = await sign(a.privateKey, "a", "u1");
    assert.equal((await b.verify(token, "header")).status, "valid");
    assert.equal(b.lookup(token, "header"), undefined, "not kept: this check fetched the set");
    assert.equal((await b.verify(token, "header")).status, "valid");
    assert.equal(b.lookup(token, "header")?.status, "valid", "kept");
    jwks.keys = [jwkB];
    await reloadOf(keys)();
    assert.equal(b.lookup(token, "header"), undefined, "the refetch dropped the verdict");
    assert.equal((await b.verify(token, "header")).status, "bad_signature");
    assert.equal(
      (await b.verify(await sign(bKey.privateKey, "b", "u2"), "header")).status,
      "valid",
    );
  });

  it("S-R14: a kid the JWKS lacks is refused but not kept, so the key's publication counts", async () => {
    jwks.keys = [jwkA];
    const { backend: b, keys } = backend({ jwksUrl: url });
    await b.verify(await sign(a.privateKey, "a", "u6"), "header");
    const early = await sign(bKey.privateKey, "b", "u7");
    // Just fetched: jose's cooldown keeps it from fetching again for this kid.
    assert.equal((await b.verify(early, "header")).status, "bad_signature");
    assert.equal(b.lookup(early, "header"), undefined, "not kept: the set may gain the key");
    jwks.keys = [jwkA, jwkB];
    await reloadOf(keys)();
    assert.equal((await b.verify(early, "header")).status, "valid");
  });

  it("S-R14: a verdict reached while a refetch is pending is answered but not kept", async () => {
    jwks.keys = [jwkA];
    const { backend: b, keys } = backend({ jwksUrl: url });
    const first = await sign(a.privateKey, "a", "u3");
    assert.equal((await b.verify(first, "header")).status, "valid", "the set is loaded");
    let release = (): void => undefined;
    jwks.hold = new Promise<void>((r) => (release = r));
    const fetchesBefore = jwks.fetches;
    const reloading = reloadOf(keys)();
    try {
      await waitFor(() => Promise.resolve(jwks.fetches > fetchesBefore));
      // jose still verifies with the old set while the new one is on its way.
      const during = await sign(a.privateKey, "a", "u4");
      assert.equal((await b.verify(during, "header")).status, "valid");
      assert.equal(b.lookup(during, "header"), undefined, "not kept: the set was changing");
      assert.equal(b.lookup(first, "header"), undefined, "the refetch started: dropped");
    } finally {
      jwks.hold = null;
      release();
      await reloading;
    }
    const after = await sign(a.privateKey, "a", "u5");
    assert.equal((await b.verify(after, "header")).status, "valid");
    assert.equal(b.lookup(after, "header")?.status, "valid", "kept once the set stands still");
  });
});

describe(
  "S-M1: forward-auth refuses a kept token on the next request after revocation",
  {
    timeout: 60_000,
  },
  () => {
    let redis: RunningRedis;
    let revoker: RedisStore;
    let runtime: Awaited<ReturnType<typeof startTestRuntime>>["runtime"];
    const prefix = `t${randomUUID().slice(0, 8)}:`;

    before(async () => {
      redis = await startRedis();
      const { logger } = capturingLogger();
      revoker = new RedisStore({
        url: redis.url,
        prefix,
        log: logger,
        metrics: new StateStoreMetrics(new Registry()),
      });
      await revoker.start(5_000);
      ({ runtime } = await startTestRuntime([forwardAuthPolicy()], {
        forwardAuth: { host: "127.0.0.1", port: 0 },
        tokens: { secret: TOKEN_SECRET },
        trustedProxies: ["127.0.0.1"],
        state: { url: redis.url, prefix, connectWaitMs: 5_000 },
        geoipDatabase: join(import.meta.dirname, "../../fixtures/geoip/GeoIP2-Country-Test.mmdb"),
      }));
    });

    after(async () => {
      await runtime?.close();
      await revoker?.close();
      await redis?.stop();
    });

    const ask = (token: string) =>
      send({
        port: runtime.addresses.forwardAuth?.port ?? 0,
        host: "rampart_forward_auth",
        path: "/nginx",
        headers: {
          "x-original-method": "GET",
          "x-original-uri": "/api/items",
          "x-forwarded-host": HOSTS.token,
          "x-real-ip": "198.51.100.20",
          authorization: `Bearer ${token}`,
        },
      });

    it("S-M1: a revoked jti, kept as valid a moment before, is answered 401", async () => {
      const token = await mintApiToken("revoked-user");
      const other = await mintApiToken("other-user");
      for (let i = 0; i < 3; i++) {
        assert.equal((await ask(token)).status, 200, "verified, then answered from the cache");
        assert.equal((await ask(other)).status, 200);
      }
      const jti = decodeJwt(token).jti;
      assert.ok(typeof jti === "string");
      assert.equal(
        await revoker.revoke({ kind: "token", id: jti, until: Date.now() / 1000 + 600 }),
        true,
      );
      // The runtime learns the revocation from Redis pub/sub; the first refusal is the proof.
      await waitFor(async () => (await ask(token)).status === 401);
      const refused = await ask(token);
      assert.equal(refused.status, 401);
      // A revoked token's lifetime was ended early: it reads as expired (S-M1).
      assert.equal(refused.headers["x-rampart-reason"], "expired_token");
      assert.equal((await ask(other)).status, 200, "another token of the cache is unaffected");
    });
  },
);
