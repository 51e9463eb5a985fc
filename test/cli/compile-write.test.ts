/**
 * `rampart compile -o FILE` writes the bundle as the UTF-8 bytes it was written in (issue #19: a
 * 10,000-tunnel bundle is tens of MB, never made one string): the file holds exactly the text
 * `writeBundle` returns, signed or not.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processIo } from "../../src/cli/io.ts";
import { writeBundle, writeBundleBytes } from "../../src/compile/bundle.ts";
import { canonicalJson, sha256Of } from "../../src/compile/bundle/canonical-json.ts";
import { publicBundleKey, verifySignedBundle } from "../../src/compile/bundle/signed.ts";
import { checkPolicySource } from "../../src/pipeline.ts";
import { largePolicyDsl } from "../bench/parse-policy.ts";

const bin = join(import.meta.dirname, "..", "..", "src", "cli", "bin.js");

/** `rampart ARGS` run in `dir` as a user runs it. */
function rampart(dir: string, args: readonly string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe("rampart compile writes the bundle as bytes (issue #19)", () => {
  it("the file written from chunks of bytes holds them, a character outside Latin-1 included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-bytes-"));
    try {
      const text = `{"a":"${"x".repeat(70_000)}…","b":"\u2028é"}\n`;
      const file = join(dir, "out.json");
      const bytes = Buffer.from(text, "utf8");
      // Chunks cut anywhere, inside a character's bytes too.
      await processIo().writeFile(file, [
        bytes.subarray(0, 7),
        bytes.subarray(7, 70_007),
        bytes.subarray(70_007),
      ]);
      assert.equal(readFileSync(file, "utf8"), text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the bytes are the UTF-8 of writeBundle's text, diagnostics with `…` included", () => {
    const checked = checkPolicySource({ name: "bench.rampart", text: largePolicyDsl(40, 40) });
    assert.ok(checked.effective !== undefined);
    assert.ok(checked.diagnostics.some((d) => d.message.includes("…")));
    const bytes = writeBundleBytes([checked.effective], checked.diagnostics);
    const text = writeBundle([checked.effective], checked.diagnostics);
    assert.deepEqual(Buffer.concat(bytes), Buffer.from(text, "utf8"));
    // The hash written over its placeholder is the payload's canonical hash.
    const bundle = JSON.parse(text) as { contentHash: string; payload: unknown };
    assert.equal(bundle.contentHash, sha256Of(canonicalJson(bundle.payload)));
  });

  it("a bundle file is byte for byte writeBundle's text; signed, its payload is that file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-compile-write-"));
    try {
      const text = largePolicyDsl(300, 300);
      writeFileSync(join(dir, "bench.rampart"), text);
      const pair = generateKeyPairSync("ed25519");
      writeFileSync(join(dir, "key.pem"), pair.privateKey.export({ type: "pkcs8", format: "pem" }));
      const plain = rampart(dir, ["compile", "bench.rampart", "-o", "bundle.json"]);
      assert.equal(plain.status, 0, plain.stderr);
      const signed = rampart(dir, ["compile", "bench.rampart", "-o", "b.jws", "--sign", "key.pem"]);
      assert.equal(signed.status, 0, signed.stderr);

      const checked = checkPolicySource({ name: "bench.rampart", text });
      assert.ok(checked.effective !== undefined);
      const expected = writeBundle([checked.effective], checked.diagnostics);
      const written = readFileSync(join(dir, "bundle.json"));
      assert.equal(written.length, Buffer.byteLength(expected, "utf8"));
      const sha = (bytes: string | Buffer): string =>
        createHash("sha256").update(bytes).digest("hex");
      assert.equal(sha(written), sha(expected));

      const key = publicBundleKey(pair.publicKey.export({ type: "spki", format: "pem" }) as string);
      const verified = await verifySignedBundle(readFileSync(join(dir, "b.jws"), "utf8"), key);
      assert.ok(typeof verified !== "string", String(verified));
      assert.equal(verified.text, expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--timings adds compile's own steps after the pipeline's stages, and the same bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-compile-timings-"));
    try {
      writeFileSync(join(dir, "bench.rampart"), largePolicyDsl(30, 30));
      const pair = generateKeyPairSync("ed25519");
      writeFileSync(join(dir, "key.pem"), pair.privateKey.export({ type: "pkcs8", format: "pem" }));
      const plain = rampart(dir, ["compile", "bench.rampart", "-o", "plain.json"]);
      const timed = rampart(dir, ["compile", "bench.rampart", "-o", "timed.json", "--timings"]);
      assert.equal(plain.status, 0, plain.stderr);
      assert.equal(timed.status, 0, timed.stderr);
      const ms = String.raw`\d+\.\d ms`;
      assert.match(timed.stderr, new RegExp(`^bench\\.rampart: parse ${ms}, lower ${ms}`, "m"));
      assert.match(
        timed.stderr,
        new RegExp(`^timed\\.json: bundle text ${ms}, write file ${ms}$`, "m"),
      );
      assert.doesNotMatch(plain.stderr, / ms/);
      assert.deepEqual(
        readFileSync(join(dir, "timed.json")),
        readFileSync(join(dir, "plain.json")),
      );

      const signed = rampart(dir, [
        "compile",
        "bench.rampart",
        "-o",
        "b.jws",
        "--sign",
        "key.pem",
        "--timings",
      ]);
      assert.equal(signed.status, 0, signed.stderr);
      assert.match(
        signed.stderr,
        new RegExp(`^b\\.jws: bundle text ${ms}, sign ${ms}, write file ${ms}$`, "m"),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--format-version 2 writes the previous format; two runs write the same bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-compile-format-"));
    try {
      const text = largePolicyDsl(20, 20);
      writeFileSync(join(dir, "bench.rampart"), text);
      const v3 = rampart(dir, ["compile", "bench.rampart", "-o", "v3.json"]);
      const again = rampart(dir, ["compile", "bench.rampart", "-o", "again.json"]);
      const v2 = rampart(dir, [
        "compile",
        "bench.rampart",
        "-o",
        "v2.json",
        "--format-version",
        "2",
      ]);
      for (const run of [v3, again, v2]) assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(readFileSync(join(dir, "again.json")), readFileSync(join(dir, "v3.json")));
      const checked = checkPolicySource({ name: "bench.rampart", text });
      assert.ok(checked.effective !== undefined);
      const written = (name: string): string => readFileSync(join(dir, name), "utf8");
      assert.equal(written("v2.json"), writeBundle([checked.effective], checked.diagnostics, 2));
      assert.equal(written("v3.json"), writeBundle([checked.effective], checked.diagnostics, 3));
      assert.match(written("v2.json"), /^\{"format":"rampart-bundle","formatVersion":2,/);
      assert.match(written("v3.json"), /^\{"format":"rampart-bundle","formatVersion":3,/);

      const bad = rampart(dir, [
        "compile",
        "bench.rampart",
        "-o",
        "x.json",
        "--format-version",
        "1",
      ]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /--format-version is 3 \(the default\) or 2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
