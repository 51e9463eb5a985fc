/**
 * The shared store (S-M1): the Redis store against a real redis-server (test harness), the
 * memory store, the local view, and the revocation check of tokens.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Registry } from "prom-client";
import { decodeJwt } from "jose";
import { RedisStore } from "../../src/runtime/state-store/redis-store.ts";
import { MemoryStore } from "../../src/runtime/state-store/memory-store.ts";
import { StateStoreMetrics } from "../../src/runtime/state-store/metrics.ts";
import { RevocationView } from "../../src/runtime/state-store/revocation-view.ts";
import { parseRevocation } from "../../src/runtime/state-store/revocation-message.ts";
import { RevocationCheckedBackend, originOf } from "../../src/runtime/tokens/revocation.ts";
import { JwtBackend } from "../../src/runtime/tokens/jwt-backend.ts";
import { loadPinnedKeys } from "../../src/runtime/tokens/keys.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import type { TokenOptions } from "../../src/runtime/options.ts";
import { API_GRANT } from "./forward-auth-fixture.ts";
import { capturingLogger } from "./helpers/runtime.ts";
import { startRedis } from "../integration/redis-harness.ts";
import type { RunningRedis } from "../integration/redis-harness.ts";
import { waitFor } from "../integration/fleet-harness.ts";

const SECRET = "state-store-secret-0123456789abcdef-0123456789";
const inAMinute = (): number => Date.now() / 1000 + 60;

function redisStore(
  url: string,
  prefix: string,
): { store: RedisStore; lines: Record<string, unknown>[] } {
  const { logger, lines } = capturingLogger();
  const store = new RedisStore({
    url,
    prefix,
    log: logger,
    metrics: new StateStoreMetrics(new Registry()),
  });
  return { store, lines };
}

describe("S-M1 the Redis store (real redis-server)", { timeout: 60_000 }, () => {
  let redis: RunningRedis;
  let a: RedisStore;
  let b: RedisStore;
  let aLines: Record<string, unknown>[];
  const prefix = `t${randomUUID().slice(0, 8)}:`;

  before(async () => {
    redis = await startRedis();
    ({ store: a, lines: aLines } = redisStore(redis.url, prefix));
    ({ store: b } = redisStore(redis.url, prefix));
    await Promise.all([a.start(5_000), b.start(5_000)]);
  });

  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  });

  it("is available once connected, subscribed and re-read", () => {
    assert.equal(a.available(), true);
    assert.equal(b.available(), true);
  });

  it("S-M1 a claim is single-use across instances", async () => {
    const key = randomUUID();
    assert.equal(await a.claimOnce(key, inAMinute()), "claimed");
    assert.equal(await b.claimOnce(key, inAMinute()), "replayed");
    assert.equal(await a.claimOnce(key, inAMinute()), "replayed");
  });

  it("S-M2 a revocation on one instance reaches the other's local view by pub/sub", async () => {
    const sid = randomUUID();
    assert.equal(b.view.sessionRevoked(sid), false);
    assert.equal(await a.revoke({ kind: "session", id: sid, until: inAMinute() }), true);
    assert.equal(a.view.sessionRevoked(sid), true, "the revoking instance applies it at once");
    await waitFor(() => Promise.resolve(b.view.sessionRevoked(sid)), 5_000);
    await a.revoke({ kind: "credential", id: "cred-1", before: 1000 });
    await waitFor(() => Promise.resolve(b.view.credentialRevoked("cred-1", 999)), 5_000);
    assert.equal(b.view.credentialRevoked("cred-1", 1000), false);
  });

  it("S-M1 a new instance reads the revocations made before it started", async () => {
    const jti = randomUUID();
    await a.revoke({ kind: "token", id: jti, until: inAMinute() });
    const { store: late } = redisStore(redis.url, prefix);
    try {
      await late.start(5_000);
      assert.equal(late.available(), true);
      assert.equal(late.view.tokenRevoked(jti), true);
    } finally {
      await late.close();
    }
  });

  it("S-M1 unreachable: claims and revocations say so, availability drops, then recovers by itself", async () => {
    await redis.stop();
    await waitFor(() => Promise.resolve(!a.available() && !b.available()), 10_000);
    assert.equal(await a.claimOnce(randomUUID(), inAMinute()), "unavailable");
    assert.equal(await a.revoke({ kind: "session", id: "x", until: inAMinute() }), false);
    assert.equal(await a.metrics.up.get().then((m) => m.values[0]?.value), 0);
    await redis.start();
    await waitFor(() => Promise.resolve(a.available() && b.available()), 15_000);
    assert.equal(await a.claimOnce(randomUUID(), inAMinute()), "claimed");
    assert.ok(aLines.some((l) => String(l["msg"]).startsWith("shared store unavailable")));
    assert.ok(aLines.some((l) => String(l["msg"]).startsWith("shared store available")));
    const disconnects = await a.metrics.disconnects.get();
    assert.ok((disconnects.values[0]?.value ?? 0) >= 1);
  });
});

describe("S-M1 a Redis store started while Redis is down", { timeout: 60_000 }, () => {
  it("serves without it at first, then connects by itself and becomes current", async () => {
    const redis = await startRedis();
    await redis.stop();
    const prefix = `late${randomUUID().slice(0, 8)}:`;
    const { store, lines } = redisStore(redis.url, prefix);
    try {
      await store.start(300);
      assert.equal(store.available(), false);
      assert.equal(await store.claimOnce("k", inAMinute()), "unavailable");
      assert.ok(lines.some((l) => l["msg"] === "shared store not reachable yet"));
      await redis.start();
      await waitFor(() => Promise.resolve(store.available()), 15_000);
      assert.equal(await store.claimOnce("k", inAMinute()), "claimed");
      // Subscribed, too: another instance's revocation arrives by pub/sub, not only by re-reads.
      const { store: other } = redisStore(redis.url, prefix);
      try {
        await other.start(5_000);
        await other.revoke({ kind: "session", id: "late-sid", until: inAMinute() });
        await waitFor(() => Promise.resolve(store.view.sessionRevoked("late-sid")), 2_000);
      } finally {
        await other.close();
      }
    } finally {
      await store.close();
      await redis.stop();
    }
  });
});

describe("S-M1 the memory store and the local view", () => {
  it("claims once, per instance", async () => {
    const store = new MemoryStore(100, new StateStoreMetrics(new Registry()));
    assert.equal(await store.claimOnce("k", inAMinute()), "claimed");
    assert.equal(await store.claimOnce("k", inAMinute()), "replayed");
    assert.equal(store.available(), true);
  });

  it("drops revocations once what they revoke has expired", () => {
    const view = new RevocationView();
    view.apply({ kind: "session", id: "s", until: 100 });
    view.apply({ kind: "token", id: "t", until: 300 });
    view.prune(200);
    assert.equal(view.sessionRevoked("s"), false);
    assert.equal(view.tokenRevoked("t"), true);
  });

  it("keeps the latest credential cut-off; a token without iat counts as before it", () => {
    const view = new RevocationView();
    view.apply({ kind: "credential", id: "c", before: 500 });
    view.apply({ kind: "credential", id: "c", before: 400 });
    assert.equal(view.credentialRevoked("c", 450), true);
    assert.equal(view.credentialRevoked("c", 500), false);
    assert.equal(view.credentialRevoked("c", null), true);
    assert.equal(view.credentialRevoked("other", 1), false);
  });

  it("ignores malformed revocation messages", () => {
    assert.equal(parseRevocation("{"), null);
    assert.equal(parseRevocation(JSON.stringify({ kind: "session", id: "", until: 1 })), null);
    assert.equal(parseRevocation(JSON.stringify({ kind: "token", id: "x", until: "soon" })), null);
    assert.equal(parseRevocation(JSON.stringify({ kind: "drop", id: "x", until: 1 })), null);
    assert.deepEqual(parseRevocation(JSON.stringify({ kind: "credential", id: "c", before: 5 })), {
      kind: "credential",
      id: "c",
      before: 5,
    });
  });
});

describe("S-M1 tokens: the revocation check after the backend accepted a token", () => {
  const options: TokenOptions = {
    secret: SECRET,
    publicKeys: [],
    clockSkewSeconds: 300,
    cacheSize: 100,
  };
  const mint = async (subject: string): Promise<string> =>
    (await mintToken({ secret: SECRET, grant: API_GRANT, subject, lifetimeSeconds: 600 })).value ??
    "";

  it("refuses a revoked jti, on a fresh verification and on a cache hit alike", async () => {
    const view = new RevocationView();
    const backend = new RevocationCheckedBackend(
      new JwtBackend(loadPinnedKeys(options, []), options),
      view,
    );
    const token = await mint("svc-1");
    assert.equal((await backend.verify(token, "header")).status, "valid");
    assert.equal(backend.lookup(token, "header")?.status, "valid");
    view.apply({ kind: "token", id: decodeJwt(token).jti as string, until: inAMinute() });
    assert.equal(backend.lookup(token, "header")?.status, "expired");
    assert.equal((await backend.verify(token, "query")).status, "expired");
  });

  it("refuses the tokens of a cut-off credential issued before the cut-off only", async () => {
    const view = new RevocationView();
    const backend = new RevocationCheckedBackend(
      new JwtBackend(loadPinnedKeys(options, []), options),
      view,
    );
    const token = await mint("svc-2");
    const iat = decodeJwt(token).iat as number;
    view.apply({ kind: "credential", id: "svc-2", before: iat });
    assert.equal((await backend.verify(token, "header")).status, "valid", "issued at the cut-off");
    view.apply({ kind: "credential", id: "svc-2", before: iat + 1 });
    assert.equal((await backend.verify(token, "header")).status, "expired");
    assert.equal((await backend.verify(await mint("svc-3"), "header")).status, "valid");
  });

  it("reads the credential from sourceCredentialId, else the subject", () => {
    const facts = {
      source: "header",
      status: "valid",
      id: "x",
      type: "pat",
      lifetimeSeconds: null,
      grant: null,
      subject: "sub-1",
    } as const;
    assert.deepEqual(originOf("not.a.jwt", facts), { credential: "sub-1", issuedAt: null });
  });
});
