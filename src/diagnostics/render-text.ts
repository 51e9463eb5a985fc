/**
 * The code frame for people, in the style of rustc and miette:
 *
 * ```text
 * error[RP2102]: unknown property `tls_min_verison` in `project`
 *  --> policy.json:4:5
 *   |
 * 4 |     "tls_min_verison": "1.3",
 *   |     ^^^^^^^^^^^^^^^^^
 *   = help: did you mean `tls_min_version`?
 * ```
 *
 * The primary span is underlined with `^`, secondary labels with `-` and their message. A
 * span over several lines is underlined on its first and last line. Tabs, wide characters
 * and very long lines (minified JSON) are handled so carets stay under the right text.
 */
import type { Diagnostic, Severity } from "./diagnostic.ts";
import type { SourceFile, Span } from "./span.ts";
import { clampOffset, lineIndexOf } from "./render-positions.ts";
import { toDisplayLine } from "./render-text-width.ts";
import { terminalSafe } from "./terminal-text.ts";

/** Options of the text renderer. */
export interface TextRenderOptions {
  /** ANSI colours (for a terminal); off by default. */
  readonly color?: boolean;
}

/** What the renderer adds to an internal error, so nobody mistakes it for a policy problem. */
export const INTERNAL_ERROR_NOTE =
  "this is a bug in rampart; please report it with the policy that triggered it";

/** Lines longer than this are cut to a window around what they underline. */
const MAX_LINE_COLUMNS = 120;
/** Characters of context kept on each side of an underline in a cut line. */
const WINDOW_CONTEXT = 40;

interface Palette {
  readonly severity: (severity: Severity, text: string) => string;
  readonly bold: (text: string) => string;
  readonly gutter: (text: string) => string;
  readonly secondary: (text: string) => string;
}

const sgr = (code: string) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
const SEVERITY_COLOR: Readonly<Record<Severity, string>> = {
  error: "1;31",
  warning: "1;33",
  info: "1;36",
};
const COLOR: Palette = {
  severity: (severity, text) => sgr(SEVERITY_COLOR[severity])(text),
  bold: sgr("1"),
  gutter: sgr("1;34"),
  secondary: sgr("1;34"),
};
const identity = (text: string): string => text;
const PLAIN: Palette = {
  severity: (_s, text) => text,
  bold: identity,
  gutter: identity,
  secondary: identity,
};

/** One underline on one line: UTF-16 columns (0-based, end exclusive) within the line. */
interface Mark {
  readonly from: number;
  readonly to: number;
  readonly primary: boolean;
  readonly message: string | undefined;
}

interface Annotation {
  readonly span: Span;
  readonly primary: boolean;
  readonly message: string | undefined;
}

/** Renders diagnostics as code frames, one block per diagnostic, separated by blank lines. */
export function renderText(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, SourceFile>,
  options: TextRenderOptions = {},
): string {
  const palette = options.color === true ? COLOR : PLAIN;
  return diagnostics.map((d) => renderOne(d, sources, palette)).join("\n");
}

/** Text for one line of the frame: line breaks as spaces, and nothing a terminal would obey. */
function oneLine(text: string): string {
  return terminalSafe(text.replace(/\r?\n|\r/g, " "));
}

function renderOne(d: Diagnostic, sources: ReadonlyMap<string, SourceFile>, p: Palette): string {
  const title = `${p.severity(d.severity, `${d.severity}[${d.code}]`)}${p.bold(`: ${oneLine(d.message)}`)}`;
  const annotations: Annotation[] = [];
  if (d.span !== undefined) annotations.push({ span: d.span, primary: true, message: undefined });
  for (const label of d.labels ?? [])
    annotations.push({ span: label.span, primary: false, message: label.message });
  const files = [...new Set(annotations.map((a) => a.span.file))];
  const frames = files.map((file) =>
    frameOf(
      file,
      annotations.filter((a) => a.span.file === file),
      sources.get(file),
    ),
  );
  const width = Math.max(1, ...frames.map((f) => f.gutterWidth));
  const out = [title];
  frames.forEach((frame, i) =>
    out.push(...frame.render(width, p, i === 0 && d.span !== undefined)),
  );
  const pad = " ".repeat(width + 1);
  if (d.help !== undefined)
    out.push(`${pad}${p.gutter("=")} ${p.bold("help")}: ${oneLine(d.help)}`);
  if (d.code === "RP9001")
    out.push(`${pad}${p.gutter("=")} ${p.bold("note")}: ${INTERNAL_ERROR_NOTE}`);
  return `${out.join("\n")}\n`;
}

interface Frame {
  readonly gutterWidth: number;
  render(width: number, p: Palette, isPrimaryFile: boolean): string[];
}

/** The frame of one file: its header and every line an annotation touches. */
function frameOf(
  file: string,
  annotations: readonly Annotation[],
  source: SourceFile | undefined,
): Frame {
  if (source === undefined) {
    return {
      gutterWidth: 1,
      render: (width, p, isPrimary) => [
        `${" ".repeat(width)}${p.gutter(isPrimary ? "-->" : ":::")} ${oneLine(file)}`,
      ],
    };
  }
  const index = lineIndexOf(source);
  const marksByLine = new Map<number, Mark[]>();
  const addMark = (line: number, mark: Mark): void => {
    const list = marksByLine.get(line) ?? [];
    list.push(mark);
    marksByLine.set(line, list);
  };
  for (const a of annotations) {
    const start = clampOffset(a.span.start, source.text);
    const end = Math.max(start, clampOffset(a.span.end, source.text));
    const from = index.locate(start);
    // An end at the start of a line belongs to the line before (a span that ends with "\n").
    const to = end > start ? index.locate(end - 1) : from;
    const toColumn = end > start ? to.column : from.column - 1;
    if (from.line === to.line) {
      addMark(from.line, {
        from: from.column - 1,
        to: toColumn,
        primary: a.primary,
        message: a.message,
      });
    } else {
      const firstText = lineText(source, from.line);
      addMark(from.line, {
        from: from.column - 1,
        to: firstText.length,
        primary: a.primary,
        message: undefined,
      });
      const lastText = lineText(source, to.line);
      const indent = lastText.length - lastText.trimStart().length;
      addMark(to.line, {
        from: Math.min(indent, to.column - 1),
        to: to.column,
        primary: a.primary,
        message: a.message,
      });
    }
  }
  const lines = [...marksByLine.keys()].sort((a, b) => a - b);
  const first = annotations.find((a) => a.primary) ?? annotations[0];
  const headerAt =
    first === undefined
      ? { line: 1, column: 1 }
      : index.locate(clampOffset(first.span.start, source.text));
  return {
    gutterWidth: String(lines.at(-1) ?? 1).length,
    render(width, p, isPrimaryFile) {
      const out = [
        `${" ".repeat(width)}${p.gutter(isPrimaryFile ? "-->" : ":::")} ${oneLine(file)}:${headerAt.line}:${headerAt.column}`,
      ];
      const empty = `${" ".repeat(width + 1)}${p.gutter("|")}`;
      out.push(empty);
      let previous: number | undefined;
      for (const line of lines) {
        if (previous !== undefined && line - previous === 2)
          out.push(...sourceLine(source, previous + 1, width, [], p));
        else if (previous !== undefined && line - previous > 2) out.push(p.gutter("..."));
        out.push(...sourceLine(source, line, width, marksByLine.get(line) ?? [], p));
        previous = line;
      }
      return out;
    },
  };
}

/** The text of a 1-based line, without its line break. */
function lineText(source: SourceFile, line: number): string {
  const index = lineIndexOf(source);
  const start = index.lineStart(line);
  const next = index.nextLineStart(line);
  return source.text
    .slice(start, next)
    .replace(/\r?\n$/, "")
    .replace(/\r$/, "");
}

/** One source line with its underlines beneath it. */
function sourceLine(
  source: SourceFile,
  line: number,
  width: number,
  marks: readonly Mark[],
  p: Palette,
): string[] {
  const full = lineText(source, line);
  const { text, offset, prefix, suffix } = windowOf(full, marks);
  const shown = toDisplayLine(text);
  const gutter = p.gutter(`${String(line).padStart(width)} |`);
  const out = [
    shown.text === "" && prefix === "" ? gutter : `${gutter} ${prefix}${shown.text}${suffix}`,
  ];
  const ordered = [...marks].sort(
    (a, b) => Number(b.primary) - Number(a.primary) || a.from - b.from,
  );
  for (const mark of ordered) {
    const from = Math.min(Math.max(mark.from - offset, 0), text.length);
    const to = Math.min(Math.max(mark.to - offset, from), text.length);
    const startColumn = (shown.columns[from] ?? 0) + prefix.length;
    const length = Math.max(1, (shown.columns[to] ?? 0) - (shown.columns[from] ?? 0));
    const underline = (mark.primary ? "^" : "-").repeat(length);
    const label = mark.message === undefined ? "" : ` ${oneLine(mark.message)}`;
    const paint = mark.primary ? (s: string) => p.bold(s) : p.secondary;
    out.push(
      `${" ".repeat(width + 1)}${p.gutter("|")} ${" ".repeat(startColumn)}${paint(underline + label)}`,
    );
  }
  return out;
}

/** Cuts a very long line to the part around its marks, with `…` where text was left out. */
function windowOf(
  line: string,
  marks: readonly Mark[],
): { text: string; offset: number; prefix: string; suffix: string } {
  if (line.length <= MAX_LINE_COLUMNS) return { text: line, offset: 0, prefix: "", suffix: "" };
  if (marks.length === 0)
    return { text: line.slice(0, MAX_LINE_COLUMNS), offset: 0, prefix: "", suffix: "…" };
  const from = Math.min(...marks.map((m) => m.from), line.length);
  const to = Math.max(...marks.map((m) => Math.min(m.to, from + MAX_LINE_COLUMNS)), from);
  let start = Math.max(0, from - WINDOW_CONTEXT);
  let end = Math.min(line.length, to + WINDOW_CONTEXT);
  // Never cut a surrogate pair in half.
  if (start > 0 && isLowSurrogate(line.charCodeAt(start))) start--;
  if (end < line.length && isLowSurrogate(line.charCodeAt(end))) end++;
  return {
    text: line.slice(start, end),
    offset: start,
    prefix: start > 0 ? "…" : "",
    suffix: end < line.length ? "…" : "",
  };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
