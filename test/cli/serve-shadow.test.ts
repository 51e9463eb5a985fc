/**
 * Issue #21 item 4: the `--shadow` flags of `rampart serve`, in real processes on loopback.
 * A signed candidate bundle from a control plane (`--shadow URL`, verified with
 * `--bundle-key`, the loading of issue #17) is compared; a candidate that does not parse is
 * RP6060 and serving goes on; flags that cannot work are usage errors (exit 2).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPolicySource } from "../../src/cli/load-policy.ts";
import { createBundleServer } from "../../src/cli/bundle-server.ts";
import { memoryIo } from "../../src/cli/io.ts";
import { shadowFlags } from "../../src/cli/shadow-flags.ts";
import { writeBundle } from "../../src/compile/bundle.ts";
import { privateBundleKey, signBundle } from "../../src/compile/bundle/signed.ts";
import { send } from "../runtime/helpers/http.ts";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "src/cli/bin.js");
const env = { ...process.env, RAMPART_COOKIE_KEY: "cli-shadow-cookie-key-0123456789abcdef01" };

const policy = (trusted: string): string => `project "p" {
  plan pro
  public_access allowed
  trusted_ips [${trusted}]
}
tunnel "web" {
  protocol http
  hosts ["web.p.test"]
  public
  upstream "http://127.0.0.1:9"
}
`;

/** Starts `serve` with `args`; resolves with its ports once the admin listener is up. */
async function serve(args: string[], cwd: string) {
  const child = spawn(process.execPath, [bin, "serve", ...args], {
    env,
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out.stderr += c.toString()));
  const ports: Record<string, number> = {};
  for (let i = 0; i < 1200 && ports["admin"] === undefined && child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 25));
    for (const m of out.stderr.matchAll(/rampart: (\w+) listening on (\{.*\})/g))
      ports[m[1] ?? ""] = (JSON.parse(m[2] ?? "{}") as { port: number }).port;
  }
  assert.ok((ports["admin"] ?? 0) > 0, out.stderr);
  return { child, out, ports };
}

async function metricsOf(port: number): Promise<string> {
  return (await send({ port, host: "localhost", path: "/metrics" })).body;
}

describe("rampart serve --shadow (issue #21 item 4)", () => {
  let dir: string;
  let server: Server;
  let url: string;
  let keyFile: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "rampart-serve-shadow-"));
    writeFileSync(join(dir, "running.rampart"), policy("0.0.0.0/0"));
    const pair = generateKeyPairSync("ed25519");
    keyFile = join(dir, "bundle.pub.pem");
    writeFileSync(keyFile, pair.publicKey.export({ type: "spki", format: "pem" }));
    const signing = privateBundleKey(
      pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    );
    const checked = checkPolicySource({ name: "candidate.rampart", text: policy("192.0.2.0/24") });
    assert.ok(checked.effective !== undefined, JSON.stringify(checked.diagnostics));
    mkdirSync(join(dir, "served"));
    writeFileSync(
      join(dir, "served", "candidate.jws"),
      await signBundle(writeBundle([checked.effective], []), signing),
    );
    server = createBundleServer(join(dir, "served"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/candidate.jws`;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("compares a signed candidate bundle fetched from a URL and verified with --bundle-key", async () => {
    const { child, ports } = await serve(
      [
        join(dir, "running.rampart"),
        "--shadow",
        url,
        "--bundle-key",
        keyFile,
        "--http",
        "127.0.0.1:0",
        "--admin",
        "127.0.0.1:0",
      ],
      dir,
    );
    try {
      const reply = await send({ port: ports["http"] ?? 0, host: "web.p.test", path: "/x" });
      assert.equal(reply.status, 502, "the running policy forwards (to a closed port)");
      const metrics = await metricsOf(ports["admin"] ?? 0);
      assert.match(metrics, /^rampart_shadow_candidate_generation 1$/m);
      assert.match(
        metrics,
        /^rampart_shadow_disagreements_total\{kind="newly-denied",running_rule="tunnel:web",candidate_rule="project.trusted_ips"\} 1$/m,
      );
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("RP6060: a candidate that does not parse is a warning; the running policy serves", async () => {
    writeFileSync(join(dir, "broken.rampart"), "project {");
    const { child, out, ports } = await serve(
      [
        join(dir, "running.rampart"),
        "--shadow",
        join(dir, "broken.rampart"),
        "--http",
        "127.0.0.1:0",
        "--admin",
        "127.0.0.1:0",
      ],
      dir,
    );
    try {
      assert.match(
        out.stdout + out.stderr,
        /warning\[RP6060\]: shadow candidate `[^`]*broken\.rampart`/,
      );
      const reply = await send({ port: ports["http"] ?? 0, host: "web.p.test", path: "/x" });
      assert.equal(reply.status, 502);
      assert.match(
        await metricsOf(ports["admin"] ?? 0),
        /^rampart_shadow_candidate_generation 0$/m,
      );
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("takes a bundle file from rampart compile as the candidate, and a policy file", async () => {
    const checked = checkPolicySource({ name: "c.rampart", text: policy("192.0.2.0/24") });
    assert.ok(checked.effective !== undefined);
    const io = memoryIo({
      "candidate.json": writeBundle([checked.effective], []),
      "candidate.rampart": policy("192.0.2.0/24"),
    });
    for (const file of ["candidate.json", "candidate.rampart"]) {
      const flags = await shadowFlags({ shadow: file, "shadow-sample": "2" }, io);
      assert.ok(flags !== null);
      assert.equal(flags.options.samplesPerMinute, 2);
      assert.deepEqual(flags.watch, [file]);
      const loaded = await flags.options.load();
      assert.deepEqual(loaded.diagnostics, []);
      assert.deepEqual(
        loaded.value?.map((p) => p.policy.tunnels.map((t) => t.id)),
        [["web"]],
        file,
      );
    }
  });

  it("refuses --shadow URL without --bundle-key, and --shadow-sample without --shadow (exit 2)", () => {
    for (const [args, message] of [
      [["--shadow", "http://127.0.0.1:9/c.jws"], /--shadow URL needs --bundle-key/],
      [["--shadow-sample", "3"], /--shadow-sample goes with --shadow/],
      [["--example", "--shadow", "c.rampart"], /--shadow does not go with --example/],
      [
        ["--shadow", "c.rampart", "--shadow-sample", "some"],
        /--shadow-sample takes a whole number/,
      ],
    ] as const) {
      const run = spawnSync(
        process.execPath,
        [bin, "serve", join(dir, "running.rampart"), "--http", "127.0.0.1:0", ...args],
        { env, encoding: "utf8", timeout: 20_000 },
      );
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, message);
    }
  });
});
