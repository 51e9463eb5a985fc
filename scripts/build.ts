/**
 * `npm run build`: the package as npm installs it. tsc compiles src/ and grammar/ to dist/
 * (JavaScript, declarations, source maps; `.ts` import specifiers become `.js`), then the
 * files the compiled code reads at run time are copied beside it at the same relative paths.
 * Run by `prepare` (so `npm ci` builds) and `prepack`; it starts from an empty dist/.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

/** Files read or imported by path at run time, which tsc does not emit. */
const ASSETS = [
  "src/cli/bin.js", // the executable: plain JavaScript, so that it runs before type stripping
  "src/syntax/generated/validate-policy.js", // the policy validator compiled ahead of time
  "src/syntax/generated/validate-policy.d.ts",
  "src/syntax/generated/validate-dsl-policy.js", // the same, for documents the DSL wrote
  "src/syntax/generated/validate-dsl-policy.d.ts",
  "grammar/policy.schema.json", // the JSON Schema, also exported for editors
  "fixtures/policies/acme.rampart", // `rampart serve --example`
];

rmSync(dist, { recursive: true, force: true });
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});
for (const asset of ASSETS) {
  const target = join(dist, asset);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(root, asset), target);
}
// The engine of `rampart compile --target esm`, bundled now: esbuild is a dev dependency
// (src/compile/esm/engine-source.ts reads these files when they are there).
const { bundleEsmEngine } = await import("../src/compile/esm/engine-source.ts");
const esm = join(dist, "src", "compile", "esm");
writeFileSync(join(esm, "esm-engine.js"), await bundleEsmEngine(false));
writeFileSync(join(esm, "esm-engine.min.js"), await bundleEsmEngine(true));
// The CLI as the installed `rampart` runs it: bundled into a few files (see bundle-cli.ts).
const { bundleCli } = await import("./bundle-cli.ts");
await bundleCli(root, dist);
console.log(`built ${dist}`);
