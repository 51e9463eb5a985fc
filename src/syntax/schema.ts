/**
 * The JSON Schema of a policy document, generated from the zod model (`model.ts`, the single
 * source of truth) with zod 4's `z.toJSONSchema`, and the ajv validators compiled from it.
 *
 * Draft 2020-12, because zod emits it natively and ajv 8 supports it (`ajv/dist/2020`).
 * Named schemas (`Tunnel`, `Filter`, …) go to `$defs`, so the shipped file stays readable
 * and ajv errors inside unions can be re-checked against one branch by pointer.
 *
 * `grammar/policy.schema.json` is this schema, written for editors (`"$schema"` in a policy
 * file), and `src/syntax/generated/validate-policy.js` its validator compiled ahead of time.
 * Regenerate both with `node src/syntax/schema.ts` (or `UPDATE_GOLDEN=1` on the schema
 * test); the test fails when either is stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Options, ValidateFunction } from "ajv/dist/2020.js";
import { z } from "zod";
import { TOOL_HOMEPAGE } from "../diagnostics/tool.ts";
import { validatePolicy } from "./generated/validate-policy.js";
import * as model from "./model.ts";
import { PROPERTY_DESCRIPTIONS } from "./schema-descriptions.ts";

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

/**
 * The validator shipped compiled only says whether a document is valid: its errors are never
 * read (a document it refuses is validated again by the one compiled from `AJV_OPTIONS`, whose
 * errors are explained). So it stops at a branch's first error and builds no message, schema
 * or data into the error objects that every union makes for the branches a valid value does
 * not take: with `AJV_OPTIONS`, checking a valid 10,000-tunnel policy allocated ~50 MB of them.
 * The options change what is reported, never what is valid.
 */
const SHIPPED_AJV_OPTIONS: Options = {
  allErrors: false,
  verbose: false,
  messages: false,
  strict: true,
};

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
 * The validator of a whole document. It is compiled ahead of time (ajv's standalone code, in
 * `generated/validate-policy.js`): generating the schema from zod and compiling it took ~100 ms
 * of every run. The validators of single schema nodes, needed only to explain errors, are
 * still compiled on first use.
 */
export function policyValidator(): ValidateFunction {
  return validatePolicy;
}

/**
 * The text of `generated/validate-policy.js`: ajv's standalone code of the whole-document
 * validator. ajv writes its one runtime helper as a `require`, which an ES module cannot call,
 * so it becomes an import.
 */
export async function renderPolicyValidatorFile(): Promise<string> {
  const { default: standalone } = await import("ajv/dist/standalone/index.js");
  const ajv = new Ajv2020({ ...SHIPPED_AJV_OPTIONS, code: { source: true, esm: true } });
  const schema = generatePolicySchema();
  // Ajv2020 always tracks which properties each union branch evaluated, for the
  // `unevaluated*` keywords, and so tries every branch of a union. The policy schema has none
  // of those keywords, so the gate stops at the first branch that fits (~25% fewer
  // instructions and a third less garbage on a large policy); were one ever added, the
  // tracking must come back.
  if (JSON.stringify(schema).includes('"unevaluated')) {
    throw new Error("the policy schema uses `unevaluated*`: keep ajv's evaluation tracking");
  }
  ajv.opts.unevaluated = false;
  ajv.addSchema(schema);
  const code = standalone.default(ajv, { validatePolicy: POLICY_SCHEMA_ID });
  const helper = 'const func2 = require("ajv/dist/runtime/ucs2length").default;';
  const requires = code.match(/require\(/g) ?? [];
  if (requires.length !== 1 || !code.includes(helper)) {
    throw new Error("ajv's standalone code needs runtime helpers this generator does not know");
  }
  return [
    "// Generated by src/syntax/schema.ts from src/syntax/model.ts (ajv standalone). Do not edit.",
    'import ucs2length from "ajv/dist/runtime/ucs2length.js";',
    countCodePointsOnlyWhenNeeded(code.replace(helper, "const func2 = ucs2length.default;")),
    "",
  ].join("\n");
}

/**
 * ajv checks `minLength`/`maxLength` by counting a string's code points (`func2`, a loop over
 * its characters), twice per string. A string has at most as many code points as UTF-16 units
 * and at least half as many, so its length alone settles almost every check: the count is
 * made only when the length cannot tell (~6% fewer instructions validating a large policy).
 */
function countCodePointsOnlyWhenNeeded(code: string): string {
  return code
    .replace(
      /func2\(((?:data|key)\d+)\) > (\d+)/g,
      (_, value: string, limit: string) =>
        `(${value}.length > ${limit} && func2(${value}) > ${limit})`,
    )
    .replace(
      /func2\(((?:data|key)\d+)\) < (\d+)/g,
      (_, value: string, limit: string) =>
        `(${value}.length < ${2 * Number(limit)} && func2(${value}) < ${limit})`,
    );
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
  writeFileSync(POLICY_VALIDATOR_PATH, await renderPolicyValidatorFile());
  console.log(`wrote ${POLICY_SCHEMA_PATH}\nwrote ${POLICY_VALIDATOR_PATH}`);
}

// No top-level await: validate.ts loads this module with require() when it explains errors.
if (import.meta.main) void writeGeneratedFiles();
