/**
 * Forged bundles that nest deeper than anything the compiler writes: `loadBundle` refuses them
 * with a diagnostic (RP5005) and never throws, whichever way their content hash is checked.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { writeBundle } from "../../src/compile/bundle.ts";
import { sha256Of, writtenPayloadText } from "../../src/compile/bundle/canonical-json.ts";
import { loadBundle } from "../../src/compile/load-bundle.ts";
import { checkPolicySource } from "../../src/pipeline.ts";

const ACME = new URL("../../fixtures/policies/acme.rampart", import.meta.url);

/** How deep the forged grant trees nest: far past the stack a recursive walk can use. */
const FORGED_DEPTH = 20_000;

/**
 * The acme bundle with the resources of grant `api-reader` wrapped in `depth` `or` nodes,
 * its content hash computed over the payload as written, so that only the shape check can
 * refuse it.
 */
function bundleWithDeepGrant(depth: number): string {
  const checked = checkPolicySource({ name: "acme.rampart", text: readFileSync(ACME, "utf8") });
  assert.ok(checked.effective !== undefined);
  const bundle = JSON.parse(writeBundle([checked.effective], [])) as {
    contentHash: string;
    payload: { policies: { grants: Record<string, { resources: unknown }> }[] };
  };
  const grant = bundle.payload.policies[0]?.grants["api-reader"];
  assert.ok(grant !== undefined);
  const resources = JSON.stringify(grant.resources);
  grant.resources = "@forged@";
  const forged = `${'{"kind":"or","children":['.repeat(depth)}${resources}${"]}".repeat(depth)}`;
  const text = JSON.stringify(bundle).replace('"@forged@"', forged);
  const payload = writtenPayloadText(text);
  assert.ok(payload !== null);
  return text.replace(bundle.contentHash, sha256Of(payload));
}

function refusal(text: string): string {
  const result = loadBundle(text);
  assert.equal(result.value, undefined);
  assert.deepStrictEqual(
    result.diagnostics.map((d) => d.code),
    ["RP5005"],
  );
  return result.diagnostics[0]?.message ?? "";
}

describe("hostile bundles", () => {
  it("a grant tree wrapped in a few `or` nodes still loads (the control for the forgeries below)", () => {
    const result = loadBundle(bundleWithDeepGrant(3));
    assert.equal(result.value?.length, 1);
  });

  it("RP5005: a grant tree nested 20,000 deep behind a matching hash is refused, not a stack overflow", () => {
    assert.match(refusal(bundleWithDeepGrant(FORGED_DEPTH)), /nested more than 200 levels deep$/);
  });

  it("RP5005: a deep payload whose layout is not the writer's is refused before it is hashed canonically", () => {
    // A space after `"payload":` sends the hash check down the canonical path.
    const text = bundleWithDeepGrant(FORGED_DEPTH).replace('"payload":', '"payload": ');
    assert.match(refusal(text), /values nest more than 512 levels deep$/);
  });
});
