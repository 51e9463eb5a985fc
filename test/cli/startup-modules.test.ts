/**
 * What a command loads before it reads its input (issue #19): the executable imports only what
 * the command needs. A module imported through Node's options lists every module the process
 * loaded; the command's own output comes through as usual.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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
});
