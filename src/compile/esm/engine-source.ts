/**
 * The engine part of an ES module target: `engine-entry.ts` and everything it imports, bundled
 * into one import-free ES module text by esbuild. A published package carries it prebuilt
 * beside this file (`esm-engine.js`, written by `npm run build`); in the repository it is
 * bundled on first use.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { ENGINE_NAME } from "./engine-name.ts";

/** How the engine is bundled: for any ES2022 runtime, no Node built-ins, optionally minified. */
export async function bundleEsmEngine(minify: boolean): Promise<string> {
  const { build } = await import("esbuild");
  const entry = fileURLToPath(new URL("./engine-entry.ts", import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    // An IIFE assigned to one module-scoped name: the module's own code calls the engine through
    // it, whatever the minifier renames inside.
    format: "iife",
    globalName: ENGINE_NAME,
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    minify,
    legalComments: "none",
    write: false,
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error("esbuild produced no output for the ESM engine");
  return output.text;
}

/** The engine's source: the prebuilt file when the package has one, else bundled now. */
export async function esmEngineSource(minify: boolean): Promise<string> {
  const prebuilt = new URL(minify ? "./esm-engine.min.js" : "./esm-engine.js", import.meta.url);
  try {
    return await readFile(prebuilt, "utf8");
  } catch {
    return bundleEsmEngine(minify);
  }
}
