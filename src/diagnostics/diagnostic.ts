import type { Span } from "./span.ts";
import type { DiagnosticCode } from "./codes.ts";

/** How bad a diagnostic is. Only `error` makes a stage fail. */
export type Severity = "error" | "warning" | "info";

/** A secondary location that explains the primary one ("the project bound is here"). */
export interface Label {
  readonly span: Span;
  readonly message: string;
}

/**
 * A user-facing problem. Messages follow one style: lower case, no final period, no line
 * breaks, identifiers in backticks; the fix goes in `help`, never in the message.
 */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  readonly labels?: readonly Label[];
  readonly help?: string;
}

/** What every stage returns: a value when it succeeded, and everything it found. */
export interface Outcome<T> {
  readonly value: T | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Thrown only for bugs in Rampart, never for bad input. Rendered as RP9001. */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InternalError";
  }
}

/** Sorts by file, then start offset, then code: the order users read them in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.span?.file ?? "";
    const fb = b.span?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    const sa = a.span?.start ?? -1;
    const sb = b.span?.start ?? -1;
    if (sa !== sb) return sa - sb;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
