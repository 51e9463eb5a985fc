// The named static pipeline (src/pipeline.ts): stage order, the stop-after-errors runner,
// `until`, and the CLI's --timings and --dump-after built on it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkPolicySource, runPipeline, STAGE_NAMES, STAGES } from "../src/pipeline.ts";

const root = join(import.meta.dirname, "..");
const bin = join(root, "src", "cli", "bin.js");
const acmePath = "fixtures/policies/acme.rampart";
const acme = { name: acmePath, text: readFileSync(join(root, acmePath), "utf8") };

function rampart(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the static pipeline", () => {
  it("lists its stages in the order they run, each named once", () => {
    assert.deepEqual(
      STAGES.map((s) => s.name),
      [...STAGE_NAMES],
    );
    assert.deepEqual([...STAGE_NAMES], ["parse", "lower", "bounds", "lint"]);
  });

  it("runs every stage on a clean policy and times each", () => {
    const checked = checkPolicySource(acme);
    assert.deepEqual(
      checked.timings.map((t) => t.stage),
      ["parse", "lower", "bounds", "lint"],
    );
    assert.ok(checked.timings.every((t) => t.milliseconds >= 0));
    assert.ok(checked.ast !== undefined && checked.ir !== undefined);
    assert.ok(checked.effective !== undefined);
    assert.equal(checked.diagnostics.filter((d) => d.severity === "error").length, 0);
  });

  it("stops after the first stage with errors, keeping its diagnostics", () => {
    const broken = { name: "broken.rampart", text: "project 'single-quoted' {" };
    const checked = runPipeline(broken);
    assert.deepEqual(
      checked.timings.map((t) => t.stage),
      ["parse"],
    );
    assert.equal(checked.ast, undefined);
    assert.ok(checked.diagnostics.some((d) => d.severity === "error" && d.code.startsWith("RP1")));

    const lowerError = {
      name: "RP3001.rampart",
      text: readFileSync(join(root, "fixtures/invalid/RP3001-invalid-ip-entry.rampart"), "utf8"),
    };
    const lowered = runPipeline(lowerError);
    assert.deepEqual(
      lowered.timings.map((t) => t.stage),
      ["parse", "lower"],
    );
    assert.ok(lowered.ast !== undefined);
    assert.equal(lowered.ir, undefined);
    assert.ok(lowered.diagnostics.some((d) => d.code === "RP3001"));
  });

  it("stops after `until`, leaving later slots empty", () => {
    const checked = runPipeline(acme, { until: "lower" });
    assert.deepEqual(
      checked.timings.map((t) => t.stage),
      ["parse", "lower"],
    );
    assert.ok(checked.ir !== undefined);
    assert.equal(checked.effective, undefined);
  });
});

describe("rampart lint and compile: --timings and --dump-after", () => {
  it("--timings prints each stage's time for each file on stderr", () => {
    const r = rampart("lint", "--timings", acmePath);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /acme\.rampart: parse [\d.]+ ms, lower [\d.]+ ms, bounds [\d.]+ ms, lint [\d.]+ ms/,
    );
    assert.match(r.stdout, /no problems/);
  });

  it("--dump-after lower prints the IR as JSON, keyed by file", () => {
    const r = rampart("lint", "--dump-after", "lower", acmePath);
    assert.equal(r.status, 0, r.stderr);
    const dumped = JSON.parse(r.stdout) as Record<string, { project: { id: string } }>;
    assert.equal(dumped[acmePath]?.project.id, "acme");
  });

  it("--dump-after bounds on compile prints the effective policy and writes nothing", () => {
    const r = rampart("compile", "--dump-after", "bounds", acmePath);
    assert.equal(r.status, 0, r.stderr);
    const dumped = JSON.parse(r.stdout) as Record<string, { tunnels: unknown[] }>;
    assert.ok((dumped[acmePath]?.tunnels.length ?? 0) > 0);
  });

  it("--dump-after parse of a file with errors prints null and exits 1", () => {
    const file = "fixtures/invalid/RP1001-single-quoted-string.rampart";
    const r = rampart("lint", "--dump-after", "lower", file);
    assert.equal(r.status, 1);
    assert.deepEqual(JSON.parse(r.stdout), { [file]: null });
    assert.match(r.stderr, /error\[RP1001\]/);
  });

  it("an unknown stage is a usage error (exit 2)", () => {
    const r = rampart("lint", "--dump-after", "emit", acmePath);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--dump-after takes one of parse, lower, bounds, lint/);
  });
});
