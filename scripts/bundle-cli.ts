/**
 * The CLI bundled for the installed package: `src/cli/entry.ts` and what it imports, as a few
 * ES module files in `dist/cli/` (one entry, one file per command loaded on demand, shared
 * chunks). Loading ~200 modules one by one (resolve, read, compile-cache lookup, link) was
 * about a third of what every `rampart` command did before reading its input.
 *
 * Packages stay external (resolved from `node_modules` as before, loaded only by the commands
 * that import them), except the small ones `lint` and `compile` may load (`BUNDLED_PACKAGES`).
 *
 * A bundled source file may find a file beside it through `import.meta.url` (the JSON Schema,
 * the prebuilt ES module engine, the example policy): each one's `import.meta.url` is replaced
 * by the address of its compiled twin in `dist/`, relative to the bundle, so those files are
 * found where `tsc` put the rest of the build.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import type { Plugin } from "esbuild";

/**
 * Packages bundled into the CLI: plain JavaScript that `lint` and `compile` may load. Each runs
 * on first use (`lazyPackages`): setting up regexp-tree's parser tables was ~8 % of a one-line
 * `lint`'s instructions, for a policy that may have no regular expression at all.
 */
const BUNDLED_PACKAGES = ["regexp-tree", "ipaddr.js"];

/**
 * Single files of external packages bundled all the same: every policy check runs them, and
 * loading one CommonJS file from `node_modules` (resolution, the CommonJS loader) cost more
 * than the file.
 */
const BUNDLED_FILES = ["ajv/dist/runtime/ucs2length.js"];

/** The bundle's folder inside `dist/`, and its entry file. */
export const CLI_BUNDLE_DIR = "cli";
export const CLI_BUNDLE_ENTRY = "rampart-cli.js";

/** `import.meta.url` of each source file, pointed at its compiled twin in `dist/`. */
function twinUrls(root: string, dist: string, outdir: string): Plugin {
  return {
    name: "rampart-twin-urls",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import.meta.")) return { contents: source, loader: "ts" };
        const twin = join(dist, relative(root, args.path)).replace(/\.ts$/, ".js");
        const fromBundle = relative(outdir, twin).split(sep).join("/");
        const contents = source
          .replaceAll(
            "import.meta.url",
            `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
          )
          // A bundled file is never the process's entry module.
          .replaceAll("import.meta.main", "false");
        return { contents, loader: "ts", resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * An `import x from "<bundled package>"` in the sources becomes an object whose members are read
 * from the package, loaded (`require`, which esbuild turns into a call of the bundled package's
 * wrapper) on the first read. The sources only import these packages' default export and read
 * its members; any other import fails the build ("No matching export").
 */
function lazyPackages(): Plugin {
  const filter = new RegExp(`^(${BUNDLED_PACKAGES.map(escapeRegExp).join("|")})(/|$)`);
  return {
    name: "rampart-lazy-packages",
    setup(build) {
      build.onResolve({ filter }, (args) => {
        if (args.kind !== "import-statement") return undefined;
        return { path: args.path, namespace: "lazy-package", pluginData: args.resolveDir };
      });
      build.onLoad({ filter: /.*/, namespace: "lazy-package" }, (args) => ({
        contents: [
          "let loaded;",
          `const load = () => (loaded ??= require(${JSON.stringify(args.path)}));`,
          "export default new Proxy({}, { get: (_target, key) => Reflect.get(load(), key) });",
        ].join("\n"),
        loader: "js",
        resolveDir: args.pluginData as string,
      }));
    },
  };
}

/** `text` as a regular expression's source that matches it literally. */
function escapeRegExp(text: string): string {
  return text.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** `BUNDLED_FILES`, resolved from the project's `node_modules` into the bundle. */
function bundledFiles(root: string): Plugin {
  const resolveFile = createRequire(join(root, "package.json")).resolve;
  return {
    name: "rampart-bundled-files",
    setup(build) {
      for (const file of BUNDLED_FILES) {
        build.onResolve({ filter: new RegExp(`^${escapeRegExp(file)}$`) }, () => ({
          path: resolveFile(file),
        }));
      }
    },
  };
}

/** Bundles the CLI into `dist/cli/` (esbuild is a dev dependency: this runs at build time). */
export async function bundleCli(root: string, dist: string): Promise<void> {
  const { build } = await import("esbuild");
  const outdir = join(dist, CLI_BUNDLE_DIR);
  const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as Record<
    string,
    Record<string, string> | undefined
  >;
  const packages = ["dependencies", "devDependencies", "peerDependencies"].flatMap((field) =>
    Object.keys(manifest[field] ?? {}),
  );
  await build({
    entryPoints: { [CLI_BUNDLE_ENTRY.replace(/\.js$/, "")]: join(root, "src", "cli", "entry.ts") },
    bundle: true,
    // Commands are imported on demand (src/cli/main.ts): each becomes its own file.
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node24",
    outdir,
    chunkNames: "[name]-[hash]",
    external: packages.filter((name) => !BUNDLED_PACKAGES.includes(name)),
    // No `keepNames`: it wrapped each of ~1,100 functions in a call that redefines its `name`
    // as the module loads, 6 % of a one-line `lint`'s instructions (BENCHMARKS.md, "Start-up,
    // relaunch and GC of batch commands, twelfth session"). Only the functions esbuild renames
    // (a name taken by another bundled module) then report another `name`; nothing reads a
    // function's name, and a `--debug` stack trace names the sources through the source maps.
    // Without the layout and the comments the sources keep, every command reads, decodes and
    // scans a third less text before it starts: -9 % of the instructions of a one-line `lint`
    // (BENCHMARKS.md, "Start-up and the batch heap, tenth session"). Identifiers are kept, and the
    // source map points a `--debug` stack trace back at the sources (bin.js turns it on).
    minifyWhitespace: true,
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "inline",
    plugins: [lazyPackages(), bundledFiles(root), twinUrls(root, dist, outdir)],
    logLevel: "warning",
  });
}
