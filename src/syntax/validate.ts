/**
 * Schema validation of a policy document with ajv, for both front ends: JSON documents come
 * with spans from `json-reader.ts`, DSL documents with spans from the DSL front end. Every ajv
 * error becomes an RP21xx diagnostic at the span of its `instancePath`.
 *
 * Unions (`anyOf`) are where raw ajv errors stop helping: a wrong filter reports one error
 * per branch it did not match. Here a failed union is explained once: the branch the value
 * was evidently meant for (by type, then by property names) is validated on its own and its
 * errors are reported; when no branch fits, one RP2109 lists the forms allowed there.
 */
import { createRequire } from "node:module";
import { DiagnosticBag } from "../diagnostics/bag.ts";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import type { SpanTable } from "./ast.ts";
import type { PolicyDocumentDoc } from "./model.ts";
import { validateDslPolicy } from "./generated/validate-dsl-policy.js";
import { validatePolicy } from "./generated/validate-policy.js";
import type * as SchemaModule from "./schema.ts";
import type { JsonSchemaNode } from "./schema.ts";
import type { ValidationContext } from "./validate-context.ts";
import * as messages from "./validate-messages.ts";
import type { SchemaError } from "./validate-messages.ts";
import { chooseBranch, noMatchingForm, unionBranches } from "./validate-union.ts";

const NO_KEY_SPANS: SpanTable = new Map();

/**
 * The schema module (zod model, schema generator, ajv), loaded only to explain errors: a valid
 * document is checked by the validator compiled ahead of time, and loading zod and ajv took a
 * sixth of a small `rampart lint`. `require` because validation is synchronous.
 */
function schemaModule(): typeof SchemaModule {
  // The built package (dist/) holds this module as `.js`: require its sibling by the same name.
  const sibling = import.meta.url.endsWith(".ts") ? "./schema.ts" : "./schema.js";
  return createRequire(import.meta.url)(sibling) as typeof SchemaModule;
}

/**
 * Checks a document against the policy schema. `spans` locate values by JSON Pointer;
 * `keySpans`, when the front end has them, locate property names (see `json-reader.ts`).
 */
export function validateDocument(
  document: unknown,
  spans: SpanTable,
  source: SourceFile,
  keySpans: SpanTable = NO_KEY_SPANS,
): Outcome<PolicyDocumentDoc> {
  // INVARIANT: ajv's validate() returns true only for documents of the schema generated from
  // the zod model, so the cast below is the one place where the shape is taken on trust.
  if (validatePolicy(document)) return { value: document as PolicyDocumentDoc, diagnostics: [] };
  return explainRefusal(document, spans, source, keySpans);
}

/**
 * `validateDocument` for a document the DSL front end wrote: its gate leaves out the checks
 * that the DSL's writer makes needless (`dsl/document-guarantees.ts`) and answers as the whole
 * gate does on such documents (`test/syntax/dsl-schema-gate.test.ts`); a refused document is
 * explained as any other.
 */
export function validateDslDocument(
  document: unknown,
  spans: SpanTable,
  source: SourceFile,
): Outcome<PolicyDocumentDoc> {
  // INVARIANT: as in validateDocument; the DSL gate accepts a DSL document only when the
  // whole gate does.
  if (validateDslPolicy(document)) {
    return { value: document as PolicyDocumentDoc, diagnostics: [] };
  }
  return explainRefusal(document, spans, source, NO_KEY_SPANS);
}

/** The diagnostics of a document the gate refused, from ajv's errors. */
function explainRefusal(
  document: unknown,
  spans: SpanTable,
  source: SourceFile,
  keySpans: SpanTable,
): Outcome<PolicyDocumentDoc> {
  // The shipped validator's errors point into its own copy of the schema, and explaining a
  // union looks its node up in `policySchema()`: errors come from the validator compiled
  // from that schema (on first use, so only a document with errors pays for compiling it).
  const validate = schemaModule().schemaValidator("");
  validate(document);
  const ctx: ValidationContext = { document, spans, keySpans, source };
  const bag = new DiagnosticBag();
  bag.addAll(explainErrors(ctx, collectErrors(validate, "")));
  return bag.finish(document as PolicyDocumentDoc);
}

/** Copies ajv's errors (its array is reused by the next call) with absolute pointers. */
function collectErrors(validate: ValidateFunction, base: string): SchemaError[] {
  return (validate.errors ?? []).map((e: ErrorObject) => ({
    pointer: base + e.instancePath,
    keyword: e.keyword,
    params: e.params as Record<string, unknown>,
    schema: e.schema,
    parentSchema: (e.parentSchema ?? {}) as JsonSchemaNode,
    data: e.data,
    propertyName: e.propertyName,
    message: e.message,
  }));
}

const isUnion = (e: SchemaError): boolean => e.keyword === "anyOf" || e.keyword === "oneOf";

/** The failed union at `pointer` or at its nearest ancestor, if any (walks up the pointer). */
function enclosingUnion(
  unionsAt: ReadonlyMap<string, SchemaError>,
  pointer: string,
): SchemaError | undefined {
  let p = pointer;
  for (;;) {
    const union = unionsAt.get(p);
    if (union !== undefined || p === "") return union;
    p = p.slice(0, p.lastIndexOf("/"));
  }
}

/** Turns one validation's errors into diagnostics, explaining each outermost union once. */
function explainErrors(ctx: ValidationContext, errors: readonly SchemaError[]): Diagnostic[] {
  // Every error at or under a failed union's value comes from trying its branches: for a
  // schema generated from zod, only the union's schema applies to that value.
  // Nested unions can fail at one pointer (`PathFilter` holds `StringFilter`); ajv reports
  // the outer one last, so the last union error at a pointer is the one to explain.
  const unionsAt = new Map<string, SchemaError>();
  for (const e of errors) if (isUnion(e)) unionsAt.set(e.pointer, e);
  const outermost = new Set<SchemaError>();
  const plain: SchemaError[] = [];
  for (const e of errors) {
    const union = enclosingUnion(unionsAt, e.pointer);
    if (union === undefined) plain.push(e);
    else if (e === union) {
      // Only a union with no failed union above it is explained from here; inner ones are
      // explained when their branch is validated on its own.
      const parent =
        e.pointer === ""
          ? undefined
          : enclosingUnion(unionsAt, e.pointer.slice(0, e.pointer.lastIndexOf("/")));
      if (parent === undefined) outermost.add(e);
    }
  }
  const typeErrorAt = new Set(plain.filter((e) => e.keyword === "type").map((e) => e.pointer));
  const diagnostics: Diagnostic[] = [];
  for (const e of plain) {
    // A wrong type makes the value's other errors (enum, length) noise.
    if (e.keyword !== "type" && typeErrorAt.has(e.pointer)) continue;
    const d = explainError(ctx, e);
    if (d !== undefined) diagnostics.push(d);
  }
  for (const u of outermost) diagnostics.push(...explainUnion(ctx, u));
  return diagnostics;
}

function explainError(ctx: ValidationContext, e: SchemaError): Diagnostic | undefined {
  // Errors about a map key come twice: the key's own check, then `propertyNames`; keep one.
  if (e.propertyName !== undefined && e.keyword !== "propertyNames") return undefined;
  switch (e.keyword) {
    case "type":
      return messages.wrongType(ctx, e);
    case "additionalProperties":
      return messages.unknownProperty(ctx, e);
    case "required":
      return messages.missingProperty(ctx, e);
    case "enum":
      return messages.unknownEnumValue(ctx, e);
    case "minLength":
    case "maxLength":
      return messages.stringLength(ctx, e);
    case "minItems":
    case "maxItems":
      return messages.listLength(ctx, e);
    case "pattern":
      return messages.patternMismatch(ctx, e);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return messages.numberOutOfRange(ctx, e);
    case "propertyNames":
      return messages.invalidPropertyName(ctx, e);
    default:
      return messages.otherSchemaError(ctx, e);
  }
}

/** Explains a failed union by the branch the value was meant for, or by what fits there. */
function explainUnion(ctx: ValidationContext, union: SchemaError): Diagnostic[] {
  const schema = schemaModule();
  const branches = unionBranches(schema.policySchema(), union);
  const choice = chooseBranch(branches, union.data);
  if (choice === undefined) return [noMatchingForm(ctx, union, branches)];
  const validate = schema.schemaValidator(choice.pointer);
  if (validate(union.data)) return [noMatchingForm(ctx, union, branches)];
  const errors = collectErrors(validate, union.pointer);
  return explainErrors(ctx, errors);
}
