/**
 * The public surface is reviewed (issue #16): declarations built afresh from src/ must give
 * exactly the API Extractor reports committed in api/. A change to an entry's exports or to a
 * type they reach fails here until the reports are regenerated and show in review.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { buildDeclarations, checkReports, UPDATE_COMMAND } from "../../scripts/api-report.ts";

it("api/*.api.md match the declarations of every package entry", { timeout: 600_000 }, () => {
  buildDeclarations();
  const changed = checkReports(false);
  assert.deepEqual(
    changed,
    [],
    `the public API changed (${changed.join(", ")}): review it, then run \`${UPDATE_COMMAND}\``,
  );
});
