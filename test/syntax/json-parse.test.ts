import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isJsonPolicyName, parsePolicySource } from "../../src/syntax/parse.ts";
import { VALID_POLICY } from "./json-expect.ts";

describe("parsePolicySource", () => {
  it("reads `*.json` files (any case) with the JSON front end", () => {
    assert.equal(isJsonPolicyName("policies/prod.json"), true);
    assert.equal(isJsonPolicyName("PROD.JSON"), true);
    assert.equal(isJsonPolicyName("prod.rampart"), false);
    assert.equal(isJsonPolicyName("json"), false);
    const outcome = parsePolicySource({ name: "Prod.JSON", text: VALID_POLICY });
    assert.deepEqual(outcome.diagnostics, []);
    assert.equal(outcome.value?.syntax, "json");
    assert.equal(outcome.value?.document.project.id, "acme-prod");
    const span = outcome.value?.spans.get("/project/id");
    assert.equal(span && VALID_POLICY.slice(span.start, span.end), '"acme-prod"');
  });

  it("reads every other name with the DSL front end", () => {
    // JSON text is not DSL: the DSL front end reports it, never the JSON reader (RP20xx).
    const outcome = parsePolicySource({ name: "prod.rampart", text: VALID_POLICY });
    assert.equal(outcome.value, undefined);
    assert.ok(outcome.diagnostics.length > 0);
    assert.ok(outcome.diagnostics.every((d) => !d.code.startsWith("RP20")));
  });

  it("stops at JSON syntax errors before schema validation", () => {
    const outcome = parsePolicySource({
      name: "p.json",
      text: '{"project": {"id": "p", "plan": "gold",}}',
    });
    assert.deepEqual(
      outcome.diagnostics.map((d) => d.code),
      ["RP2011"],
    );
  });
});
