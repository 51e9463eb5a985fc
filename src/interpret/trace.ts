/**
 * The trace of one decision: each pipeline stage in SPEC order, whether it passed, was skipped
 * (not applicable to the tunnel) or decided, and the rule it consulted. `rampart explain` and
 * failing policy tests print it.
 */
import type { Span } from "../diagnostics/span.ts";
import type { Stage } from "../ir/decision.ts";

/** One stage's part in a decision. */
export interface TraceStep {
  readonly stage: Stage | "handshake";
  readonly result: "pass" | "skip" | "decide";
  readonly rule: string;
  readonly origin: Span | null;
  /** What the stage looked at and concluded, in words. */
  readonly note: string;
}

/** Where the interpreter reports each step of a decision; it never reads them back. */
export interface TraceSink {
  add(
    stage: TraceStep["stage"],
    result: TraceStep["result"],
    rule: string,
    origin: Span | null,
    note: string,
  ): void;
}

/** Appends steps in order; the interpreter threads one through a decision. */
export class TraceLog implements TraceSink {
  readonly steps: TraceStep[] = [];

  add(
    stage: TraceStep["stage"],
    result: TraceStep["result"],
    rule: string,
    origin: Span | null,
    note: string,
  ): void {
    this.steps.push({ stage, result, rule, origin, note });
  }
}

/** Keeps no steps: for callers that need the decision alone (analyses make thousands). */
export const DISCARD_TRACE: TraceSink = { add: () => {} };
