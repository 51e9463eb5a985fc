// Golden fixtures. Every file in fixtures/invalid/ and fixtures/warnings/ is named after the
// diagnostic code it must produce (`RP3004-uk-country.rampart`), and its rendered report is
// kept beside it (`….expected.txt`). Files in invalid/ must fail with an error (exit 1 in
// `rampart lint`); files in warnings/ must produce their code as a warning and no error
// (exit 0). UPDATE_GOLDEN=1 rewrites the expected files for review.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkPolicySource } from "../src/cli/load-policy.ts";
import { renderDiagnostics } from "../src/diagnostics/render.ts";

const root = join(import.meta.dirname, "..");
const update = process.env["UPDATE_GOLDEN"] === "1";

function goldenCases(folder: "invalid" | "warnings", severity: "error" | "warning"): void {
  const dir = join(root, "fixtures", folder);
  const cases = readdirSync(dir).filter((f) => /^RP\d{4}-.*\.(rampart|json)$/.test(f));
  describe(`fixtures/${folder}`, () => {
    it("has cases", () => assert.ok(cases.length > 0));
    for (const file of cases) {
      const code = file.slice(0, 6);
      it(`${file} produces ${code} as ${severity === "error" ? "an error" : "a warning only"}`, () => {
        const name = `fixtures/${folder}/${file}`;
        // Read as the CLI reads a file: its bytes beside the text (some cases are no UTF-8).
        const bytes = readFileSync(join(dir, file));
        const source = { name, text: bytes.toString("utf8"), bytes };
        const checked = checkPolicySource(source);
        const codes = checked.diagnostics.map((d) => d.code);
        assert.ok(
          codes.includes(code as `RP${number}`),
          `expected ${code}, got ${codes.join(", ") || "nothing"}`,
        );
        const withCode = checked.diagnostics.find((d) => d.code === code);
        assert.ok(withCode?.span !== undefined, `${code} must carry a span`);
        const hasError = checked.diagnostics.some((d) => d.severity === "error");
        assert.equal(
          hasError,
          severity === "error",
          `an error ${severity === "error" ? "is" : "is not"} expected`,
        );
        if (severity === "warning") assert.equal(withCode.severity, "warning");
        const rendered = renderDiagnostics("text", checked.diagnostics, new Map([[name, source]]));
        const expectedPath = join(dir, file.replace(/\.(rampart|json)$/, ".expected.txt"));
        if (update || !existsSync(expectedPath)) writeFileSync(expectedPath, rendered);
        assert.equal(rendered, readFileSync(expectedPath, "utf8"));
      });
    }
  });
}

goldenCases("invalid", "error");
goldenCases("warnings", "warning");
