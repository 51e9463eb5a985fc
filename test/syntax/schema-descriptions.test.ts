/**
 * The published policy schema describes every property (issue #16), for editors: each
 * property the zod model generates has a text in PROPERTY_DESCRIPTIONS, each text names a
 * property that exists, and the shipped file carries them. Its `$id` is a URL.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { PROPERTY_DESCRIPTIONS } from "../../src/syntax/schema-descriptions.ts";
import {
  generatePolicySchema,
  POLICY_SCHEMA_PATH,
  schemaProperties,
} from "../../src/syntax/schema.ts";

const schema = generatePolicySchema();
const properties = schemaProperties(schema);

it("gives every property of the policy schema a description", () => {
  assert.ok(properties.length > 100);
  const missing = properties.filter(([, node]) => typeof node["description"] !== "string");
  assert.deepEqual(
    missing.map(([key]) => key),
    [],
    "add a text to src/syntax/schema-descriptions.ts, then run `node src/syntax/schema.ts`",
  );
});

it("describes no property that the model does not have", () => {
  const keys = new Set(properties.map(([key]) => key));
  assert.deepEqual(
    Object.keys(PROPERTY_DESCRIPTIONS).filter((key) => !keys.has(key)),
    [],
  );
});

it("ships the descriptions and a URL $id in grammar/policy.schema.json", () => {
  const shipped = JSON.parse(readFileSync(POLICY_SCHEMA_PATH, "utf8")) as typeof schema;
  assert.match(shipped.$id, /^https:\/\//);
  const texts = schemaProperties(shipped).map(([key, node]) => [key, node["description"]]);
  assert.deepEqual(
    texts,
    properties.map(([key, node]) => [key, node["description"]]),
  );
});
