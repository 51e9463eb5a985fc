// The CLI as a user runs it: a real process on Node 24, real files, exit codes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "src", "cli", "bin.js");

function rampart(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("rampart CLI", () => {
  it("lints the example policies clean (exit 0)", () => {
    const files = readdirSync(join(root, "fixtures", "policies")).map(
      (f) => `fixtures/policies/${f}`,
    );
    const r = rampart("lint", ...files);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no problems/);
  });

  it("exits 1 with a code frame for an invalid file", () => {
    const file = readdirSync(join(root, "fixtures", "invalid")).find((f) =>
      /^RP\d{4}-.*\.rampart$/.test(f),
    );
    assert.ok(file, "fixtures/invalid has a DSL case");
    const r = rampart("lint", `fixtures/invalid/${file}`);
    assert.equal(r.status, 1);
    assert.match(r.stdout, new RegExp(`error\\[${file.slice(0, 6)}\\]`));
    assert.match(r.stdout, /--> fixtures\/invalid\/.*:\d+:\d+/);
  });

  it("exits 2 for usage errors and unreadable files, without a stack trace", () => {
    const unknown = rampart("frobnicate");
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command `frobnicate`/);
    const missing = rampart("lint", "no/such/file.rampart");
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read `no\/such\/file.rampart`: no such file/);
    assert.doesNotMatch(missing.stderr, /at .*\.ts:\d+/);
    const badFlag = rampart("lint", "--frob", "x");
    assert.equal(badFlag.status, 2);
  });

  it("emits valid SARIF 2.1.0 for CI", () => {
    const file = readdirSync(join(root, "fixtures", "invalid")).find((f) =>
      /^RP\d{4}-.*\.(rampart|json)$/.test(f),
    );
    const r = rampart("lint", "--format", "sarif", `fixtures/invalid/${file}`);
    assert.equal(r.status, 1);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: { results: { ruleId: string }[] }[];
    };
    assert.equal(sarif.version, "2.1.0");
    assert.equal(sarif.runs[0]?.results[0]?.ruleId, file?.slice(0, 6));
  });
});
