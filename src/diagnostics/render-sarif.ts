/**
 * SARIF 2.1.0 (OASIS) for code-scanning CI: one run of the `rampart` tool, a rule per
 * diagnostic code that occurs (`ruleId` = the code, `name` = its slug, `helpUri` = its row in
 * docs/codes.md), the tool's version and home page, and a result per
 * diagnostic with a 1-based region. Columns count UTF-16 code units (`columnKind`), and
 * `endColumn` is exclusive, as SARIF §3.30.8 defines it. Artifact URIs are relative to
 * `baseDir` (the working directory by default), so results line up with a repository checkout.
 */
import { relative, isAbsolute, sep } from "node:path";
import { codes } from "./codes.ts";
import type { DiagnosticCode } from "./codes.ts";
import type { Diagnostic, Severity } from "./diagnostic.ts";
import { positionOf } from "./render-positions.ts";
import type { SourceFile, Span } from "./span.ts";
import { codeHelpUri, TOOL_HOMEPAGE, TOOL_NAME, TOOL_VERSION } from "./tool.ts";

/** Options of the SARIF renderer. */
export interface SarifRenderOptions {
  /** Directory that artifact URIs are made relative to; defaults to `process.cwd()`. */
  readonly baseDir?: string;
  /** Tool version written to `tool.driver.version`; this rampart's by default. */
  readonly toolVersion?: string;
}

/** The `$schema` a SARIF 2.1.0 log names (the OASIS errata 01 schema). */
export const SARIF_SCHEMA_URI =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

const LEVEL: Readonly<Record<Severity, "error" | "warning" | "note">> = {
  error: "error",
  warning: "warning",
  info: "note",
};

/** A file name as a relative URI reference: forward slashes, each segment percent-encoded. */
export function artifactUri(file: string, baseDir: string): string {
  const path = isAbsolute(file) ? relative(baseDir, file) : file;
  return path.split(sep).join("/").split("/").map(encodeURIComponent).join("/");
}

function locationOf(span: Span, sources: ReadonlyMap<string, SourceFile>, baseDir: string): object {
  const position = positionOf(span, sources);
  const artifactLocation = { uri: artifactUri(span.file, baseDir) };
  if (position === undefined) return { physicalLocation: { artifactLocation } };
  return {
    physicalLocation: {
      artifactLocation,
      region: {
        startLine: position.start.line,
        startColumn: position.start.column,
        endLine: position.end.line,
        endColumn: position.end.column,
      },
    },
  };
}

function ruleOf(code: DiagnosticCode): object {
  const info = codes[code];
  return info === undefined
    ? { id: code, helpUri: codeHelpUri(code) }
    : {
        id: code,
        name: info.slug,
        shortDescription: { text: info.summary },
        helpUri: codeHelpUri(code),
      };
}

function resultOf(
  d: Diagnostic,
  ruleIndex: number,
  sources: ReadonlyMap<string, SourceFile>,
  baseDir: string,
): object {
  const text = d.help === undefined ? d.message : `${d.message}\nhelp: ${d.help}`;
  const related = (d.labels ?? []).map((label, id) => ({
    id,
    message: { text: label.message },
    ...locationOf(label.span, sources, baseDir),
  }));
  return {
    ruleId: d.code,
    ruleIndex,
    level: LEVEL[d.severity],
    message: { text },
    ...(d.span !== undefined ? { locations: [locationOf(d.span, sources, baseDir)] } : {}),
    ...(related.length > 0 ? { relatedLocations: related } : {}),
  };
}

/** Builds the SARIF log object. */
export function toSarif(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, SourceFile>,
  options: SarifRenderOptions = {},
): object {
  const baseDir = options.baseDir ?? process.cwd();
  const ruleIds = [...new Set(diagnostics.map((d) => d.code))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: options.toolVersion ?? TOOL_VERSION,
            informationUri: TOOL_HOMEPAGE,
            rules: ruleIds.map(ruleOf),
          },
        },
        columnKind: "utf16CodeUnits",
        results: diagnostics.map((d) => resultOf(d, ruleIndex.get(d.code) ?? -1, sources, baseDir)),
      },
    ],
  };
}

/** Renders diagnostics as a SARIF 2.1.0 log (2-space indent, trailing newline). */
export function renderSarif(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, SourceFile>,
  options: SarifRenderOptions = {},
): string {
  return `${JSON.stringify(toSarif(diagnostics, sources, options), null, 2)}\n`;
}
