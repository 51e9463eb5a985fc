/**
 * The static pipeline, as a list of named stages: source text → document → IR → effective
 * policy → lint findings. Every command that reads a policy runs it; so do library users.
 *
 * Each stage takes what the stage before it produced and returns an `Outcome`. The runner
 * stops after the first stage that reports an error (a later stage never sees input an
 * earlier one refused) and keeps every diagnostic found on the way, so `lint` shows all that
 * is known about a file at once. Stages never throw for bad input.
 */
import type { Diagnostic, Outcome } from "./diagnostics/diagnostic.ts";
import { hasErrors } from "./diagnostics/diagnostic.ts";
import type { SourceFile } from "./diagnostics/span.ts";
import type { PolicyAst } from "./syntax/ast.ts";
import { parsePolicySource } from "./syntax/parse.ts";
import type { PolicyIr } from "./ir/types.ts";
import { lowerToIr } from "./ir/lower.ts";
import type { EffectivePolicy } from "./bounds/effective.ts";
import { computeEffective } from "./bounds/intersect.ts";
import { runLintRules } from "./lint/run.ts";

/** The names of the stages, in the order they run. */
export const STAGE_NAMES = ["parse", "lower", "bounds", "lint"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** What the stages have produced so far; a stage fills its own slot. */
export interface PipelineState {
  readonly source: SourceFile;
  readonly ast: PolicyAst | undefined;
  readonly ir: PolicyIr | undefined;
  readonly effective: EffectivePolicy | undefined;
}

/** One stage: its name, and a function from the state so far to its outcome. */
interface Stage {
  readonly name: StageName;
  readonly run: (state: PipelineState) => {
    state: PipelineState;
    diagnostics: readonly Diagnostic[];
  };
}

/** A stage's outcome written into the state when it succeeded (no error among its diagnostics). */
function settle<K extends "ast" | "ir" | "effective">(
  state: PipelineState,
  key: K,
  outcome: Outcome<PipelineState[K]>,
): { state: PipelineState; diagnostics: readonly Diagnostic[] } {
  const value = hasErrors(outcome.diagnostics) ? undefined : outcome.value;
  return { state: { ...state, [key]: value }, diagnostics: outcome.diagnostics };
}

/** The stages, in order. Each one's input is the slot the stage before it filled. */
export const STAGES: readonly Stage[] = [
  // DSL or JSON, chosen by content; syntax and schema errors. Produces the document model.
  { name: "parse", run: (state) => settle(state, "ast", parsePolicySource(state.source)) },
  // Normalizes every value and runs the semantic checks (`ir/passes/`) in the same stage, with
  // one diagnostic bag: a value that fails to lower must not hide a duplicate host elsewhere.
  {
    name: "lower",
    run: (state) =>
      state.ast === undefined ? skipped(state) : settle(state, "ir", lowerToIr(state.ast)),
  },
  // Must run after `lower`: intersects each tunnel with its project's bounds (S-A1).
  {
    name: "bounds",
    run: (state) =>
      state.ir === undefined
        ? skipped(state)
        : settle(state, "effective", computeEffective(state.ir)),
  },
  // Must run after `bounds`: the rules read the effective policy. Warnings only.
  {
    name: "lint",
    run: (state) =>
      state.effective === undefined || state.ir === undefined
        ? skipped(state)
        : { state, diagnostics: runLintRules(state.effective, state.ir) },
  },
];

function skipped(state: PipelineState): {
  state: PipelineState;
  diagnostics: readonly Diagnostic[];
} {
  return { state, diagnostics: [] };
}

/** How long one stage took. */
export interface StageTiming {
  readonly stage: StageName;
  readonly milliseconds: number;
}

/** How far a policy got through the pipeline, and everything found on the way. */
export interface CheckedPolicy extends PipelineState {
  readonly diagnostics: readonly Diagnostic[];
  /** Each stage that ran, with its wall time. */
  readonly timings: readonly StageTiming[];
}

export interface PipelineOptions {
  /** The last stage to run (every stage by default). */
  readonly until?: StageName;
  /** Hears each stage as it starts (a progress line on a terminal). */
  readonly onStage?: (stage: StageName) => void;
}

/**
 * Runs the stages on one source text, stopping after the first stage with errors (or after
 * `until`). Never throws for bad input.
 */
export function runPipeline(source: SourceFile, options: PipelineOptions = {}): CheckedPolicy {
  let state: PipelineState = { source, ast: undefined, ir: undefined, effective: undefined };
  const diagnostics: Diagnostic[] = [];
  const timings: StageTiming[] = [];
  for (const stage of STAGES) {
    options.onStage?.(stage.name);
    const started = performance.now();
    const result = stage.run(state);
    timings.push({ stage: stage.name, milliseconds: performance.now() - started });
    state = result.state;
    diagnostics.push(...result.diagnostics);
    if (hasErrors(result.diagnostics) || stage.name === options.until) break;
  }
  return { ...state, diagnostics, timings };
}

/** Runs every stage on one source text (the form most callers want). */
export function checkPolicySource(source: SourceFile): CheckedPolicy {
  return runPipeline(source);
}

/** The value a stage produced, for `--dump-after`: the document, the IR or the effective policy. */
export function stageOutput(checked: PipelineState, stage: StageName): unknown {
  switch (stage) {
    case "parse":
      return checked.ast?.document;
    case "lower":
      return checked.ir;
    case "bounds":
    case "lint":
      return checked.effective;
  }
}
