// The CLI's output through a pipe, as CI scripts read it (`rampart convert … | jq`).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { largePolicyDsl } from "../bench/parse-policy.ts";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "src", "cli", "bin.js");

/** A policy whose JSON form is far larger than a pipe's buffer (64 KB on Linux). */
function writeLargePolicy(dir: string): string {
  const file = join(dir, "large.rampart");
  writeFileSync(file, largePolicyDsl(300, 300));
  return file;
}

describe("rampart output through a pipe", () => {
  it("writes all of a large output before exiting", () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-output-"));
    try {
      const file = writeLargePolicy(dir);
      // spawnSync reads the child's stdout through a pipe.
      const r = spawnSync(process.execPath, [bin, "convert", file, "--to", "json"], {
        encoding: "utf8",
        maxBuffer: 64 * 2 ** 20,
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.length > 256 * 1024, `only ${r.stdout.length} characters`);
      const document = JSON.parse(r.stdout) as { tunnels: unknown[]; grants: unknown[] };
      assert.equal(document.tunnels.length, 300);
      assert.equal(document.grants.length, 300);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits quietly when the reader goes away first (`| head`)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-output-"));
    try {
      const file = writeLargePolicy(dir);
      const child = spawn(process.execPath, [bin, "convert", file, "--to", "json"], {
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 60_000,
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      // Read the first chunk, then close the pipe, as `head -c` does.
      child.stdout.once("data", () => child.stdout.destroy());
      const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
      assert.equal(status, 0);
      assert.equal(stderr, "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
