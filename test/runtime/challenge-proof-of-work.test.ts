import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { solveChallenge } from "altcha-lib";
import type { Challenge } from "altcha-lib/types";
import { deriveKey } from "altcha-lib/algorithms/sha";
import { ChallengeOptionsSchema } from "../../src/runtime/challenge/options.ts";
import { ProofOfWork } from "../../src/runtime/challenge/proof-of-work.ts";
import { ReplayCache } from "../../src/runtime/challenge/replay-cache.ts";

const KEY = "k".repeat(40);
const quick = ChallengeOptionsSchema.parse({
  cost: 1,
  counterMin: 5,
  counterMax: 40,
  challengeTtlSeconds: 60,
});

async function solved(
  pow: ProofOfWork,
  host = "app.example",
  returnTo = "/next",
): Promise<{ challenge: Challenge; solution: unknown }> {
  const challenge = await pow.create(host, returnTo);
  const solution = await solveChallenge({ challenge, deriveKey, timeout: 10_000 });
  assert.notEqual(solution, null);
  return { challenge, solution };
}

describe("S-C2: the ALTCHA proof of work", () => {
  it("accepts a solved challenge and returns the target it was bound to", async () => {
    const pow = new ProofOfWork(KEY, quick);
    assert.deepEqual(await pow.verify(await solved(pow), "app.example"), {
      status: "ok",
      returnTo: "/next",
    });
  });

  it("is verified by another instance sharing the cookie key (stateless scale-out)", async () => {
    const submission = await solved(new ProofOfWork(KEY, quick));
    assert.equal(
      (await new ProofOfWork(KEY, quick).verify(submission, "app.example")).status,
      "ok",
    );
    assert.equal(
      (await new ProofOfWork("z".repeat(40), quick).verify(submission, "app.example")).status,
      "invalid",
    );
  });

  it("refuses a replayed solution", async () => {
    const pow = new ProofOfWork(KEY, quick);
    const submission = await solved(pow);
    assert.equal((await pow.verify(submission, "app.example")).status, "ok");
    assert.equal((await pow.verify(submission, "app.example")).status, "replayed");
  });

  it("refuses two concurrent submissions of one solution: only one wins", async () => {
    const pow = new ProofOfWork(KEY, quick);
    const submission = await solved(pow);
    const results = await Promise.all([
      pow.verify(submission, "app.example"),
      pow.verify(submission, "app.example"),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["ok", "replayed"]);
  });

  it("refuses an expired challenge", async () => {
    const pow = new ProofOfWork(KEY, quick);
    const submission = await solved(pow);
    const later = Date.now() / 1000 + quick.challengeTtlSeconds + 1;
    assert.equal((await pow.verify(submission, "app.example", later)).status, "expired");
  });

  it("refuses a challenge served for another host", async () => {
    const pow = new ProofOfWork(KEY, quick);
    assert.equal(
      (await pow.verify(await solved(pow, "other.example"), "app.example")).status,
      "wrong_host",
    );
  });

  it("refuses tampered parameters (the return target is signed)", async () => {
    const pow = new ProofOfWork(KEY, quick);
    const { challenge, solution } = await solved(pow);
    const tampered = {
      ...challenge,
      parameters: { ...challenge.parameters, data: { host: "app.example", return: "/admin" } },
    };
    assert.equal(
      (await pow.verify({ challenge: tampered, solution }, "app.example")).status,
      "invalid",
    );
  });

  it("refuses a wrong solution", async () => {
    const pow = new ProofOfWork(KEY, quick);
    const { challenge } = await solved(pow);
    const wrong = { counter: 1, derivedKey: "00".repeat(32) };
    assert.equal(
      (await pow.verify({ challenge, solution: wrong }, "app.example")).status,
      "invalid",
    );
  });

  it("refuses malformed submissions without throwing", async () => {
    const pow = new ProofOfWork(KEY, quick);
    for (const bad of [
      null,
      1,
      "x",
      {},
      { challenge: {}, solution: {} },
      { challenge: { parameters: [] }, solution: [] },
    ]) {
      assert.equal((await pow.verify(bad, "app.example")).status, "malformed");
    }
  });
});

describe("the replay cache", () => {
  it("remembers a key until its expiry, then forgets it", () => {
    const cache = new ReplayCache(10);
    assert.equal(cache.claim("a", 100, 50), true);
    assert.equal(cache.claim("a", 100, 99), false);
    assert.equal(cache.claim("a", 200, 101), true);
  });

  it("stays within its bound, evicting the oldest entry", () => {
    const cache = new ReplayCache(3);
    for (const k of ["a", "b", "c", "d"]) assert.equal(cache.claim(k, 1000, 0), true);
    assert.equal(cache.size, 3);
    assert.equal(cache.claim("d", 1000, 0), false);
    assert.equal(cache.claim("a", 1000, 0), true);
  });
});
