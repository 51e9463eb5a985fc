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
import type { JsonSchemaNode, PolicyJsonSchema } from "./schema.ts";
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
  // union looks its node up in `policySchema()`: errors come from the validators compiled
  // from that schema (on first use, so only a document with errors pays for compiling them).
  const schema = schemaModule();
  const ctx: ValidationContext = { document, spans, keySpans, source };
  const bag = new DiagnosticBag();
  const budget: Budget = { left: bag.room, skipped: 0 };
  const { shallow, lists } = splitLists(document, schema.policySchema());
  const validate = schema.schemaValidator("");
  validate(shallow);
  bag.addAll(explainErrors(ctx, collectErrors(validate, ""), budget));
  for (const list of lists) {
    if (list.tooLong !== undefined) bag.addAll(explainErrors(ctx, [list.tooLong], budget));
    const validateItem = schema.schemaValidator(list.itemPointer);
    list.items.forEach((item, i) => {
      if (validateItem(item)) return;
      const errors = collectErrors(validateItem, `/${list.name}/${i}`);
      bag.addAll(explainErrors(ctx, errors, budget));
    });
  }
  bag.addDropped(budget.skipped);
  return bag.finish(document as PolicyDocumentDoc);
}

/** A top-level list of the document whose items are validated one at a time. */
interface ItemList {
  readonly name: string;
  readonly items: readonly unknown[];
  /** The schema node of its items (`/$defs/Tunnel`). */
  readonly itemPointer: string;
  /** Its `maxItems` error, when it has more entries than the schema allows. */
  readonly tooLong: SchemaError | undefined;
}

/**
 * The document with its top-level lists (tunnels, grants, …) emptied, and those lists. ajv's
 * validator of the whole document gathers each refused item's errors with `concat`, copying
 * every error found so far: 2,000 refused grants took 4 s, 20,000 took six minutes. Validated
 * apart, each item's errors are its own; the order of the diagnostics stays the document's.
 */
function splitLists(
  document: unknown,
  schema: PolicyJsonSchema,
): { shallow: unknown; lists: ItemList[] } {
  if (document === null || typeof document !== "object" || Array.isArray(document))
    return { shallow: document, lists: [] };
  // Spread copies an own `__proto__` member as a member, as the reader made it.
  const shallow: Record<string, unknown> = { ...document };
  const lists: ItemList[] = [];
  for (const [name, node] of Object.entries(schema.properties ?? {})) {
    const items = shallow[name];
    const ref = node.items?.$ref;
    if (!Object.hasOwn(shallow, name) || !Array.isArray(items) || ref?.startsWith("#/") !== true)
      continue;
    shallow[name] = [];
    const max = node["maxItems"];
    const tooLong: SchemaError | undefined =
      typeof max === "number" && items.length > max
        ? {
            pointer: `/${name}`,
            keyword: "maxItems",
            params: { limit: max },
            schema: max,
            parentSchema: node,
            data: items,
            propertyName: undefined,
            message: undefined,
          }
        : undefined;
    lists.push({ name, items, itemPointer: ref.slice(1), tooLong });
  }
  return { shallow, lists };
}

/**
 * How many more errors to explain, and how many were counted instead: the bag keeps the first
 * 50, and a document of 100,000 wrong tunnels has 600,000 errors, whose messages (each with its
 * spans and suggestions) took seconds and hundreds of megabytes to build and throw away.
 */
interface Budget {
  left: number;
  skipped: number;
}

/** The diagnostic `make` builds, while the budget lasts; after that it is only counted. */
function spend(budget: Budget, make: () => Diagnostic): Diagnostic[] {
  if (budget.left === 0) {
    budget.skipped++;
    return [];
  }
  budget.left--;
  return [make()];
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

/**
 * Turns one validation's errors into diagnostics, explaining each outermost union once, in the
 * same order whether or not the budget runs out.
 */
function explainErrors(
  ctx: ValidationContext,
  errors: readonly SchemaError[],
  budget: Budget,
): Diagnostic[] {
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
    // Errors about a map key come twice: the key's own check, then `propertyNames`; keep one.
    if (e.propertyName !== undefined && e.keyword !== "propertyNames") continue;
    diagnostics.push(...spend(budget, () => explainError(ctx, e)));
  }
  for (const u of outermost) diagnostics.push(...explainUnion(ctx, u, budget));
  return diagnostics;
}

function explainError(ctx: ValidationContext, e: SchemaError): Diagnostic {
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
function explainUnion(ctx: ValidationContext, union: SchemaError, budget: Budget): Diagnostic[] {
  const schema = schemaModule();
  const branches = unionBranches(schema.policySchema(), union);
  const choice = chooseBranch(branches, union.data);
  if (choice === undefined) return spend(budget, () => noMatchingForm(ctx, union, branches));
  const validate = schema.schemaValidator(choice.pointer);
  if (validate(union.data)) return spend(budget, () => noMatchingForm(ctx, union, branches));
  const errors = collectErrors(validate, union.pointer);
  return explainErrors(ctx, errors, budget);
}
