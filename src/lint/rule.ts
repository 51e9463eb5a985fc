/** The shape of a semantic lint rule: one file per rule in `rules/`, run by `runLintRules`. */
import type { EffectivePolicy } from "../bounds/effective.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { DiagnosticCode } from "../diagnostics/codes.ts";
import type { Span } from "../diagnostics/span.ts";
import type { PolicyIr } from "../ir/types.ts";

/** What every rule sees: the lowered policy (with its spans) and its effective form. */
export interface LintContext {
  readonly policy: EffectivePolicy;
  readonly ir: PolicyIr;
}

/** A lint rule: its code and a check that never throws for bad input. */
export interface LintRule {
  readonly code: DiagnosticCode;
  readonly check: (context: LintContext) => Diagnostic[];
}

/** `{ span }` when there is one, for object spreads under exactOptionalPropertyTypes. */
export function spanPart(span: Span | null | undefined): { span: Span } | Record<string, never> {
  return span === null || span === undefined ? {} : { span };
}

/** Labels for the spans that exist. */
export function labelsPart(labels: readonly { span: Span | null | undefined; message: string }[]):
  | {
      labels: { span: Span; message: string }[];
    }
  | Record<string, never> {
  const present = labels.flatMap((l) =>
    l.span === null || l.span === undefined ? [] : [{ span: l.span, message: l.message }],
  );
  return present.length === 0 ? {} : { labels: present };
}
