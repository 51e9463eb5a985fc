import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { renderDiagnostics, RENDER_FORMATS } from "../../src/diagnostics/render.ts";
import { renderGithub } from "../../src/diagnostics/render-github.ts";
import { renderJson } from "../../src/diagnostics/render-json.ts";
import { renderSarif } from "../../src/diagnostics/render-sarif.ts";
import { renderText } from "../../src/diagnostics/render-text.ts";

describe("renderDiagnostics", () => {
  it("dispatches each format to its renderer", () => {
    const sources = new Map([["a.json", { name: "a.json", text: "[1]" }]]);
    const ds: Diagnostic[] = [
      {
        code: "RP2101",
        severity: "error",
        message: "m",
        span: { file: "a.json", start: 1, end: 2 },
      },
    ];
    assert.deepEqual(RENDER_FORMATS, ["text", "json", "sarif", "github"]);
    assert.equal(renderDiagnostics("text", ds, sources), renderText(ds, sources));
    assert.equal(
      renderDiagnostics("text", ds, sources, { color: true }),
      renderText(ds, sources, { color: true }),
    );
    assert.equal(renderDiagnostics("json", ds, sources), renderJson(ds, sources));
    assert.equal(
      renderDiagnostics("sarif", ds, sources, { baseDir: "/x" }),
      renderSarif(ds, sources, { baseDir: "/x" }),
    );
    assert.equal(renderDiagnostics("github", ds, sources), renderGithub(ds, sources));
  });
});
