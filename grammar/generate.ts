/**
 * Generates the grammar's derived artefact from the parser: `grammar/diagrams.html` (railroad
 * diagrams of every rule). Run `node grammar/generate.ts` after changing `parser.ts`;
 * `test/grammar/generated.test.ts` fails while the file is stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chevrotain } from "./chevrotain.ts";
import { recoveringPolicyParser } from "./parser.ts";

/** Where each generated artefact lives. */
export const generatedFiles = {
  diagrams: fileURLToPath(new URL("./diagrams.html", import.meta.url)),
} as const;

/** The syntax-diagram page for every rule. */
export function renderDiagrams(): string {
  return chevrotain().createSyntaxDiagramsCode(
    recoveringPolicyParser().getSerializedGastProductions(),
  );
}

/** Writes the artefacts. */
export function writeGenerated(): void {
  writeFileSync(generatedFiles.diagrams, renderDiagrams());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeGenerated();
