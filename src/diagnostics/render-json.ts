/**
 * Diagnostics as JSON for tools: the `Diagnostic` shape, plus the code's slug and, for every
 * span, 1-based line/column positions (columns in UTF-16 code units; `end` exclusive).
 */
import { codes } from "./codes.ts";
import type { Diagnostic } from "./diagnostic.ts";
import { positionOf } from "./render-positions.ts";
import type { LineCol, SourceFile, Span } from "./span.ts";

/** A span with positions; `start`/`end` stay the offsets of `Span`. */
export interface JsonSpan extends Span {
  readonly startLine?: number;
  readonly startColumn?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

/** One diagnostic as `renderJson` writes it. */
export interface JsonDiagnostic {
  readonly code: string;
  readonly slug?: string;
  readonly severity: Diagnostic["severity"];
  readonly message: string;
  readonly span?: JsonSpan;
  readonly labels?: readonly { readonly message: string; readonly span: JsonSpan }[];
  readonly help?: string;
}

function withPosition(span: Span, sources: ReadonlyMap<string, SourceFile>): JsonSpan {
  const position = positionOf(span, sources);
  if (position === undefined) return { file: span.file, start: span.start, end: span.end };
  const at = (p: LineCol) => [p.line, p.column] as const;
  const [startLine, startColumn] = at(position.start);
  const [endLine, endColumn] = at(position.end);
  return {
    file: span.file,
    start: span.start,
    end: span.end,
    startLine,
    startColumn,
    endLine,
    endColumn,
  };
}

/** The JSON form of each diagnostic, in the given order. */
export function toJsonDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, SourceFile>,
): JsonDiagnostic[] {
  return diagnostics.map((d) => {
    const slug = codes[d.code]?.slug;
    return {
      code: d.code,
      ...(slug !== undefined ? { slug } : {}),
      severity: d.severity,
      message: d.message,
      ...(d.span !== undefined ? { span: withPosition(d.span, sources) } : {}),
      ...(d.labels !== undefined && d.labels.length > 0
        ? {
            labels: d.labels.map((l) => ({
              message: l.message,
              span: withPosition(l.span, sources),
            })),
          }
        : {}),
      ...(d.help !== undefined ? { help: d.help } : {}),
    };
  });
}

/** Renders diagnostics as a JSON array (2-space indent, trailing newline). */
export function renderJson(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, SourceFile>,
): string {
  return `${JSON.stringify(toJsonDiagnostics(diagnostics, sources), null, 2)}\n`;
}
