/**
 * The static pipeline every command starts with: read → parse (DSL or JSON) → lower to IR →
 * intersect bounds → semantic lint rules. Each stage runs only on input the previous one accepted, and every stage's
 * diagnostics are kept, so `lint` shows all that is known about a file at once.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { hasErrors } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import type { PolicyAst } from "../syntax/ast.ts";
import { parsePolicySource } from "../syntax/parse.ts";
import type { PolicyIr } from "../ir/types.ts";
import { lowerToIr } from "../ir/lower.ts";
import type { EffectivePolicy } from "../bounds/effective.ts";
import { computeEffective } from "../bounds/intersect.ts";
import { runLintRules } from "../lint/run.ts";
import type { Io } from "./io.ts";

/** How far a policy got through the static pipeline, and everything found on the way. */
export interface CheckedPolicy {
  readonly source: SourceFile;
  readonly ast: PolicyAst | undefined;
  readonly ir: PolicyIr | undefined;
  readonly effective: EffectivePolicy | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Runs the static pipeline on one source text. Never throws for bad input. */
export function checkPolicySource(source: SourceFile): CheckedPolicy {
  const diagnostics: Diagnostic[] = [];
  const parsed = parsePolicySource(source);
  diagnostics.push(...parsed.diagnostics);
  const ast = hasErrors(parsed.diagnostics) ? undefined : parsed.value;
  if (ast === undefined) return { source, ast, ir: undefined, effective: undefined, diagnostics };

  const lowered = lowerToIr(ast);
  diagnostics.push(...lowered.diagnostics);
  const ir = hasErrors(lowered.diagnostics) ? undefined : lowered.value;
  if (ir === undefined) return { source, ast, ir, effective: undefined, diagnostics };

  const bounded = computeEffective(ir);
  diagnostics.push(...bounded.diagnostics);
  const effective = hasErrors(bounded.diagnostics) ? undefined : bounded.value;
  if (effective !== undefined) diagnostics.push(...runLintRules(effective, ir));
  return { source, ast, ir, effective, diagnostics };
}

/** A file that could not be read: a usage/I-O problem (exit 2), not a finding. */
export class UnreadableFile extends Error {
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`cannot read \`${path}\`: ${reason}`);
    this.path = path;
  }
}

/** Reads a policy file as a SourceFile. */
export async function readSource(path: string, io: Io): Promise<SourceFile> {
  try {
    return { name: path, text: await io.readFile(path) };
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

/** Reads and checks one policy file. */
export async function checkPolicyFile(path: string, io: Io): Promise<CheckedPolicy> {
  return checkPolicySource(await readSource(path, io));
}
