/**
 * Signed bundles and their distribution (issue #17): signing and verification (jose), and the
 * poller against `rampart bundle serve`'s server on loopback — ETags, verify before swap,
 * refuse older, the last good bundle kept on disk and started from.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { writeBundle } from "../../src/compile/bundle.ts";
import {
  publicBundleKey,
  privateBundleKey,
  signBundle,
  verifySignedBundle,
} from "../../src/compile/bundle/signed.ts";
import type { PinnedBundleKey } from "../../src/compile/bundle/signed.ts";
import { RemoteBundle } from "../../src/runtime/bundles/remote-bundle.ts";
import { createBundleServer } from "../../src/cli/bundle-server.ts";
import { effectivePolicy, tunnel } from "./helpers/policy.ts";
import { send } from "./helpers/http.ts";

function keys(type: "ed25519" | "P-256"): { signing: PinnedBundleKey; verifying: PinnedBundleKey } {
  const pair =
    type === "ed25519"
      ? generateKeyPairSync("ed25519")
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    signing: privateBundleKey(pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string),
    verifying: publicBundleKey(pair.publicKey.export({ type: "spki", format: "pem" }) as string),
  };
}

const bundleFor = (hosts: string[]): string =>
  writeBundle([effectivePolicy(hosts.map((h, i) => tunnel({ id: `t${i}`, hosts: [h] })))], []);

describe("signed bundles: JWS over the bundle file", () => {
  it("verifies what was signed, with the issued time; EdDSA and ES256", async () => {
    for (const type of ["ed25519", "P-256"] as const) {
      const k = keys(type);
      const text = bundleFor(["a.example.test"]);
      const verified = await verifySignedBundle(
        await signBundle(text, k.signing, 1234),
        k.verifying,
      );
      assert.deepEqual(verified, { text, issued: 1234 });
    }
  });

  it("refuses a tampered payload, another key, and a key of another algorithm", async () => {
    const k = keys("ed25519");
    const signed = await signBundle(bundleFor(["a.example.test"]), k.signing);
    const jws = JSON.parse(signed) as { payload: string };
    const tampered = JSON.stringify({
      ...jws,
      payload: Buffer.from(bundleFor(["evil.example.test"])).toString("base64url"),
    });
    assert.match(String(await verifySignedBundle(tampered, k.verifying)), /does not verify/);
    assert.match(
      String(await verifySignedBundle(signed, keys("ed25519").verifying)),
      /does not verify/,
    );
    assert.equal(typeof (await verifySignedBundle(signed, keys("P-256").verifying)), "string");
    assert.match(String(await verifySignedBundle("not json", k.verifying)), /not a signed bundle/);
  });
});

describe("the bundle poller against the bundle server", { timeout: 30_000 }, () => {
  let dir: string;
  let server: Server;
  let url: string;
  const k = keys("ed25519");
  const publish = async (text: string): Promise<void> =>
    writeFile(join(dir, "served", "b.jws"), text);
  const poller = (cacheFile: string, bundleUrl = url): RemoteBundle =>
    new RemoteBundle({
      url: bundleUrl,
      key: k.verifying,
      cacheFile,
      pollMs: 60_000,
      fetchTimeoutMs: 2_000,
      log: pino({ level: "silent" }),
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rampart-remote-bundle-"));
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(dir, "served"));
    server = createBundleServer(join(dir, "served"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/b.jws`;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it("serves files with strong ETags and 304 for an unchanged one; GET/HEAD only, no paths", async () => {
    await publish(await signBundle(bundleFor(["a.example.test"]), k.signing, 1000));
    const port = Number(new URL(url).port);
    const first = await send({ port, host: "cp", path: "/b.jws" });
    assert.equal(first.status, 200);
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[A-Za-z0-9_-]{43}"$/);
    const again = await send({
      port,
      host: "cp",
      path: "/b.jws",
      headers: { "if-none-match": etag },
    });
    assert.equal(again.status, 304);
    assert.equal((await send({ port, host: "cp", path: "/../b.jws" })).status, 404);
    assert.equal((await send({ port, host: "cp", path: "/b.jws", method: "POST" })).status, 405);
  });

  it("takes a newer bundle, answers unchanged to 304, refuses older and tampered ones", async () => {
    const remote = poller(join(dir, "cache-1.jws"));
    await publish(await signBundle(bundleFor(["a.example.test"]), k.signing, 2000));
    assert.equal((await remote.open()).value, 2000);
    assert.equal(await remote.poll(), "unchanged");
    await publish(await signBundle(bundleFor(["b.example.test"]), k.signing, 1500));
    assert.equal(await remote.poll(), "refused");
    const newer = await signBundle(bundleFor(["c.example.test"]), k.signing, 3000);
    const jws = JSON.parse(newer) as { payload: string };
    await publish(
      JSON.stringify({
        ...jws,
        payload: Buffer.from(bundleFor(["d.example.test"])).toString("base64url"),
      }),
    );
    assert.equal(await remote.poll(), "refused");
    assert.equal(remote.issued, 2000, "the running bundle stays");
    await publish(newer);
    assert.equal(await remote.poll(), "updated");
    const loaded = await remote.load();
    assert.deepEqual(
      loaded.value?.flatMap((p) => p.policy.tunnels.flatMap((t) => t.hosts)),
      ["c.example.test"],
    );
    assert.equal(await readFile(join(dir, "cache-1.jws"), "utf8"), newer, "kept on disk");
  });

  it("refuses a signed bundle that does not load", async () => {
    const remote = poller(join(dir, "cache-2.jws"));
    await publish(await signBundle(bundleFor(["a.example.test"]), k.signing, 5000));
    await remote.open();
    await publish(await signBundle('{"format":"nonsense"}\n', k.signing, 6000));
    assert.equal(await remote.poll(), "refused");
    assert.equal(remote.issued, 5000);
  });

  it("starts from the cached bundle when the control plane is unreachable; fails without one", async () => {
    const cache = join(dir, "cache-3.jws");
    await publish(await signBundle(bundleFor(["cached.example.test"]), k.signing, 7000));
    await poller(cache).open();
    const down = "http://127.0.0.1:9/b.jws";
    const restarted = poller(cache, down);
    assert.equal((await restarted.open()).value, 7000);
    assert.equal(await restarted.poll(), "unreachable");
    const none = await poller(join(dir, "missing.jws"), down).open();
    assert.equal(none.value, undefined);
    assert.equal(none.diagnostics[0]?.code, "RP6009");
    // A cache file that does not verify is not started from either.
    await writeFile(
      join(dir, "forged.jws"),
      await signBundle(bundleFor(["x.test"]), keys("ed25519").signing),
    );
    assert.equal((await poller(join(dir, "forged.jws"), down).open()).value, undefined);
  });
});
