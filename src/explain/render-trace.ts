/**
 * Text rendering of a decision and its trace for `rampart explain` and failing policy tests:
 * one line per stage (passed, skipped or decided, the rule, what it concluded), each with a
 * small code frame of the rule in the policy file when its span is known.
 *
 * ```text
 * ✓ route      tunnel:web            host web.example.com is served by tunnel web
 *                --> policy.rampart:12:3
 *              12 | tunnel web {
 *                 |        ^^^
 * ```
 */
import { lineIndexOf, positionOf } from "../diagnostics/render-positions.ts";
import { toDisplayLine } from "../diagnostics/render-text-width.ts";
import type { SourceFile, Span } from "../diagnostics/span.ts";
import type { TraceStep } from "../interpret/trace.ts";
import type { Decision } from "../ir/decision.ts";

const MARK: Readonly<Record<TraceStep["result"], string>> = { pass: "✓", skip: "·", decide: "→" };
const INDENT = "    ";

/** A one-line location and a code frame (source line and underline), or the bare location. */
export function renderSpanFrame(
  span: Span,
  sources: ReadonlyMap<string, SourceFile>,
  indent = INDENT,
): string[] {
  const source = sources.get(span.file);
  const position = positionOf(span, sources);
  if (source === undefined || position === undefined) return [`${indent}--> ${span.file}`];
  const { line, column } = position.start;
  const index = lineIndexOf(source);
  const lineStart = index.lineStart(line);
  const nextLine = line < index.lineCount ? index.lineStart(line + 1) : source.text.length;
  const raw = source.text.slice(lineStart, nextLine).replace(/\r?\n$|\r$/, "");
  // As lint's frames: control and bidi characters shown as `�`, carets under display columns.
  const shown = toDisplayLine(raw);
  const end = position.end.line === line ? position.end.column : raw.length + 1;
  const from = shown.columns[Math.min(Math.max(0, column - 1), raw.length)] ?? 0;
  const to = shown.columns[Math.min(end, raw.length + 1) - 1] ?? from;
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  return [
    `${indent}--> ${span.file}:${line}:${column}`,
    `${indent}${gutter} | ${shown.text}`,
    `${indent}${pad} | ${" ".repeat(from)}${"^".repeat(Math.max(1, to - from))}`,
  ];
}

/** The trace, one stage per line, each followed by the frame of its rule. */
export function renderTrace(
  trace: readonly TraceStep[],
  sources: ReadonlyMap<string, SourceFile>,
): string {
  const lines: string[] = [];
  for (const step of trace) {
    lines.push(
      `${MARK[step.result]} ${step.stage.padEnd(10)} ${step.rule.padEnd(28)} ${step.note}`,
    );
    // Skipped stages consulted nothing worth showing; their frame would only add noise.
    if (step.origin !== null && step.result !== "skip")
      lines.push(...renderSpanFrame(step.origin, sources));
  }
  return `${lines.join("\n")}\n`;
}

/** A one-line summary of a decision: outcome, status, reason (and policy), stage and rule. */
export function describeDecision(decision: Decision): string {
  const status = decision.status === 0 ? "" : ` ${decision.status}`;
  const policy = decision.policy === null ? "" : ` (${decision.policy})`;
  return `${decision.outcome}${status} ${decision.reason}${policy} at ${decision.stage} by ${decision.rule}`;
}

/** A decision with its message, its rule's frame, and the full trace. */
export function renderExplanation(
  decision: Decision,
  trace: readonly TraceStep[],
  sources: ReadonlyMap<string, SourceFile>,
): string {
  const lines = [`decision: ${describeDecision(decision)}`, `  ${decision.message}`];
  if (decision.origin !== null) lines.push(...renderSpanFrame(decision.origin, sources, "  "));
  return `${lines.join("\n")}\n\ntrace:\n${renderTrace(trace, sources)}`;
}
