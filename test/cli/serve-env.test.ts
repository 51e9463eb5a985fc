/**
 * Every `serve` flag is also an environment variable (issue #16): the mapping comes from the
 * one option table (SERVE_OPTIONS), a flag on the command line wins, lists are space-separated,
 * and docs/deploy.md documents exactly these variables. A real `rampart serve` started from
 * the environment alone (bundle, listeners, trusted proxies) serves its admin endpoint.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { UsageError } from "../../src/cli/args.ts";
import { SERVE_OPTIONS } from "../../src/cli/commands/serve.ts";
import { envVarOf, withEnvironment } from "../../src/cli/env-flags.ts";
import { REPO } from "../package/npm.ts";

const work = mkdtempSync(join(tmpdir(), "rampart-serve-env-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("serve options from the environment (issue #16)", () => {
  it("names each flag's variable RAMPART_ and the flag in capitals", () => {
    assert.equal(envVarOf("http"), "RAMPART_HTTP");
    assert.equal(envVarOf("forward-auth"), "RAMPART_FORWARD_AUTH");
    assert.equal(envVarOf("trusted-proxy"), "RAMPART_TRUSTED_PROXY");
  });

  it("fills flags not given from the environment; a given flag wins; lists split on spaces", () => {
    const values = withEnvironment({ http: "127.0.0.1:1" }, SERVE_OPTIONS, {
      RAMPART_HTTP: "127.0.0.1:2",
      RAMPART_ADMIN: " 127.0.0.1:3 ",
      RAMPART_TRUSTED_PROXY: "10.0.0.0/8  192.0.2.1",
      RAMPART_CERT: "a.test,b.test=a.pem:a.key c.test=c.pem:c.key",
      RAMPART_EXAMPLE: "0",
    });
    assert.deepEqual(values, {
      http: "127.0.0.1:1",
      admin: "127.0.0.1:3",
      "trusted-proxy": ["10.0.0.0/8", "192.0.2.1"],
      cert: ["a.test,b.test=a.pem:a.key", "c.test=c.pem:c.key"],
      example: false,
    });
    assert.equal(withEnvironment({}, SERVE_OPTIONS, { RAMPART_EXAMPLE: "true" })["example"], true);
    assert.throws(
      () => withEnvironment({}, SERVE_OPTIONS, { RAMPART_EXAMPLE: "yes" }),
      (error: unknown) =>
        error instanceof UsageError && /RAMPART_EXAMPLE takes 1/.test(error.message),
    );
  });

  it("docs/deploy.md's table lists exactly the flags of serve and their variables", () => {
    const doc = readFileSync(join(REPO, "docs", "deploy.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `--([a-z-]+)[^`]*` \| `(RAMPART_[A-Z_]+)` \|/gm)].map(
      (m) => [m[1], m[2]],
    );
    assert.deepEqual(
      rows,
      Object.keys(SERVE_OPTIONS).map((flag) => [flag, envVarOf(flag)]),
      "add a row to docs/deploy.md for each serve flag, in SERVE_OPTIONS order",
    );
  });

  it("starts rampart serve configured by the environment alone", { timeout: 120_000 }, async () => {
    const bundle = join(work, "bundle.json");
    const bin = join(REPO, "bin", "rampart.js");
    const policy = join(REPO, "fixtures", "policies", "acme.rampart");
    execFileSync(process.execPath, [bin, "compile", policy, "-o", bundle], {
      stdio: "ignore",
      timeout: 60_000,
    });
    const child = spawn(process.execPath, [bin, "serve"], {
      env: {
        ...process.env,
        RAMPART_BUNDLE: bundle,
        RAMPART_HTTP: "127.0.0.1:0",
        RAMPART_ADMIN: "127.0.0.1:0",
        RAMPART_TRUSTED_PROXY: "127.0.0.1 ::1",
        RAMPART_COOKIE_KEY: "k".repeat(32),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    try {
      const admin = await new Promise<{ address: string; port: number }>((resolve, reject) => {
        let stderr = "";
        const timer = setTimeout(() => reject(new Error(`no admin listener: ${stderr}`)), 60_000);
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          const line = /admin listening on (\{.*\})/.exec(stderr);
          if (line !== null) {
            clearTimeout(timer);
            resolve(JSON.parse(line[1] ?? "") as { address: string; port: number });
          }
        });
        child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
      });
      const health = await fetch(`http://127.0.0.1:${admin.port}/healthz`);
      assert.equal(health.status, 200);
    } finally {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
  });
});
