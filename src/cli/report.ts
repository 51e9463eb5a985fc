/** Renders a run's diagnostics for the chosen format, with a summary line for people. */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import { renderDiagnostics } from "../diagnostics/render.ts";
import type { ReportFormat } from "./args.ts";
import type { Io } from "./io.ts";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Writes diagnostics to stdout in `format`; text output ends with a count. */
export function reportDiagnostics(
  io: Io,
  format: ReportFormat,
  diagnostics: readonly Diagnostic[],
  sources: readonly SourceFile[],
  options: { readonly summary?: boolean } = {},
): void {
  const byName = new Map(sources.map((s) => [s.name, s]));
  const rendered = renderDiagnostics(format, diagnostics, byName);
  if (format !== "text") {
    io.out(rendered.endsWith("\n") ? rendered : `${rendered}\n`);
    return;
  }
  if (rendered.length > 0) io.out(rendered.endsWith("\n") ? rendered : `${rendered}\n`);
  if (options.summary === false) return;
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
  const files = plural(sources.length, "file");
  io.out(
    errors + warnings === 0
      ? `${files} checked: no problems\n`
      : `${files} checked: ${plural(errors, "error")}, ${plural(warnings, "warning")}\n`,
  );
}
