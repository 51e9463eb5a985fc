/**
 * `rampart compile --target esm -o decide.mjs`: writes the ES module of the policies and its
 * type declarations beside it (`decide.d.mts` for `.mjs`, `decide.d.ts` for `.js`).
 */
import type { EffectivePolicy } from "../../bounds/effective.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { emitEsmModule } from "../../compile/esm/emit-module.ts";
import { esmEngineSource } from "../../compile/esm/engine-source.ts";
import { moduleDeclarations } from "../../compile/esm/declarations.ts";
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
  minify: boolean,
  io: Io,
): Promise<void> {
  const module = emitEsmModule(policies, diagnostics, await esmEngineSource(minify));
  await io.writeFile(output, module.code);
  await io.writeFile(declarationPath(output), moduleDeclarations());
  const tunnels = policies.reduce((n, p) => n + p.tunnels.length, 0);
  const kib = (module.code.length / 1024).toFixed(1);
  io.err(
    `wrote ${output} (${kib} KiB) and its declarations: ${policies.length} policies, ${tunnels} tunnels\n`,
  );
}
