/**
 * What a command loads before it reads its input (issue #19): the executable imports only what
 * the command needs. A module imported through Node's options lists every module the process
 * loaded; the command's own output comes through as usual.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LIST_LOADED_MODULES, loadedModules } from "./loaded-modules.ts";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "src", "cli", "bin.js");

/** Runs `rampart ARGS` and returns its exit code, its output and the modules it loaded. */
function loadedBy(args: readonly string[]) {
  const r = spawnSync(process.execPath, ["--import", LIST_LOADED_MODULES, bin, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  const modules = loadedModules(r.stderr);
  assert.ok(modules !== undefined, r.stderr);
  return { status: r.status, stdout: r.stdout, modules };
}

const fromFolder = (modules: readonly string[], folder: string) =>
  modules.filter((url) => url.includes(folder));

describe("start-up: what a command loads", () => {
  it("`rampart --version` and `rampart --help` load the dispatcher, not the pipeline", () => {
    for (const args of [["--version"], ["--help"]]) {
      const { status, modules } = loadedBy(args);
      assert.equal(status, 0);
      for (const folder of ["/grammar/", "/src/syntax/", "/src/ir/", "/node_modules/"]) {
        assert.deepEqual(fromFolder(modules, folder), [], `${args[0]} loads ${folder}`);
      }
    }
  });

  it("`lint` and `compile` of a valid DSL policy load neither Chevrotain nor the signing and module-writing libraries", () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-startup-"));
    try {
      const policy = join(dir, "p.rampart");
      writeFileSync(policy, 'project "p" {\n  name "P"\n  plan pro\n}\n');
      const runs = [
        ["lint", policy],
        ["compile", policy, "-o", join(dir, "p.json")],
      ];
      for (const args of runs) {
        const { status, modules } = loadedBy(args);
        assert.equal(status, 0, args[0]);
        for (const unwanted of ["/chevrotain/", "/jose/", "/@jridgewell/gen-mapping/"]) {
          assert.deepEqual(fromFolder(modules, unwanted), [], `${args[0]} loads ${unwanted}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("`lint` of a policy with a syntax error loads Chevrotain and reports the error", () => {
    const dir = mkdtempSync(join(tmpdir(), "rampart-startup-"));
    try {
      const policy = join(dir, "bad.rampart");
      writeFileSync(policy, 'project "p" {\n  plan pr0\n}\n');
      const { status, stdout, modules } = loadedBy(["lint", policy]);
      assert.equal(status, 1);
      assert.match(stdout, /error\[RP1004\]: expected `basic`, `pro` or `enterprise`, found `pr0`/);
      assert.ok(fromFolder(modules, "/chevrotain/").length > 0, "Chevrotain is loaded");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
