/**
 * package.json as npm and Node read it (issue #16): every public entry has `types` and
 * `default` targets that the build produces, the allow-list ships the build only, `engines`
 * says what the bin checks, and on an older Node the bin says so in one line.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { REPO } from "./npm.ts";

const exec = promisify(execFile);

interface Manifest {
  readonly private?: boolean;
  readonly version: string;
  readonly engines: { readonly node: string };
  readonly files: readonly string[];
  readonly bin: Readonly<Record<string, string>>;
  readonly exports: Readonly<Record<string, string | { types: string; default: string }>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
  readonly scripts: Readonly<Record<string, string>>;
}

const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as Manifest;

/** The source a `dist/` target is compiled from (tsconfig.build.json: rootDir `.`). */
function sourceOf(target: string, from: RegExp, to: string): string {
  assert.match(target, from, target);
  return join(REPO, target.replace(/^\.\/dist\//, "").replace(from, to));
}

describe("package.json (issue #16)", () => {
  it("is publishable, ships bin/ and dist/ only, and builds on prepare", () => {
    assert.equal(manifest.private, undefined);
    assert.deepEqual(manifest.files, ["bin/", "dist/"]);
    assert.equal(manifest.scripts["prepare"], "npm run build");
    assert.ok(manifest.peerDependencies["fast-check"] !== undefined);
  });

  it("maps every code entry to declarations and JavaScript built from an existing source", () => {
    const entries = Object.entries(manifest.exports).filter(([, t]) => typeof t !== "string");
    assert.deepEqual(
      entries.map(([name]) => name),
      [".", "./decide", "./runtime", "./testing"],
    );
    for (const [, target] of entries) {
      if (typeof target === "string") continue;
      assert.deepEqual(Object.keys(target), ["types", "default"], "types must come first");
      assert.ok(existsSync(sourceOf(target.default, /\.js$/, ".ts")), target.default);
      assert.ok(existsSync(sourceOf(target.types, /\.d\.ts$/, ".ts")), target.types);
    }
  });

  it("engines.node names the major version that the bin checks first", () => {
    const bin = readFileSync(join(REPO, "src", "cli", "bin.js"), "utf8");
    const needed = /const NODE_MAJOR_NEEDED = (\d+);/.exec(bin)?.[1];
    assert.equal(manifest.engines.node, `>=${needed}`);
    assert.equal(manifest.bin["rampart"], "bin/rampart.js");
  });

  it("the bin on an older Node prints one line, no stack trace, and exits 2", async () => {
    // Node 24 made to report an older version before the bin runs: the check is the first
    // thing the bin does, so this is what Node 20 or 22 sees.
    const older =
      'data:text/javascript,Object.defineProperty(process, "versions", { value: { ...process.versions, node: "20.19.0" } });';
    const failed = await exec(process.execPath, ["--import", older, "bin/rampart.js", "lint"], {
      cwd: REPO,
      timeout: 30_000,
    }).then(
      () => assert.fail("the bin ran on an older Node"),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal(failed.code, 2);
    assert.equal(failed.stdout, "");
    assert.equal(failed.stderr, "rampart: needs Node.js 24 or newer; this is Node.js 20.19.0\n");
  });

  it("rampart --version prints the package version", async () => {
    const { stdout } = await exec(process.execPath, ["bin/rampart.js", "--version"], {
      cwd: REPO,
      timeout: 30_000,
    });
    assert.equal(stdout, `rampart ${manifest.version}\n`);
  });
});
