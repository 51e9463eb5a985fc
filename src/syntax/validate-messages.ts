/**
 * Schema diagnostics (RP21xx): one constructor per kind of ajv error, each phrased for
 * people — lower case, no final period, names in backticks — with the fix in `help`.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { didYouMean } from "../diagnostics/did-you-mean.ts";
import type { Span } from "../diagnostics/span.ts";
import type { JsonSchemaNode } from "./schema.ts";
import { describePointer, headSpan, keySpan, valueSpan } from "./validate-context.ts";
import type { ValidationContext } from "./validate-context.ts";
import { childPointer } from "../diagnostics/json-pointer.ts";

/** One ajv error, copied out of ajv's reused arrays and made absolute. */
export interface SchemaError {
  /** Absolute JSON Pointer of the value the error is about. */
  readonly pointer: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The keyword's value in the schema (`verbose`), e.g. the `anyOf` branches. */
  readonly schema: unknown;
  readonly parentSchema: JsonSchemaNode;
  readonly data: unknown;
  /** Set on errors about a map key (`propertyNames`). */
  readonly propertyName: string | undefined;
  /** ajv's own wording, used only for keywords this module has no message for. */
  readonly message: string | undefined;
}

const error = (code: Diagnostic["code"], span: Span, message: string, help?: string): Diagnostic =>
  help === undefined
    ? { code, severity: "error", span, message }
    : { code, severity: "error", span, message, help };

/** `a string`, `an object`, … for a JSON type name. */
export function typePhrase(type: string): string {
  if (type === "null") return "`null`";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The JSON type of a value, as schemas name types. */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1) ?? ""}`;
}

// A message is one line: a string with a line break or other control character in it is
// shown escaped, as JSON writes it.
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

const code = (value: unknown): string =>
  `\`${typeof value === "string" && !CONTROL.test(value) ? value : JSON.stringify(value)}\``;

/** The fix for a value of the wrong type, when there is an obvious one. */
function typeHelp(expected: readonly string[], data: unknown): string | undefined {
  if (expected.includes("string") && (typeof data === "number" || typeof data === "boolean")) {
    return `write it in double quotes: \`"${String(data)}"\``;
  }
  if (expected.includes("boolean")) {
    return data === "true" || data === "false"
      ? `write \`${data}\` without quotes`
      : "write `true` or `false`";
  }
  if (expected.includes("array") && typeof data === "string")
    return `write a list: \`[${JSON.stringify(data)}]\``;
  return undefined;
}

/** RP2101: `"publish": "yes"`. */
export function wrongType(ctx: ValidationContext, e: SchemaError): Diagnostic {
  const raw = e.params["type"];
  const expected = (Array.isArray(raw) ? raw : [raw]).map(String);
  const found = jsonType(e.data);
  const wanted = orList(expected.map(typePhrase));
  const tail =
    found === "number" && expected.includes("integer")
      ? `not ${code(String(e.data))}`
      : `not ${typePhrase(found === "integer" ? "number" : found)}`;
  const message = `${describePointer(ctx, e.pointer)} must be ${wanted}, ${tail}`;
  return error("RP2101", valueSpan(ctx, e.pointer), message, typeHelp(expected, e.data));
}

/** RP2102: a property the schema does not define, underlined at its name. */
export function unknownProperty(ctx: ValidationContext, e: SchemaError): Diagnostic {
  const name = String(e.params["additionalProperty"]);
  const allowed = Object.keys(e.parentSchema.properties ?? {});
  const suggestion = didYouMean(name, allowed);
  const where = e.pointer === "" ? "at the top level" : `in ${describePointer(ctx, e.pointer)}`;
  const help =
    suggestion !== undefined
      ? `did you mean \`${suggestion}\`?`
      : allowed.length > 0
        ? `the properties allowed here are ${allowed.map((p) => `\`${p}\``).join(", ")}`
        : "remove it";
  return error(
    "RP2102",
    keySpan(ctx, childPointer(e.pointer, name)),
    `unknown property ${code(name)} ${where}`,
    help,
  );
}

/** RP2103: a required property is absent; points at the object's name or first line. */
export function missingProperty(ctx: ValidationContext, e: SchemaError): Diagnostic {
  const name = String(e.params["missingProperty"]);
  const where = e.pointer === "" ? "the document" : describePointer(ctx, e.pointer);
  const choices = e.parentSchema.properties?.[name]?.enum;
  const help =
    choices !== undefined
      ? `add \`${name}\`, one of ${choices.map(code).join(", ")}`
      : `add \`${name}\``;
  return error(
    "RP2103",
    headSpan(ctx, e.pointer),
    `${where} is missing the required property \`${name}\``,
    help,
  );
}

/** RP2104: a value outside a closed enum, with a suggestion when it looks like a typo. */
export function unknownEnumValue(ctx: ValidationContext, e: SchemaError): Diagnostic {
  const allowed = ((e.params["allowedValues"] as unknown[] | undefined) ?? []).map((v) =>
    String(v),
  );
  const given = String(e.data);
  const suggestion = didYouMean(given, allowed);
  const list = allowed.map((v) => `\`${v}\``).join(", ");
  const help =
    suggestion !== undefined
      ? `did you mean \`${suggestion}\`? the choices are ${list}`
      : `the choices are ${list}`;
  return error(
    "RP2104",
    valueSpan(ctx, e.pointer),
    `${code(e.data)} is not a valid value for ${describePointer(ctx, e.pointer)}`,
    help,
  );
}

/** RP2105: an empty or over-long string. */
export function stringLength(ctx: ValidationContext, e: SchemaError): Diagnostic {
  const limit = Number(e.params["limit"]);
  const what = describePointer(ctx, e.pointer);
  if (e.keyword === "minLength") {
    const message =
      limit <= 1 ? `${what} must not be empty` : `${what} is shorter than ${limit} characters`;
    return error(
      "RP2105",
      valueSpan(ctx, e.pointer),
      message,
      limit <= 1 ? "write a value or remove the property" : undefined,
    );
  }
  return error(
    "RP2105",
    valueSpan(ctx, e.pointer),
    `${what} is longer than ${limit} characters`,
    `shorten it to at most ${limit} characters`,
  );
}

/** RP2106: a list with too few or too many entries. */
export function listLength(ctx: ValidationContext, e: SchemaError): Diagnostic {
  const limit = Number(e.params["limit"]);
  const what = describePointer(ctx, e.pointer);
  const entries = `${limit} ${limit === 1 ? "entry" : "entries"}`;
  return e.keyword === "minItems"
    ? error(
        "RP2106",
        valueSpan(ctx, e.pointer),
        `${what} must have at least ${entries}`,
        limit === 1 ? "add an entry or remove the property" : undefined,
      )
    : error(
        "RP2106",
        headSpan(ctx, e.pointer),
        `${what} has more than ${entries}`,
        "split the policy into several files",
      );
}

/** What a pattern means, for the patterns the model uses; others are shown as they are. */
const PATTERN_MEANINGS: Readonly<Record<string, { what: string; help: string }>> = {
  "^[A-Za-z]{1,16}$": { what: "an HTTP method", help: "use a method name such as `GET` or `POST`" },
};

/** RP2107: a string that does not have the required form. */
export function patternMismatch(ctx: ValidationContext, e: SchemaError): Diagnostic {
  const pattern = String(e.params["pattern"]);
  const meaning = PATTERN_MEANINGS[pattern];
  const what = describePointer(ctx, e.pointer);
  return meaning !== undefined
    ? error(
        "RP2107",
        valueSpan(ctx, e.pointer),
        `${code(e.data)} in ${what} is not ${meaning.what}`,
        meaning.help,
      )
    : error(
        "RP2107",
        valueSpan(ctx, e.pointer),
        `${what} does not have the required form`,
        `it must match the pattern \`${pattern}\``,
      );
}

/** RP2108: a number below its minimum or above its maximum. */
export function numberOutOfRange(ctx: ValidationContext, e: SchemaError): Diagnostic {
  const limit = Number(e.params["limit"]);
  const comparison = String(e.params["comparison"] ?? "");
  const bound = comparison.startsWith(">") ? `at least ${limit}` : `at most ${limit}`;
  const { minimum, maximum } = e.parentSchema;
  const help =
    typeof minimum === "number" && typeof maximum === "number"
      ? `use a number from ${minimum} to ${maximum}`
      : undefined;
  const message = `${describePointer(ctx, e.pointer)} must be ${bound}, not ${String(e.data)}`;
  return error("RP2108", valueSpan(ctx, e.pointer), message, help);
}

/** RP2110: a map key (label name, header name) that is empty or too long. */
export function invalidPropertyName(ctx: ValidationContext, e: SchemaError): Diagnostic {
  const name = String(e.params["propertyName"]);
  const rule = e.parentSchema["propertyNames"] as JsonSchemaNode | undefined;
  const min = typeof rule?.["minLength"] === "number" ? rule["minLength"] : 0;
  const max = typeof rule?.["maxLength"] === "number" ? rule["maxLength"] : undefined;
  const bounds =
    max !== undefined ? `${Math.max(min, 1)} to ${max} characters` : `at least ${min} characters`;
  const shown = name === "" ? "an empty key" : `key ${code(name)}`;
  return error(
    "RP2110",
    keySpan(ctx, childPointer(e.pointer, name)),
    `${shown} in ${describePointer(ctx, e.pointer)} is not allowed`,
    `keys here must have ${bounds}`,
  );
}

/** RP2100: any other schema error, phrased from ajv's own message. */
export function otherSchemaError(ctx: ValidationContext, e: SchemaError): Diagnostic {
  return error(
    "RP2100",
    valueSpan(ctx, e.pointer),
    `${describePointer(ctx, e.pointer)} ${e.message ?? "is not valid"}`,
  );
}
