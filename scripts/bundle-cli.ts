/**
 * The CLI bundled for the installed package: `src/cli/entry.ts` and what it imports, as a few
 * ES module files in `dist/cli/` (one entry, one file per command loaded on demand, shared
 * chunks). Loading ~200 modules one by one (resolve, read, compile-cache lookup, link) was
 * about a third of what every `rampart` command did before reading its input.
 *
 * Packages stay external (resolved from `node_modules` as before, loaded only by the commands
 * that import them), except the small ones `lint` and `compile` always load.
 *
 * A bundled source file may find a file beside it through `import.meta.url` (the JSON Schema,
 * the prebuilt ES module engine, the example policy): each one's `import.meta.url` is replaced
 * by the address of its compiled twin in `dist/`, relative to the bundle, so those files are
 * found where `tsc` put the rest of the build.
 */
import { readFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { Plugin } from "esbuild";

/** Packages bundled into the CLI: plain JavaScript that `lint` and `compile` always load. */
const BUNDLED_PACKAGES = ["regexp-tree", "ipaddr.js"];

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
    // Error names and class names stay what the sources say.
    keepNames: true,
    // Without the layout and the comments the sources keep, every command reads, decodes and
    // scans a third less text before it starts: -9 % of the instructions of a one-line `lint`
    // (BENCHMARKS.md, "Start-up and the batch heap, tenth session"). Names are kept, and the
    // source map points a `--debug` stack trace back at the sources (bin.js turns it on).
    minifyWhitespace: true,
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "inline",
    plugins: [twinUrls(root, dist, outdir)],
    logLevel: "warning",
  });
}
