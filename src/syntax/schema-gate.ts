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
 *
 * A gate may also be made for documents of one maker, leaving out what that maker always
 * writes right (`MakerGuarantees`): the DSL's document writer fixes the shape (which members,
 * of which JSON type), not the values the file spells (lengths, patterns, enums, limits).
 */
import type { JsonSchemaNode, PolicyJsonSchema } from "./schema.ts";

/** A JSON Schema type a maker can promise to write wherever the schema names it alone. */
type GuaranteedType = "object" | "array" | "string" | "boolean";

/**
 * What every document of one maker already satisfies, declared once for the whole schema (not
 * per member): the gate for its documents leaves these checks out. Union branches keep their
 * own type and member-name checks, since those choose the branch; members under a branch are
 * trusted again, as the maker writes each branch's form whole.
 */
export interface MakerGuarantees {
  /** Where the schema names one of these types, the maker writes a value of that type. */
  readonly types: readonly GuaranteedType[];
  /** No object has a member the schema does not name (`additionalProperties: false` holds). */
  readonly closedObjects: boolean;
  /** `$defs` entries where none of this holds: they and what they reference are checked whole. */
  readonly notIn: readonly string[];
}

/**
 * How much of a node the gate checks: `all` of it; its `own` type and member names and the
 * values beneath (a union branch under a maker's guarantees); or only `values`.
 */
type Depth = "all" | "own" | "values";

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
export function renderSchemaGate(
  schema: PolicyJsonSchema,
  guarantees?: MakerGuarantees,
  exportName = "validatePolicy",
): string {
  const exported = exportName === "validatePolicy" ? exportName : `validatePolicy as ${exportName}`;
  return [
    'import ucs2length from "ajv/dist/runtime/ucs2length.js";',
    "const codePoints = ucs2length.default;",
    schemaGateSource(schema, guarantees),
    `export { ${exported} };`,
    "",
  ].join("\n");
}

/**
 * The gate as statements that end with `function validatePolicy(document)` and read the
 * code-point counter as `codePoints` (the module above; tests run it as a function body).
 */
export function schemaGateSource(schema: PolicyJsonSchema, guarantees?: MakerGuarantees): string {
  const gate = new GateWriter(schema, guarantees);
  const root = gate.functionOf(schema, "policy", guarantees === undefined ? "all" : "values");
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
  readonly #guarantees: MakerGuarantees | undefined;
  /** Each definition's function, per depth (`Tunnel/values`). */
  readonly #defNames = new Map<string, string>();
  readonly #patternNames = new Map<string, string>();
  #names = 0;
  #variables = 0;

  constructor(schema: PolicyJsonSchema, guarantees: MakerGuarantees | undefined) {
    this.#schema = schema;
    this.#guarantees = guarantees;
  }

  /** The name of a new function checking `node` (its argument is `data`) to `depth`. */
  functionOf(node: JsonSchemaNode, hint: string, depth: Depth): string {
    const name = `check${this.#names++}_${hint.replace(/\W/g, "_")}`;
    const body = this.#node(node, "data", "  ", depth);
    this.functions.push(`function ${name}(data) {\n${body}  return true;\n}`);
    return name;
  }

  /**
   * The function that checks `$ref` to `depth` (made once per definition and depth, so
   * recursion terminates); a definition the guarantees leave out is checked whole.
   */
  #ref(ref: string, depth: Depth): string {
    const prefix = "#/$defs/";
    if (!ref.startsWith(prefix)) throw new Error(`the gate follows only $defs refs, not ${ref}`);
    const defName = ref.slice(prefix.length);
    const defDepth = this.#guarantees?.notIn.includes(defName) === true ? "all" : depth;
    const key = `${defName}/${defDepth}`;
    const known = this.#defNames.get(key);
    if (known !== undefined) return known;
    const definition = this.#schema.$defs[defName];
    if (definition === undefined) throw new Error(`no $defs entry for ${ref}`);
    const name = `check${this.#names++}_${defName.replace(/\W/g, "_")}`;
    this.#defNames.set(key, name);
    const body = this.#node(definition, "data", "  ", defDepth);
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

  /** Whether the maker's guarantees settle the check that a value to `depth` is of `type`. */
  #typeGuaranteed(type: string, depth: Depth): boolean {
    const types: readonly string[] = this.#guarantees?.types ?? [];
    return depth === "values" && types.includes(type);
  }

  /**
   * Statements (indented by `pad`) that return false unless `value` (an expression) fits `node`,
   * checked to `depth`.
   */
  #node(node: JsonSchemaNode, value: string, pad: string, depth: Depth): string {
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
    const only = types.length === 1 ? types[0] : undefined;
    if (types.length > 0 && !(only !== undefined && this.#typeGuaranteed(only, depth))) {
      fail(`!(${types.map((t) => isType(t, value)).join(" || ")})`);
    }
    /** Type-specific keywords apply only to values of that type (no guard when `type` says so). */
    const guarded = (type: string, statements: string): void => {
      if (statements === "") return;
      if (only === type || (type === "number" && only === "integer")) out += statements;
      else out += `${pad}if (${isType(type, value)}) {\n${indent(statements)}${pad}}\n`;
    };
    if (node.enum !== undefined) fail(`!(${node.enum.map((e) => equals(value, e)).join(" || ")})`);
    if (node.$ref !== undefined) fail(`!${this.#ref(node.$ref, depth)}(${value})`);
    if (node.anyOf !== undefined) {
      // A branch's own type and member names say whether the value is of its form: kept.
      const branchDepth = depth === "all" ? "all" : "own";
      const branches = node.anyOf.map((branch, i) =>
        this.functionOf(branch, `anyOf${i}`, branchDepth),
      );
      fail(`!(${branches.map((b) => `${b}(${value})`).join(" || ")})`);
    }
    guarded("string", this.#string(node, value, pad));
    guarded("number", this.#number(node, value, pad));
    guarded("array", this.#array(node, value, pad, depth));
    guarded("object", this.#object(node, value, pad, depth));
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

  #array(node: JsonSchemaNode, value: string, pad: string, depth: Depth): string {
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
      const check = this.#node(node.items, item, `${pad}  `, memberDepth(depth));
      if (check !== "") {
        out += `${pad}for (let ${i} = 0; ${i} < ${value}.length; ${i}++) {\n`;
        out += `${pad}  const ${item} = ${value}[${i}];\n${check}${pad}}\n`;
      }
    }
    return out;
  }

  /** What members the schema does not name must fit, as far as the gate checks it. */
  #otherMembers(node: JsonSchemaNode, depth: Depth): JsonSchemaNode["additionalProperties"] {
    // A maker that writes only the members the schema names needs no walk of its members.
    const closed = depth === "values" && this.#guarantees?.closedObjects === true;
    return closed && node.additionalProperties === false ? undefined : node.additionalProperties;
  }

  #object(node: JsonSchemaNode, value: string, pad: string, depth: Depth): string {
    let out = "";
    const properties = Object.entries(node.properties ?? {});
    for (const name of node.required ?? []) {
      out += `${pad}if (${member(value, name)} === undefined) return false;\n`;
    }
    for (const [name, property] of properties) {
      const v = this.#variable();
      const check = this.#node(property, v, `${pad}  `, memberDepth(depth));
      if (check === "") continue;
      out += `${pad}{\n${pad}  const ${v} = ${member(value, name)};\n`;
      out += `${pad}  if (${v} !== undefined) {\n${indent(check)}${pad}  }\n${pad}}\n`;
    }
    const names = node.propertyNames;
    const extra = this.#otherMembers(node, depth);
    if (extra === undefined && names === undefined) return out;
    if (extra === true) throw new Error("the gate reads `additionalProperties` false or a schema");
    const key = this.#variable();
    let perKey = "";
    if (names !== undefined) {
      perKey += this.#node(names as JsonSchemaNode, key, `${pad}  `, memberDepth(depth));
    }
    if (extra === false || (typeof extra === "object" && extra !== null)) {
      const known = properties.map(([name]) => JSON.stringify(name));
      const other =
        extra === false
          ? `${pad}    return false;\n`
          : this.#node(extra, `${value}[${key}]`, `${pad}    `, memberDepth(depth));
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

/** How deep the members of a node checked to `depth` are checked. */
function memberDepth(depth: Depth): Depth {
  return depth === "all" ? "all" : "values";
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
