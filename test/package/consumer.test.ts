/**
 * The package as a user gets it (issue #16): `npm pack` the repository, install the tarball
 * into a fresh project, and there run the bin, import every entry from plain JavaScript, decide
 * a request on a compiled bundle, type-check a strict TypeScript consumer against the shipped
 * declarations, run a property test with `rampart/testing`, and import `rampart/decide` with
 * the parser's packages removed. The install uses npm's cache (`--prefer-offline`): every
 * dependency is already there from the repository's own `npm ci`.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LIST_LOADED_MODULES, loadedModules } from "../cli/loaded-modules.ts";
import { NODE_PATH_ENV, npm, packRepository, REPO, run } from "./npm.ts";

const FIXTURE = join(REPO, "test", "package", "consumer");
const work = mkdtempSync(join(tmpdir(), "rampart-consumer-"));
const project = join(work, "project");
let tarball = "";

/** The version the repository resolved, so the install is served from npm's cache. */
function installedVersion(name: string): string {
  const manifest = join(REPO, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

const rampart = (args: readonly string[]) =>
  run(join(project, "node_modules", ".bin", "rampart"), args, project);

describe(
  "the packed package, installed in a fresh project (issue #16)",
  { timeout: 600_000 },
  () => {
    before(async () => {
      tarball = await packRepository(work);
      cpSync(FIXTURE, project, { recursive: true });
      writeFileSync(
        join(project, "package.json"),
        JSON.stringify({
          name: "consumer",
          private: true,
          type: "module",
          dependencies: {
            rampart: `file:${tarball}`,
            "fast-check": installedVersion("fast-check"),
            "@types/node": installedVersion("@types/node"),
          },
        }),
      );
      await npm(
        ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
        project,
        300_000,
      );
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    it("ships the build and no sources or tests", () => {
      const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
      assert.ok(listing.includes("package/bin/rampart.js"));
      assert.ok(listing.includes("package/dist/src/decide.js"));
      assert.ok(listing.includes("package/dist/src/decide.d.ts"));
      assert.ok(listing.includes("package/dist/src/decide.js.map"));
      const strays = listing.filter(
        (f) => f.startsWith("package/test/") || (f.endsWith(".ts") && !f.endsWith(".d.ts")),
      );
      assert.deepEqual(strays, []);
    });

    it("runs the bin: --version, lint, compile", async () => {
      const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
        version: string;
      };
      assert.equal((await rampart(["--version"])).stdout, `rampart ${manifest.version}\n`);
      assert.match((await rampart(["lint", "policy.rampart"])).stdout, /no problems/);
      const compiled = await rampart(["compile", "policy.rampart", "-o", "bundle.json"]);
      assert.match(compiled.stderr, /wrote bundle\.json: 1 policies, 1 tunnels/);
    });

    it("runs the CLI bundled at build time: a handful of modules, not the source graph", async () => {
      const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
      assert.ok(listing.includes("package/dist/cli/rampart-cli.js"));
      const bin = join(project, "node_modules", "rampart", "bin", "rampart.js");
      const { stderr } = await run(
        process.execPath,
        ["--import", LIST_LOADED_MODULES, bin, "lint", "policy.rampart"],
        project,
      );
      const urls = loadedModules(stderr) ?? [];
      assert.ok(
        urls.some((url) => url.endsWith("/dist/cli/rampart-cli.js")),
        stderr,
      );
      assert.ok(!urls.some((url) => url.includes("/dist/src/pipeline.js")), stderr);
      // ajv's one runtime file that policy validation calls is bundled too.
      assert.deepEqual(
        urls.filter((url) => url.includes("/node_modules/") && !url.includes("/rampart/")),
        [],
      );
      // The sources are ~220 modules for `lint` (bin, dispatcher, pipeline, regexp-tree …).
      assert.ok(urls.length < 40, `${urls.length} modules: ${urls.join("\n")}`);
    });

    it("reads regexes and IPv6 addresses as the sources do: the bundle loads regexp-tree and ipaddr.js on first use", () => {
      // S-T5: an unsafe regex (RP3008, read by regexp-tree); S-A3: IPv6 ranges (ipaddr.js).
      const policies = [
        "fixtures/invalid/RP3008-backtracking-regex.rampart",
        "fixtures/policies/acme.rampart",
      ];
      const bin = join(project, "node_modules", "rampart", "bin", "rampart.js");
      for (const policy of policies) {
        const installed = spawnSync(process.execPath, [bin, "lint", join(REPO, policy)], {
          cwd: project,
          encoding: "utf8",
        });
        const sources = spawnSync(
          process.execPath,
          [join(REPO, "src", "cli", "bin.js"), "lint", join(REPO, policy)],
          { cwd: project, encoding: "utf8" },
        );
        assert.equal(installed.stdout, sources.stdout, policy);
        assert.equal(installed.status, sources.status, policy);
      }
    });

    it("compiles to a self-contained ES module without esbuild (the engine ships prebuilt)", async () => {
      assert.equal(existsSync(join(project, "node_modules", "esbuild")), false);
      await rampart(["compile", "policy.rampart", "--target", "esm", "-o", "policy.mjs"]);
      const script = 'import("./policy.mjs").then((m) => console.log(Object.keys(m).length > 0))';
      assert.equal((await run(process.execPath, ["-e", script], project)).stdout, "true\n");
    });

    it("lints an invalid JSON policy from the build (the schema module loads lazily)", async () => {
      writeFileSync(join(project, "bad.json"), JSON.stringify({ project: { plan: 7 } }));
      const failed = await rampart(["lint", "--format", "json", "bad.json"]).catch(
        (error: Error) => error.message,
      );
      assert.match(String(failed), /"code": ?"RP2\d{3}"/);
    });

    it("imports every entry from plain ESM and decides a request on the compiled bundle", async () => {
      if (!existsSync(join(project, "bundle.json")))
        await rampart(["compile", "policy.rampart", "-o", "bundle.json"]);
      const { stdout } = await run(process.execPath, ["decide.mjs"], project);
      assert.deepEqual(JSON.parse(stdout), {
        office: "forward",
        stranger: "deny 403 project.trusted_ips",
        lintCodes: ["RP1005"],
        startRuntime: "function",
        laws: "function",
        schemaId: JSON.parse(readFileSync(join(REPO, "grammar", "policy.schema.json"), "utf8")).$id,
      });
    });

    it("type-checks a strict TypeScript consumer (nodenext, skipLibCheck off) with no error", async () => {
      const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
      const checked = await run(process.execPath, [tsc, "-p", "tsconfig.json"], project).catch(
        (error: Error) => error.message,
      );
      assert.equal(typeof checked, "object", String(checked));
    });

    it("runs a property test with rampart/testing and fast-check", async () => {
      assert.equal((await run(process.execPath, ["property.mjs"], project)).stdout, "laws hold\n");
    });

    it("runs the README's library example on the example policy's bundle", async () => {
      const readme = readFileSync(join(REPO, "README.md"), "utf8");
      const section = readme.slice(readme.indexOf("## Use it as a library"));
      const example = /```js\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
      const printed = /console\.log\(.*\); \/\/ (.+)$/m.exec(example)?.[1];
      assert.ok(printed !== undefined, "the example says what it prints");
      const dir = join(project, "readme");
      mkdirSync(dir);
      cpSync(join(REPO, "fixtures", "policies", "acme.rampart"), join(dir, "acme.rampart"));
      writeFileSync(join(dir, "example.mjs"), example);
      await run(
        join(project, "node_modules", ".bin", "rampart"),
        ["compile", "acme.rampart", "-o", "bundle.json"],
        dir,
      );
      assert.equal((await run(process.execPath, ["example.mjs"], dir)).stdout, `${printed}\n`);
    });

    it("ships the JSON Schema where the README's VS Code line points", () => {
      const readme = readFileSync(join(REPO, "README.md"), "utf8");
      const url = /"url": "\.\/(node_modules\/rampart\/[^"]+)"/.exec(readme)?.[1];
      assert.ok(url !== undefined);
      const schema = JSON.parse(readFileSync(join(project, url), "utf8")) as { $id: string };
      assert.match(schema.$id, /^https:\/\//);
    });

    it("imports rampart/decide and loads a bundle with chevrotain and zod removed", async () => {
      if (!existsSync(join(project, "bundle.json")))
        await rampart(["compile", "policy.rampart", "-o", "bundle.json"]);
      for (const name of ["chevrotain", "zod", "ajv"]) {
        rmSync(join(project, "node_modules", name), { recursive: true, force: true });
      }
      const script = [
        'import { readFileSync } from "node:fs";',
        'import { loadBundle } from "rampart/decide";',
        'const loaded = loadBundle(readFileSync("bundle.json", "utf8"));',
        "console.log(loaded.value.length);",
      ].join("\n");
      const { stdout } = await run(
        process.execPath,
        ["--input-type=module", "-e", script],
        project,
        60_000,
        NODE_PATH_ENV,
      );
      assert.equal(stdout, "1\n");
    });
  },
);
