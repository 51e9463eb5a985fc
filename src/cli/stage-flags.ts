/**
 * `--timings` and `--dump-after STAGE`, shared by `lint` and `compile`: a look inside the
 * static pipeline (`src/pipeline.ts`) without a debugger.
 */
import type { CheckedPolicy, PipelineOptions, StageName } from "../pipeline.ts";
import { STAGE_NAMES, stageOutput } from "../pipeline.ts";
import { UsageError } from "./args.ts";
import type { Io } from "./io.ts";

/** The parseArgs options of the two flags. */
export const STAGE_FLAG_OPTIONS = {
  timings: { type: "boolean" },
  "dump-after": { type: "string" },
} as const;

export const stageFlagsHelp = `--timings            print each pipeline stage's time to stderr
--dump-after STAGE   print what STAGE produced as JSON to stdout and stop there
                     (${STAGE_NAMES.join(", ")}: the document, the IR, the effective policy)`;

export interface StageFlags {
  readonly timings: boolean;
  readonly dumpAfter: StageName | undefined;
}

/** Reads the two flags from parsed arguments. */
export function readStageFlags(values: Readonly<Record<string, unknown>>): StageFlags {
  const dumpAfter = values["dump-after"];
  if (dumpAfter !== undefined && !STAGE_NAMES.some((name) => name === dumpAfter)) {
    throw new UsageError(`--dump-after takes one of ${STAGE_NAMES.join(", ")}`);
  }
  return {
    timings: values["timings"] === true,
    dumpAfter: STAGE_NAMES.find((name) => name === dumpAfter),
  };
}

/** The pipeline options the flags ask for. */
export function pipelineOptions(flags: StageFlags): PipelineOptions {
  return flags.dumpAfter === undefined ? {} : { until: flags.dumpAfter };
}

/** Writes one file's stage times to stderr: `policy.rampart: parse 3.1 ms, lower 0.8 ms, …`. */
export function reportTimings(io: Io, checked: CheckedPolicy): void {
  const parts = checked.timings.map((t) => `${t.stage} ${t.milliseconds.toFixed(1)} ms`);
  io.err(`${checked.source.name}: ${parts.join(", ")}\n`);
}

/**
 * Writes what the stage produced for each file as one JSON document: an object keyed by file
 * name, `null` where the pipeline stopped before that stage. Maps become objects and sets
 * arrays, so every IR value has a JSON form.
 */
export function dumpStage(io: Io, checked: readonly CheckedPolicy[], stage: StageName): void {
  const byFile = Object.fromEntries(
    checked.map((c) => [c.source.name, stageOutput(c, stage) ?? null]),
  );
  io.out(`${JSON.stringify(byFile, jsonValue, 2)}\n`);
}

function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (typeof value === "bigint") return value.toString();
  if (value instanceof RegExp) return value.source;
  return value;
}
