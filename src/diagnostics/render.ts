/** Chooses a diagnostics renderer by output format (`rampart lint --format`). */
import type { Diagnostic } from "./diagnostic.ts";
import type { SourceFile } from "./span.ts";
import { renderGithub } from "./render-github.ts";
import { renderJson } from "./render-json.ts";
import { renderSarif } from "./render-sarif.ts";
import type { SarifRenderOptions } from "./render-sarif.ts";
import { renderText } from "./render-text.ts";
import type { TextRenderOptions } from "./render-text.ts";

/** The output formats, as `--format` names them. */
export const RENDER_FORMATS = ["text", "json", "sarif", "github"] as const;

/** One of `RENDER_FORMATS`. */
export type RenderFormat = (typeof RENDER_FORMATS)[number];

/** Options for whichever renderer runs; each reads only its own. */
export type RenderOptions = TextRenderOptions & SarifRenderOptions;

/** Renders diagnostics in a format; `sources` maps file names to their text for positions. */
export function renderDiagnostics(
  format: RenderFormat,
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, SourceFile>,
  options: RenderOptions = {},
): string {
  switch (format) {
    case "text":
      return renderText(diagnostics, sources, options);
    case "json":
      return renderJson(diagnostics, sources);
    case "sarif":
      return renderSarif(diagnostics, sources, options);
    case "github":
      return renderGithub(diagnostics, sources);
  }
}
