// The edge-worker example (examples/edge-worker/, issue #21): the policy compiled with
// `rampart compile --target esm`, the worker loaded in Node with only Web APIs, its answers
// checked against a loopback upstream (S-A3, S-A4, S-O3, S-D2).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const example = join(root, "examples", "edge-worker");

interface Worker {
  fetch(request: Request, env: Record<string, string>): Promise<Response>;
}

describe("examples/edge-worker: a fetch handler deciding with the ES module", () => {
  let dir = "";
  let upstream: Server;
  let env: Record<string, string> = {};
  let worker: Worker;
  const seen: { path: string; headers: Record<string, unknown> }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "rampart-worker-"));
    const compiled = spawnSync(
      process.execPath,
      [
        join(root, "src", "cli", "bin.js"),
        "compile",
        "--target",
        "esm",
        "--minify",
        "-o",
        join(dir, "decide.mjs"),
        join(example, "policy.rampart"),
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(compiled.status, 0, compiled.stderr);
    copyFileSync(join(example, "worker.mjs"), join(dir, "worker.mjs"));
    upstream = createServer((req, res) => {
      seen.push({ path: req.url ?? "", headers: req.headers });
      res.end(`upstream saw ${req.url ?? ""}`);
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const { port } = upstream.address() as AddressInfo;
    env = { UPSTREAM: `http://127.0.0.1:${port}` };
    worker = ((await import(join(dir, "worker.mjs"))) as { default: Worker }).default;
  });

  after(() => {
    upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (path: string, ip: string, country: string, host = "api.shop.test") =>
    worker.fetch(
      new Request(`https://${host}${path}`, {
        headers: { "cf-connecting-ip": ip, "cf-ipcountry": country },
      }),
      env,
    );

  it("forwards an allowed request to the upstream, without the platform's client headers", async () => {
    const response = await ask("/v1/prices?currency=EUR", "192.0.2.7", "de");
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "upstream saw /v1/prices?currency=EUR");
    const last = seen.at(-1);
    assert.equal(last?.headers["cf-connecting-ip"], undefined);
    assert.equal(last?.headers["cf-ipcountry"], undefined);
  });

  it("refuses an address outside the trusted IPs (S-A3) and a country outside the list (S-A4)", async () => {
    const before = seen.length;
    const ip = await ask("/v1/prices", "198.51.100.9", "DE");
    assert.equal(ip.status, 403);
    assert.deepEqual(await ip.json(), { error: { reason: "policy_denied" } });
    const geo = await ask("/v1/prices", "192.0.2.7", "BR");
    assert.equal(geo.status, 403);
    assert.equal(seen.length, before, "nothing reached the upstream");
  });

  it("answers 404 for a host no tunnel serves, and 400 for a path that is not plain", async () => {
    assert.equal((await ask("/", "192.0.2.7", "DE", "other.test")).status, 404);
    assert.equal((await ask("/v1//prices", "192.0.2.7", "DE")).status, 400);
    assert.equal((await ask("/v1/%2e%2e%2fadmin", "192.0.2.7", "DE")).status, 400);
  });
});
