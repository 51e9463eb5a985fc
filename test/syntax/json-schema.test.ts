import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { PolicyDocument } from "../../src/syntax/model.ts";
import {
  DSL_POLICY_VALIDATOR_PATH,
  POLICY_SCHEMA_ID,
  POLICY_SCHEMA_PATH,
  POLICY_VALIDATOR_PATH,
  policySchema,
  policyValidator,
  renderDslPolicyValidatorFile,
  renderPolicySchemaFile,
  renderPolicyValidatorFile,
  schemaValidator,
} from "../../src/syntax/schema.ts";
import { VALID_POLICY } from "./json-expect.ts";

describe("the generated policy JSON Schema", () => {
  it("is shipped up to date in grammar/policy.schema.json (UPDATE_GOLDEN=1 rewrites it)", async () => {
    const fresh = await renderPolicySchemaFile();
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(POLICY_SCHEMA_PATH, fresh);
    assert.equal(
      readFileSync(POLICY_SCHEMA_PATH, "utf8"),
      fresh,
      "grammar/policy.schema.json is stale: run `node src/syntax/schema.ts` or UPDATE_GOLDEN=1",
    );
  });

  it("is shipped compiled and up to date in src/syntax/generated (UPDATE_GOLDEN=1 rewrites it)", async () => {
    const fresh = await renderPolicyValidatorFile();
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(POLICY_VALIDATOR_PATH, fresh);
    assert.equal(
      readFileSync(POLICY_VALIDATOR_PATH, "utf8"),
      fresh,
      "src/syntax/generated/validate-policy.js is stale: run `node src/syntax/schema.ts` or UPDATE_GOLDEN=1",
    );
  });

  it("is shipped compiled for DSL documents too, up to date (UPDATE_GOLDEN=1 rewrites it)", () => {
    const fresh = renderDslPolicyValidatorFile();
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(DSL_POLICY_VALIDATOR_PATH, fresh);
    assert.equal(
      readFileSync(DSL_POLICY_VALIDATOR_PATH, "utf8"),
      fresh,
      "src/syntax/generated/validate-dsl-policy.js is stale: run `node src/syntax/schema.ts` or UPDATE_GOLDEN=1",
    );
  });

  it("names itself and the draft it follows", () => {
    const schema = policySchema();
    assert.equal(schema.$id, POLICY_SCHEMA_ID);
    assert.equal(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert.equal(schema["title"], "Rampart policy");
    assert.ok(schema.$defs["Tunnel"] && schema.$defs["Filter"]);
  });

  it("compiles once and accepts a realistic policy", () => {
    assert.equal(policyValidator(), policyValidator());
    assert.equal(policyValidator()(JSON.parse(VALID_POLICY)), true);
  });
});

/** Small edits to a valid document: the kind of mistakes people make. */
function mutate(document: unknown, edits: readonly [number, number, unknown][]): unknown {
  const copy = structuredClone(document);
  for (const [pick, kind, replacement] of edits) {
    const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value))
        value.forEach((v, i) => (slots.push({ parent: value, key: i }), walk(v)));
      else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) {
          slots.push({ parent: value as Record<string, unknown>, key: k });
          walk(v);
        }
      }
    };
    walk(copy);
    const slot = slots[pick % Math.max(1, slots.length)];
    if (slot === undefined) continue;
    const { parent, key } = slot;
    if (kind === 0) (parent as Record<string | number, unknown>)[key] = replacement;
    else if (kind === 1 && !Array.isArray(parent)) delete parent[key as string];
    else if (kind === 2 && !Array.isArray(parent)) parent[`${String(key)}x`] = replacement;
    else if (Array.isArray(parent)) parent.splice(Number(key), 1);
  }
  return copy;
}

describe("ajv with the generated schema and zod agree", () => {
  it("on mutations of a valid policy (S-D5: one shape for both)", () => {
    const valid = JSON.parse(VALID_POLICY) as unknown;
    const replacement = fc.oneof(
      fc.constantFrom(
        "1.3",
        "http",
        "",
        "AND",
        "basic",
        "preferred",
        "GET",
        "G T",
        null,
        true,
        0,
        600,
        1.5,
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const edits = fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), replacement), {
      minLength: 1,
      maxLength: 3,
    });
    const compiledNow = schemaValidator("");
    fc.assert(
      fc.property(edits, (e) => {
        const document = mutate(valid, e);
        const shipped = policyValidator();
        assert.equal(shipped(document), PolicyDocument.safeParse(document).success);
        // The validator shipped compiled accepts what ajv compiling the schema now accepts (it
        // is only a yes/no gate: the errors explained come from the one compiled now).
        assert.equal(compiledNow(document), shipped(document));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the shipped validator's string lengths", () => {
  it("agree with ajv's code-point count near every limit, astral characters included", () => {
    const valid = JSON.parse(VALID_POLICY) as unknown;
    // Lengths on both sides of the schema's limits (in code points), in characters of one or
    // two UTF-16 units: the shipped validator counts code points only when a string's length
    // cannot settle the check.
    const limits = [1, 8, 64, 128, 253, 256, 512];
    // One code point each; a lone low surrogate counts as one, as ajv counts it.
    const piece = fc.constantFrom("a", "é", "😀", "\udc00");
    const nearLimit = fc
      .tuple(fc.constantFrom(...limits), fc.integer({ min: -2, max: 2 }), fc.boolean())
      .chain(([limit, delta, wide]) => {
        const codePoints = Math.max(0, limit + delta);
        // Wide: all astral, twice as many UTF-16 units as code points.
        return fc
          .array(wide ? fc.constant("😀") : piece, {
            minLength: codePoints,
            maxLength: codePoints,
          })
          .map((p) => p.join(""));
      });
    // Only string values are replaced, one at a time, so that nothing else makes it invalid.
    const stringSlots: { parent: Record<string | number, unknown>; key: string | number }[] = [];
    const walk = (value: unknown): void => {
      if (typeof value !== "object" || value === null) return;
      for (const [key, v] of Object.entries(value)) {
        const slot = Array.isArray(value) ? Number(key) : key;
        if (typeof v === "string") stringSlots.push({ parent: value as never, key: slot });
        walk(v);
      }
    };
    walk(valid);
    assert.ok(stringSlots.length > 20);
    const compiledNow = schemaValidator("");
    let refused = 0;
    fc.assert(
      fc.property(fc.nat({ max: stringSlots.length - 1 }), nearLimit, (pick, text) => {
        // SAFETY: `pick` is an index of `stringSlots` (at most its length - 1).
        const { parent, key } = stringSlots[pick]!;
        const before = parent[key];
        parent[key] = text;
        const expected = compiledNow(valid);
        if (!expected) refused++;
        assert.equal(policyValidator()(valid), expected);
        parent[key] = before;
      }),
      { numRuns: 3000 },
    );
    // Both answers were seen: the limits were crossed, in both directions.
    assert.ok(refused > 0 && refused < 3000);
  });
});
