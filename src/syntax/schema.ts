/**
 * The JSON Schema of a policy document, generated from the zod model (`model.ts`, the single
 * source of truth) with zod 4's `z.toJSONSchema`, and the ajv validators compiled from it.
 *
 * Draft 2020-12, because zod emits it natively and ajv 8 supports it (`ajv/dist/2020`).
 * Named schemas (`Tunnel`, `Filter`, …) go to `$defs`, so the shipped file stays readable
 * and ajv errors inside unions can be re-checked against one branch by pointer.
 *
 * `grammar/policy.schema.json` is this schema, written for editors (`"$schema"` in a policy
 * file), `src/syntax/generated/validate-policy.js` its validator compiled ahead of time, and
 * `validate-dsl-policy.js` the same for documents the DSL front end wrote (what its writer
 * guarantees left out, `dsl/document-guarantees.ts`). Regenerate them with
 * `node src/syntax/schema.ts` (or `UPDATE_GOLDEN=1` on the schema test); the test fails when
 * one is stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Options, ValidateFunction } from "ajv/dist/2020.js";
import { z } from "zod";
import { TOOL_HOMEPAGE } from "../diagnostics/tool.ts";
import { DSL_DOCUMENT_GUARANTEES } from "./dsl/document-guarantees.ts";
import { validatePolicy } from "./generated/validate-policy.js";
import * as model from "./model.ts";
import { PROPERTY_DESCRIPTIONS } from "./schema-descriptions.ts";
import { renderSchemaGate } from "./schema-gate.ts";

/**
 * The schema's `$id`: a URL, so editors and validators that fetch by `$id` find the file
 * (the package also ships it: `rampart/policy.schema.json`).
 */
export const POLICY_SCHEMA_ID = `${TOOL_HOMEPAGE}/raw/main/grammar/policy.schema.json`;

/** Where the generated schema is shipped for editors. */
export const POLICY_SCHEMA_PATH = fileURLToPath(
  new URL("../../grammar/policy.schema.json", import.meta.url),
);

/** A JSON Schema node, as far as the validator's diagnostics look into it. */
export interface JsonSchemaNode {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly additionalProperties?: boolean | JsonSchemaNode;
  readonly required?: readonly string[];
  readonly items?: JsonSchemaNode;
  readonly anyOf?: readonly JsonSchemaNode[];
  readonly oneOf?: readonly JsonSchemaNode[];
  readonly pattern?: string;
  readonly [keyword: string]: unknown;
}

/** The root schema: a node with `$defs`. */
export interface PolicyJsonSchema extends JsonSchemaNode {
  readonly $id: string;
  readonly $defs: Readonly<Record<string, JsonSchemaNode>>;
}

/** Model schemas that get a name in `$defs` (the rest are inlined where they are used). */
const NAMED = {
  Project: model.Project,
  Tunnel: model.Tunnel,
  Grant: model.Grant,
  GrantNode: model.GrantNode,
  GrantLeaf: model.GrantLeaf,
  ScopeAction: model.ScopeAction,
  Filter: model.Filter,
  FieldFilters: model.FieldFilters,
  StringFilter: model.StringFilter,
  PathFilter: model.PathFilter,
  Credential: model.Credential,
  PolicyTest: model.PolicyTest,
  TestRequest: model.TestRequest,
} as const;

/**
 * Every property node of a policy schema, keyed as in PROPERTY_DESCRIPTIONS: the `$defs` name
 * (`PolicyDocument` for the top level) and the property names down to it, through union
 * branches and array items.
 */
export function schemaProperties(schema: PolicyJsonSchema): [string, JsonSchemaNode][] {
  const found: [string, JsonSchemaNode][] = [];
  const walk = (node: JsonSchemaNode | undefined, path: string): void => {
    if (node === undefined || typeof node !== "object") return;
    for (const [name, property] of Object.entries(node.properties ?? {})) {
      found.push([`${path}.${name}`, property]);
      walk(property, `${path}.${name}`);
    }
    if (typeof node.additionalProperties === "object") walk(node.additionalProperties, path);
    walk(node.items, path);
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) walk(branch, path);
  };
  walk(schema, "PolicyDocument"); // the top level's properties; `$defs` are walked by name

  for (const [name, definition] of Object.entries(schema.$defs)) walk(definition, name);
  return found;
}

/** Generates the schema from the zod model. Deterministic: same model, same schema. */
export function generatePolicySchema(): PolicyJsonSchema {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED)) registry.add(schema, { id });
  const generated = z.toJSONSchema(model.PolicyDocument, {
    target: "draft-2020-12",
    io: "input",
    metadata: registry,
    cycles: "ref",
    reused: "inline",
    unrepresentable: "throw",
  }) as Record<string, unknown>;
  // A copy: zod may share one output object between uses of one model schema, and each
  // property gets its own description.
  const { $schema, ...rest } = JSON.parse(JSON.stringify(generated)) as Record<string, unknown>;
  for (const [key, node] of schemaProperties(rest as unknown as PolicyJsonSchema)) {
    const description = PROPERTY_DESCRIPTIONS[key];
    if (description !== undefined) (node as { description?: string }).description = description;
  }
  return {
    $schema,
    $id: POLICY_SCHEMA_ID,
    title: "Rampart policy",
    description:
      "A Rampart policy document: a project's bounds, its tunnels, token grants, credentials and policy tests. Generated from src/syntax/model.ts; do not edit.",
    ...rest,
  } as unknown as PolicyJsonSchema;
}

/**
 * The text of `grammar/policy.schema.json`, formatted by Prettier like every checked-in file
 * (Prettier is a dev dependency: only the generator and its freshness test call this).
 */
export async function renderPolicySchemaFile(): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(POLICY_SCHEMA_PATH)) ?? {};
  return prettier.format(JSON.stringify(generatePolicySchema()), { ...options, parser: "json" });
}

/** Where the whole-document validator, compiled ahead of time, is shipped. */
export const POLICY_VALIDATOR_PATH = fileURLToPath(
  new URL("./generated/validate-policy.js", import.meta.url),
);

// allErrors: report every problem in one run. verbose: errors carry their schema node and
// data, which the validator needs to explain unions. (ajv counts string length in code
// points, zod in UTF-16 units: ajv is the more lenient only for astral characters.)
const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: true };

let compiled: { readonly ajv: Ajv2020; readonly schema: PolicyJsonSchema } | undefined;

function compiledSchema(): { readonly ajv: Ajv2020; readonly schema: PolicyJsonSchema } {
  if (compiled === undefined) {
    const schema = generatePolicySchema();
    const ajv = new Ajv2020(AJV_OPTIONS);
    ajv.addSchema(schema);
    compiled = { ajv, schema };
  }
  return compiled;
}

/** The generated schema, built once. */
export function policySchema(): PolicyJsonSchema {
  return compiledSchema().schema;
}

/**
 * The yes/no gate of a whole document, shipped generated (`generated/validate-policy.js`, see
 * `schema-gate.ts`): generating the schema from zod and compiling it with ajv took ~100 ms of
 * every run. The validators that explain errors are compiled on first use.
 */
export function policyValidator(): (document: unknown) => boolean {
  return validatePolicy;
}

/** The text of `generated/validate-policy.js`: the schema gate of the generated schema. */
export function renderPolicyValidatorFile(): string {
  return [
    "// Generated by src/syntax/schema.ts from src/syntax/model.ts (see schema-gate.ts). Do not edit.",
    renderSchemaGate(generatePolicySchema()),
  ].join("\n");
}

/** Where the gate of documents the DSL front end wrote is shipped. */
export const DSL_POLICY_VALIDATOR_PATH = fileURLToPath(
  new URL("./generated/validate-dsl-policy.js", import.meta.url),
);

/**
 * The text of `generated/validate-dsl-policy.js`: the schema gate without the checks that the
 * DSL's document writer makes needless (`dsl/document-guarantees.ts`).
 */
export function renderDslPolicyValidatorFile(): string {
  return [
    "// Generated by src/syntax/schema.ts from src/syntax/model.ts and src/syntax/dsl/document-guarantees.ts (see schema-gate.ts). Do not edit.",
    renderSchemaGate(generatePolicySchema(), DSL_DOCUMENT_GUARANTEES, "validateDslPolicy"),
  ].join("\n");
}

/**
 * The validator of the schema node at a JSON Pointer inside the policy schema (`/$defs/Tunnel`,
 * `/$defs/PathFilter/anyOf/1`); ajv compiles it on first use and caches it.
 */
export function schemaValidator(pointer: string): ValidateFunction {
  const { ajv } = compiledSchema();
  const validate = ajv.getSchema(
    pointer === "" ? POLICY_SCHEMA_ID : `${POLICY_SCHEMA_ID}#${pointer}`,
  );
  if (validate === undefined) throw new Error(`no schema node at \`${pointer}\``);
  return validate;
}

/** Writes the schema file and the compiled validator (`node src/syntax/schema.ts`). */
async function writeGeneratedFiles(): Promise<void> {
  writeFileSync(POLICY_SCHEMA_PATH, await renderPolicySchemaFile());
  writeFileSync(POLICY_VALIDATOR_PATH, renderPolicyValidatorFile());
  writeFileSync(DSL_POLICY_VALIDATOR_PATH, renderDslPolicyValidatorFile());
  console.log(
    `wrote ${POLICY_SCHEMA_PATH}\nwrote ${POLICY_VALIDATOR_PATH}\nwrote ${DSL_POLICY_VALIDATOR_PATH}`,
  );
}

// No top-level await: validate.ts loads this module with require() when it explains errors.
if (import.meta.main) void writeGeneratedFiles();
