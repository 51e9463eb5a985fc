import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { CodeInfo, DiagnosticCode } from "../../src/diagnostics/codes.ts";
import { codeStages, renderCodesDoc, stageOf } from "../../src/diagnostics/codes-doc.ts";

const registry: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP4201: { slug: "bounds/grant-widens-parent", summary: "a derived grant asks for more" },
  RP1004: { slug: "syntax/unexpected-token", summary: "a token where `a | b` was expected" },
  RP4106: { slug: "bounds/plan-feature", summary: "a setting the plan does not include" },
};

describe("renderCodesDoc", () => {
  const doc = renderCodesDoc({
    registry,
    examples: new Map([["RP1004", "fixtures/invalid/RP1004-unknown-protocol.rampart"]]),
    notes: new Map([["RP4106", "RP3301 reports it first"]]),
  });

  it("groups codes by stage in pipeline order, and lists only stages that have codes", () => {
    const headings = [...doc.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(headings, ["DSL syntax", "Bounds"]);
    assert.ok(doc.indexOf("RP4106") < doc.indexOf("RP4201"), "codes in numeric order");
  });

  it("links the example file from docs/, and escapes `|` inside a cell", () => {
    assert.match(
      doc,
      /\| `syntax\/unexpected-token` \| a token where `a \\\| b` was expected \| \[RP1004-unknown-protocol\.rampart\]\(\.\.\/fixtures\/invalid\/RP1004-unknown-protocol\.rampart\) \|/,
    );
  });

  it("shows why a code has no example, linking the codes it names", () => {
    assert.match(doc, /\| \[RP3301\]\(#rp3301\) reports it first \|$/m);
    assert.match(
      doc,
      /RP4201 \| `bounds\/grant-widens-parent` \| a derived grant asks for more \| — \|$/m,
    );
  });

  it("gives each code an anchor and each stage a contents entry", () => {
    assert.match(doc, /<a id="rp1004"><\/a>RP1004/);
    assert.match(doc, /^- \[DSL syntax\]\(#dsl-syntax\)$/m);
  });
});

describe("stageOf", () => {
  it("reads the stage from the slug prefix", () => {
    assert.equal(stageOf({ slug: "ir/invalid-host", summary: "" })?.title, "Semantic checks");
    assert.equal(stageOf({ slug: "nowhere/x", summary: "" }), undefined);
  });

  it("has one stage per prefix", () => {
    const prefixes = codeStages.map((s) => s.prefix);
    assert.equal(new Set(prefixes).size, prefixes.length);
  });
});
