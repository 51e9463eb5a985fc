import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generatedFiles, renderDiagrams, writeGenerated } from "../../grammar/generate.ts";

// UPDATE_GOLDEN=1 rewrites the checked-in artefacts instead of comparing them.
if (process.env["UPDATE_GOLDEN"] === "1") writeGenerated();

describe("generated grammar artefacts", () => {
  it("grammar/diagrams.html matches the parser (run `node grammar/generate.ts`)", () => {
    assert.equal(readFileSync(generatedFiles.diagrams, "utf8"), renderDiagrams());
  });
});
