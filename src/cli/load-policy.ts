/**
 * Reading policy files for the commands: the file system part of the static pipeline, whose
 * stages are listed in `src/pipeline.ts`.
 */
import type { SourceFile } from "../diagnostics/span.ts";
import type { CheckedPolicy, PipelineOptions } from "../pipeline.ts";
import { runPipeline } from "../pipeline.ts";
import { runLintRules } from "../lint/run.ts";
import type { Io } from "./io.ts";
import { UnreadableFile } from "./io.ts";

export type { CheckedPolicy } from "../pipeline.ts";
export { checkPolicySource } from "../pipeline.ts";
export { UnreadableFile } from "./io.ts";

/**
 * A policy checked up to `bounds` (`until: "bounds"`), with the lint warnings a full check
 * would have added: for a command that shows warnings only next to errors (`diff`).
 */
export function withLint(checked: CheckedPolicy): CheckedPolicy {
  if (checked.effective === undefined || checked.ir === undefined) return checked;
  const warnings = runLintRules(checked.effective, checked.ir);
  return { ...checked, diagnostics: [...checked.diagnostics, ...warnings] };
}

/**
 * Reads a policy file as a SourceFile. It keeps its bytes, which the JSON span index and the DSL
 * scanner read instead of a copy of the text (`SourceFile.bytes`, `code-units.ts`).
 */
export async function readSource(path: string, io: Io): Promise<SourceFile> {
  try {
    const bytes = await io.readFileBytes(path);
    return { name: path, text: bytes.toString("utf8"), bytes };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : String(code ?? error);
    throw new UnreadableFile(path, reason);
  }
}

/** Reads and checks one policy file (every stage, unless `options.until` names one). */
export async function checkPolicyFile(
  path: string,
  io: Io,
  options: PipelineOptions = {},
): Promise<CheckedPolicy> {
  return runPipeline(await readSource(path, io), options);
}
