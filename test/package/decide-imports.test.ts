/**
 * `rampart/decide` is what a proxy loads (issue #16): its import graph holds no parser, no
 * Chevrotain, no zod, no ajv and no interpreter, and it loads less than the runtime entry.
 * A child process imports the entry with a resolve hook that makes those packages and source
 * folders absent (resolution fails as if they were not installed), then loads and decides on
 * a bundle. The packed package is checked the same way with the packages deleted
 * (consumer.test.ts).
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { promisify } from "node:util";
import { REPO } from "./npm.ts";

const exec = promisify(execFile);

const ABSENT = String.raw`(^|\/)(chevrotain|zod|ajv)(\/|$)|\/(grammar|src\/syntax|src\/interpret)\/`;

/** Imports `entry` with the ABSENT modules unresolvable; prints how many modules it loaded. */
const SCRIPT = `
import module from "node:module";
import { readFileSync } from "node:fs";
const absent = new RegExp(${JSON.stringify(ABSENT)});
const loaded = new Set();
module.registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    if (absent.test(specifier) || absent.test(resolved.url)) {
      const error = new Error("absent: " + specifier + " from " + context.parentURL);
      error.code = "ERR_MODULE_NOT_FOUND";
      throw error;
    }
    loaded.add(resolved.url);
    return resolved;
  },
});
const entry = await import(process.argv[1]);
if (process.argv[2] !== undefined) {
  const bundle = entry.loadBundle(readFileSync(process.argv[2], "utf8"));
  if (bundle.value === undefined) throw new Error(JSON.stringify(bundle.diagnostics));
}
console.log(loaded.size);
`;

async function modulesLoaded(entry: string, bundle?: string): Promise<number> {
  const args = ["--input-type=module", "-e", SCRIPT, join(REPO, entry)];
  const { stdout } = await exec(process.execPath, bundle === undefined ? args : [...args, bundle], {
    cwd: REPO,
    timeout: 60_000,
  });
  return Number(stdout.trim());
}

it("rampart/decide imports and loads a bundle with the parser, chevrotain, zod and ajv absent", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rampart-decide-"));
  try {
    const bundle = join(dir, "bundle.json");
    execFileSync(
      process.execPath,
      [
        join(REPO, "src", "cli", "bin.js"),
        "compile",
        join(REPO, "fixtures", "policies", "acme.rampart"),
        "-o",
        bundle,
      ],
      { stdio: "ignore", timeout: 60_000 },
    );
    assert.ok((await modulesLoaded("src/decide.ts", bundle)) > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("the hook does refuse what it makes absent (the entry that parses fails to import)", async () => {
  await assert.rejects(modulesLoaded("src/index.ts"), /absent: /);
});

it("rampart/decide loads fewer modules than rampart/runtime", async () => {
  const decide = await modulesLoaded("src/decide.ts");
  const runtime = await exec(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      SCRIPT.replace("if (absent.test(specifier) || absent.test(resolved.url))", "if (false)"),
      join(REPO, "src/runtime/index.ts"),
    ],
    { cwd: REPO, timeout: 60_000 },
  );
  assert.ok(decide < Number(runtime.stdout.trim()), `${decide} vs ${runtime.stdout}`);
});
