/**
 * The policy schema as a yes/no gate: JavaScript source of a function that says whether a
 * document is valid, generated from the JSON Schema (`schema.ts` writes it to
 * `generated/validate-policy.js`). Only a refused document is explained, by ajv compiling the
 * same schema, so the gate keeps nothing of what went wrong: no error object, no instance
 * path, no options object per call; each check returns false at the first failure.
 *
 * It reads only the keywords the policy schema uses, as ajv reads them (draft 2020-12:
 * `type`, `enum`, `properties`, `required`, `additionalProperties`, `propertyNames`, `items`,
 * string, array and number limits, `pattern`, `anyOf`, `$ref` into `$defs`); any other
 * keyword stops the generator, so the gate can never silently accept more than ajv. A test
 * holds the two to the same answers.
 */
import type { JsonSchemaNode, PolicyJsonSchema } from "./schema.ts";

/** Keywords that only describe: they never change what is valid. */
const ANNOTATIONS = new Set(["$schema", "$id", "title", "description", "$defs"]);
/** Keywords the gate checks (see `#node`). */
const CHECKED = new Set([
  "type",
  "enum",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "anyOf",
  "$ref",
]);

/**
 * The gate's module text: `export function validatePolicy(document): boolean`, with ajv's
 * code-point counter (ajv counts string lengths in code points).
 */
export function renderSchemaGate(schema: PolicyJsonSchema): string {
  return [
    'import ucs2length from "ajv/dist/runtime/ucs2length.js";',
    "const codePoints = ucs2length.default;",
    schemaGateSource(schema),
    "export { validatePolicy };",
    "",
  ].join("\n");
}

/**
 * The gate as statements that end with `function validatePolicy(document)` and read the
 * code-point counter as `codePoints` (the module above; tests run it as a function body).
 */
export function schemaGateSource(schema: PolicyJsonSchema): string {
  const gate = new GateWriter(schema);
  const root = gate.functionOf(schema, "policy");
  return [
    ...gate.patterns,
    ...gate.functions,
    `function validatePolicy(document) {\n  return ${root}(document);\n}`,
  ].join("\n");
}

/** Writes one function per `$defs` entry and per union branch; everything else is inlined. */
class GateWriter {
  readonly functions: string[] = [];
  readonly patterns: string[] = [];
  readonly #schema: PolicyJsonSchema;
  readonly #defNames = new Map<string, string>();
  readonly #patternNames = new Map<string, string>();
  #names = 0;
  #variables = 0;

  constructor(schema: PolicyJsonSchema) {
    this.#schema = schema;
  }

  /** The name of a new function checking `node` (its argument is `data`). */
  functionOf(node: JsonSchemaNode, hint: string): string {
    const name = `check${this.#names++}_${hint.replace(/\W/g, "_")}`;
    const body = this.#node(node, "data", "  ");
    this.functions.push(`function ${name}(data) {\n${body}  return true;\n}`);
    return name;
  }

  /** The function that checks `$ref` (made once per definition, so recursion terminates). */
  #ref(ref: string): string {
    const prefix = "#/$defs/";
    if (!ref.startsWith(prefix)) throw new Error(`the gate follows only $defs refs, not ${ref}`);
    const defName = ref.slice(prefix.length);
    const known = this.#defNames.get(defName);
    if (known !== undefined) return known;
    const definition = this.#schema.$defs[defName];
    if (definition === undefined) throw new Error(`no $defs entry for ${ref}`);
    const name = `check${this.#names++}_${defName.replace(/\W/g, "_")}`;
    this.#defNames.set(defName, name);
    const body = this.#node(definition, "data", "  ");
    this.functions.push(`function ${name}(data) {\n${body}  return true;\n}`);
    return name;
  }

  #pattern(source: string): string {
    let name = this.#patternNames.get(source);
    if (name === undefined) {
      name = `pattern${this.#patternNames.size}`;
      this.#patternNames.set(source, name);
      // As ajv makes it: a Unicode regular expression, tested anywhere in the string.
      this.patterns.push(`const ${name} = new RegExp(${JSON.stringify(source)}, "u");`);
    }
    return name;
  }

  #variable(): string {
    return `v${this.#variables++}`;
  }

  /** Statements (indented by `pad`) that return false unless `value` (an expression) fits `node`. */
  #node(node: JsonSchemaNode, value: string, pad: string): string {
    for (const keyword of Object.keys(node)) {
      if (!CHECKED.has(keyword) && !ANNOTATIONS.has(keyword)) {
        throw new Error(`the schema gate does not know the keyword \`${keyword}\``);
      }
    }
    let out = "";
    const fail = (condition: string): void => {
      out += `${pad}if (${condition}) return false;\n`;
    };
    const types = node.type === undefined ? [] : [node.type].flat();
    if (types.length > 0) fail(`!(${types.map((t) => isType(t, value)).join(" || ")})`);
    const only = types.length === 1 ? types[0] : undefined;
    /** Type-specific keywords apply only to values of that type (no guard when `type` says so). */
    const guarded = (type: string, statements: string): void => {
      if (statements === "") return;
      if (only === type || (type === "number" && only === "integer")) out += statements;
      else out += `${pad}if (${isType(type, value)}) {\n${indent(statements)}${pad}}\n`;
    };
    if (node.enum !== undefined) fail(`!(${node.enum.map((e) => equals(value, e)).join(" || ")})`);
    if (node.$ref !== undefined) fail(`!${this.#ref(node.$ref)}(${value})`);
    if (node.anyOf !== undefined) {
      const branches = node.anyOf.map((branch, i) => this.functionOf(branch, `anyOf${i}`));
      fail(`!(${branches.map((b) => `${b}(${value})`).join(" || ")})`);
    }
    guarded("string", this.#string(node, value, pad));
    guarded("number", this.#number(node, value, pad));
    guarded("array", this.#array(node, value, pad));
    guarded("object", this.#object(node, value, pad));
    return out;
  }

  #string(node: JsonSchemaNode, value: string, pad: string): string {
    let out = "";
    const { minLength, maxLength, pattern } = node;
    // A string of n UTF-16 units has at most n code points and at least ceil(n / 2): its
    // length settles almost every check, and the count is made only when it cannot.
    if (typeof maxLength === "number") {
      out += `${pad}if (${value}.length > ${maxLength} && codePoints(${value}) > ${maxLength}) return false;\n`;
    }
    if (typeof minLength === "number") {
      out += `${pad}if (${value}.length < ${2 * minLength - 1} && codePoints(${value}) < ${minLength}) return false;\n`;
    }
    if (pattern !== undefined)
      out += `${pad}if (!${this.#pattern(pattern)}.test(${value})) return false;\n`;
    return out;
  }

  #number(node: JsonSchemaNode, value: string, pad: string): string {
    let out = "";
    if (typeof node["minimum"] === "number") {
      out += `${pad}if (${value} < ${node["minimum"]}) return false;\n`;
    }
    if (typeof node["maximum"] === "number") {
      out += `${pad}if (${value} > ${node["maximum"]}) return false;\n`;
    }
    return out;
  }

  #array(node: JsonSchemaNode, value: string, pad: string): string {
    let out = "";
    if (typeof node["minItems"] === "number") {
      out += `${pad}if (${value}.length < ${node["minItems"]}) return false;\n`;
    }
    if (typeof node["maxItems"] === "number") {
      out += `${pad}if (${value}.length > ${node["maxItems"]}) return false;\n`;
    }
    if (node.items !== undefined) {
      const i = this.#variable();
      const item = this.#variable();
      const check = this.#node(node.items, item, `${pad}  `);
      if (check !== "") {
        out += `${pad}for (let ${i} = 0; ${i} < ${value}.length; ${i}++) {\n`;
        out += `${pad}  const ${item} = ${value}[${i}];\n${check}${pad}}\n`;
      }
    }
    return out;
  }

  #object(node: JsonSchemaNode, value: string, pad: string): string {
    let out = "";
    const properties = Object.entries(node.properties ?? {});
    for (const name of node.required ?? []) {
      out += `${pad}if (${member(value, name)} === undefined) return false;\n`;
    }
    for (const [name, property] of properties) {
      const v = this.#variable();
      const check = this.#node(property, v, `${pad}  `);
      if (check === "") continue;
      out += `${pad}{\n${pad}  const ${v} = ${member(value, name)};\n`;
      out += `${pad}  if (${v} !== undefined) {\n${indent(check)}${pad}  }\n${pad}}\n`;
    }
    const { additionalProperties: extra } = node;
    const names = node.propertyNames;
    if (extra === undefined && names === undefined) return out;
    if (extra === true) throw new Error("the gate reads `additionalProperties` false or a schema");
    const key = this.#variable();
    let perKey = "";
    if (names !== undefined) {
      perKey += this.#node(names as JsonSchemaNode, key, `${pad}  `);
    }
    if (extra === false || (typeof extra === "object" && extra !== null)) {
      const known = properties.map(([name]) => JSON.stringify(name));
      const other =
        extra === false
          ? `${pad}    return false;\n`
          : this.#node(extra, `${value}[${key}]`, `${pad}    `);
      if (other !== "") {
        perKey +=
          known.length === 0
            ? dedent(other)
            : `${pad}  switch (${key}) {\n${known.map((k) => `${pad}    case ${k}:\n`).join("")}` +
              `${pad}      break;\n${pad}    default:\n${indent(other)}${pad}  }\n`;
      }
    }
    if (perKey !== "") out += `${pad}for (const ${key} in ${value}) {\n${perKey}${pad}}\n`;
    return out;
  }
}

/** A JavaScript test that `value` is of JSON Schema type `type`, as ajv tests it. */
function isType(type: string, value: string): string {
  switch (type) {
    case "string":
    case "boolean":
      return `typeof ${value} === "${type}"`;
    case "number":
      return `(typeof ${value} === "number" && isFinite(${value}))`;
    case "integer":
      return `(typeof ${value} === "number" && !(${value} % 1) && !isNaN(${value}) && isFinite(${value}))`;
    case "null":
      return `${value} === null`;
    case "array":
      return `Array.isArray(${value})`;
    case "object":
      return `(${value} && typeof ${value} === "object" && !Array.isArray(${value}))`;
    default:
      throw new Error(`the schema gate does not know the type \`${type}\``);
  }
}

function equals(value: string, expected: unknown): string {
  if (expected !== null && typeof expected === "object") {
    throw new Error("the schema gate compares `enum` values of primitive types only");
  }
  return `${value} === ${JSON.stringify(expected)}`;
}

/** A property read, `value.name` where `name` is an identifier. */
function member(value: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${value}.${name}` : `${value}[${JSON.stringify(name)}]`;
}

function indent(statements: string): string {
  return statements.replace(/^/gm, "  ").replace(/ {2}$/, "");
}

function dedent(statements: string): string {
  return statements.replace(/^ {2}/gm, "");
}
