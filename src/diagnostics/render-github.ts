/**
 * GitHub Actions workflow commands, one line per diagnostic, which GitHub shows as
 * annotations on the pull request:
 * `::error file=policy.json,line=4,col=5,endLine=4,endColumn=21,title=RP2102::message`.
 * Columns are 1-based and `endColumn` is inclusive (the last underlined character).
 */
import type { Diagnostic, Severity } from "./diagnostic.ts";
import { clampOffset, lineIndexOf } from "./render-positions.ts";
import type { SourceFile, Span } from "./span.ts";
import { terminalSafe } from "./terminal-text.ts";

const COMMAND: Readonly<Record<Severity, string>> = {
  error: "error",
  warning: "warning",
  info: "notice",
};

/**
 * Escapes a command's message (the part after `::`), as the Actions runner decodes it; other
 * control and bidirectional characters are written as `\uXXXX`, since the log shows them too.
 */
export function escapeData(text: string): string {
  return terminalSafe(text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A"));
}

/** Escapes a property value, where `:` and `,` separate properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

function positionProperties(span: Span, sources: ReadonlyMap<string, SourceFile>): string[] {
  const source = sources.get(span.file);
  if (source === undefined) return [];
  const index = lineIndexOf(source);
  const start = clampOffset(span.start, source.text);
  const end = Math.max(start, clampOffset(span.end, source.text));
  const from = index.locate(start);
  const to = end > start ? index.locate(end - 1) : from;
  return [
    `line=${from.line}`,
    `col=${from.column}`,
    `endLine=${to.line}`,
    `endColumn=${to.column}`,
  ];
}

/** One workflow command for a diagnostic. */
export function githubCommand(d: Diagnostic, sources: ReadonlyMap<string, SourceFile>): string {
  const properties: string[] = [];
  if (d.span !== undefined) {
    properties.push(`file=${escapeProperty(d.span.file)}`, ...positionProperties(d.span, sources));
  }
  properties.push(`title=${escapeProperty(d.code)}`);
  const message = d.help === undefined ? d.message : `${d.message}\nhelp: ${d.help}`;
  return `::${COMMAND[d.severity]} ${properties.join(",")}::${escapeData(message)}`;
}

/** Renders diagnostics as workflow commands, one per line. */
export function renderGithub(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, SourceFile>,
): string {
  return diagnostics.map((d) => `${githubCommand(d, sources)}\n`).join("");
}
