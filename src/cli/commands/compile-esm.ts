/**
 * `rampart compile --target esm -o decide.mjs`: writes the ES module of the policies, its
 * source map (`decide.mjs.map`, tunnels and grants mapped to their lines in the policy files)
 * and its type declarations (`decide.d.mts` for `.mjs`, `decide.d.ts` for `.js`).
 */
import { basename, dirname, relative, resolve } from "node:path";
import type { EffectivePolicy } from "../../bounds/effective.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { SourceFile } from "../../diagnostics/span.ts";
import { moduleDeclarations } from "../../compile/esm/declarations.ts";
import { emitEsmModule } from "../../compile/esm/emit-module.ts";
import { esmEngineSource } from "../../compile/esm/engine-source.ts";
import type { Io } from "../io.ts";

/** The declaration file TypeScript looks for beside a module. */
export function declarationPath(output: string): string {
  if (output.endsWith(".mjs")) return `${output.slice(0, -4)}.d.mts`;
  if (output.endsWith(".js")) return `${output.slice(0, -3)}.d.ts`;
  return `${output}.d.ts`;
}

export async function writeEsmTarget(
  output: string,
  policies: readonly EffectivePolicy[],
  diagnostics: readonly Diagnostic[],
  sources: readonly SourceFile[],
  minify: boolean,
  io: Io,
): Promise<void> {
  const texts = new Map(sources.map((s) => [s.name, s.text]));
  const module = emitEsmModule(policies, diagnostics, await esmEngineSource(minify), texts);
  const mapPath = `${output}.map`;
  const map = module.map;
  if (map !== null) {
    // Source names relative to the map, as tools resolve them.
    const sourcesFromMap = map.sources.map((name) =>
      name === null ? null : relative(dirname(resolve(io.cwd, mapPath)), resolve(io.cwd, name)),
    );
    await io.writeFile(
      mapPath,
      `${JSON.stringify({ ...map, file: basename(output), sources: sourcesFromMap })}\n`,
    );
  }
  // The file name is the user's, not the policy's; encoded, it cannot end the comment's line.
  const trailer =
    map === null ? "" : `//# sourceMappingURL=${encodeURIComponent(basename(mapPath))}\n`;
  await io.writeFile(output, module.code + trailer);
  await io.writeFile(declarationPath(output), moduleDeclarations());
  const tunnels = policies.reduce((n, p) => n + p.tunnels.length, 0);
  const kib = (module.code.length / 1024).toFixed(1);
  io.err(
    `wrote ${output} (${kib} KiB), its source map and declarations: ${policies.length} policies, ${tunnels} tunnels\n`,
  );
}
