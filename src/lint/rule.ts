/**
 * The shape of a semantic lint rule: one file per rule in `rules/`, run by `runLintRules`.
 * A rule describes itself (name, one-line description, default severity, named message
 * constructors), so docs, SARIF and tests read one definition; `createRule` builds it.
 */
import type { EffectivePolicy } from "../bounds/effective.ts";
import type { Diagnostic, Severity } from "../diagnostics/diagnostic.ts";
import { InternalError } from "../diagnostics/diagnostic.ts";
import type { DiagnosticCode } from "../diagnostics/codes.ts";
import type { Span } from "../diagnostics/span.ts";
import type { PolicyIr } from "../ir/types.ts";

/** What every rule sees: the lowered policy (with its spans) and its effective form. */
export interface LintContext {
  readonly policy: EffectivePolicy;
  readonly ir: PolicyIr;
}

/** A message constructor: the finding's words from its values (lower case, no final period). */
type MessageConstructor = (...args: never[]) => string;

/** What a rule says about itself; `name` and `description` match its registry entry. */
export interface LintRuleMeta<Messages extends Record<string, MessageConstructor>> {
  readonly code: DiagnosticCode;
  /** The registered slug, `lint/what-it-finds`. */
  readonly name: string;
  /** One line: what the rule finds (the registry's summary). */
  readonly description: string;
  readonly defaultSeverity: Severity;
  /** One constructor per kind of finding, by id. */
  readonly messages: Messages;
}

/** Where a finding points, and what would fix it. */
export interface FindingDetails {
  readonly span?: Span | null | undefined;
  readonly labels?: readonly { span: Span | null | undefined; message: string }[];
  readonly help?: string;
}

/** Builds a finding of the rule from a message id, its values and its details. */
export type Report<Messages extends Record<string, MessageConstructor>> = <
  Id extends keyof Messages & string,
>(
  messageId: Id,
  args: Parameters<Messages[Id]>,
  details: FindingDetails,
) => Diagnostic;

/** A lint rule: what it says about itself, and a check that never throws for bad input. */
export interface LintRule {
  readonly code: DiagnosticCode;
  readonly meta: LintRuleMeta<Record<string, MessageConstructor>>;
  readonly check: (context: LintContext) => Diagnostic[];
}

/**
 * Defines a rule from its metadata and a check that makes findings only through `report`, so
 * every finding carries the rule's code and severity and one of its named messages.
 */
export function createRule<Messages extends Record<string, MessageConstructor>>(definition: {
  readonly meta: LintRuleMeta<Messages>;
  readonly check: (context: LintContext, report: Report<Messages>) => Diagnostic[];
}): LintRule {
  const { meta } = definition;
  const report: Report<Messages> = (messageId, args, details) => {
    const construct = meta.messages[messageId];
    // Unreachable through the types (`messageId` is a key of `messages`): a bug, not input.
    if (construct === undefined)
      throw new InternalError(`${meta.name} has no message ${messageId}`);
    return {
      code: meta.code,
      severity: meta.defaultSeverity,
      message: construct(...args),
      ...spanPart(details.span),
      ...labelsPart(details.labels ?? []),
      ...(details.help === undefined ? {} : { help: details.help }),
    };
  };
  return { code: meta.code, meta, check: (context) => definition.check(context, report) };
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
