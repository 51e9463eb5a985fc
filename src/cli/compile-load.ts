/**
 * What `serve` hands the runtime as `load`: policy files checked and compiled in this
 * process, or a bundle loaded without the compiler. Called at start and on every reload, so
 * a broken edit is reported as diagnostics and the running generation keeps serving.
 */
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import { hasErrors } from "../diagnostics/diagnostic.ts";
import type { CompiledPolicy } from "../compile/engine.ts";
import { compilePolicy } from "../compile/compile-policy.ts";
import { loadBundle } from "../compile/load-bundle.ts";
import type { Io } from "./io.ts";
import { checkPolicyFile, UnreadableFile } from "./load-policy.ts";

/** A loader that compiles `paths` afresh on every call. */
export function policyFilesLoader(
  paths: readonly string[],
  io: Io,
): () => Promise<Outcome<CompiledPolicy[]>> {
  return async () => {
    const diagnostics: Diagnostic[] = [];
    const compiled: CompiledPolicy[] = [];
    for (const path of paths) {
      try {
        const checked = await checkPolicyFile(path, io);
        diagnostics.push(...checked.diagnostics);
        if (checked.effective !== undefined) compiled.push(compilePolicy(checked.effective));
      } catch (error) {
        if (!(error instanceof UnreadableFile)) throw error;
        diagnostics.push({ code: "RP6001", severity: "error", message: error.message });
      }
    }
    return hasErrors(diagnostics)
      ? { value: undefined, diagnostics }
      : { value: compiled, diagnostics };
  };
}

/** A loader that reads and loads a bundle on every call. */
export function bundleLoader(path: string, io: Io): () => Promise<Outcome<CompiledPolicy[]>> {
  return async () => {
    let text: string;
    try {
      text = await io.readFile(path);
    } catch (error) {
      const reason =
        (error as { code?: string }).code === "ENOENT" ? "no such file" : String(error);
      return {
        value: undefined,
        diagnostics: [
          {
            code: "RP6001",
            severity: "error",
            message: `cannot read bundle \`${path}\`: ${reason}`,
          },
        ],
      };
    }
    return loadBundle(text);
  };
}
