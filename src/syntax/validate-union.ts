/**
 * Choosing the branch of a failed union (`anyOf`) that a value was meant for. zod writes a
 * union of objects as `anyOf` of closed objects (`{exact}`, `{oneof}`, `{prefix}` …), so the
 * property names a user wrote say which branch they meant: that branch's errors are the
 * useful ones. When type and names do not settle it, one RP2109 lists what is allowed.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { JsonSchemaNode, PolicyJsonSchema } from "./schema.ts";
import { describePointer, valueSpan } from "./validate-context.ts";
import type { ValidationContext } from "./validate-context.ts";
import { jsonType, orList, typePhrase } from "./validate-messages.ts";
import type { SchemaError } from "./validate-messages.ts";
import { childPointer, pointerTokens } from "../diagnostics/json-pointer.ts";

/** One alternative of a union, with its JSON Pointer inside the policy schema. */
export interface UnionBranch {
  readonly pointer: string;
  readonly node: JsonSchemaNode;
}

const pointerIndexes = new WeakMap<PolicyJsonSchema, WeakMap<object, string>>();

/** Pointer of every object node of the schema, by identity (ajv hands back the same objects). */
function pointerIndex(root: PolicyJsonSchema): WeakMap<object, string> {
  let index = pointerIndexes.get(root);
  if (index === undefined) {
    const built = new WeakMap<object, string>();
    const walk = (node: unknown, pointer: string): void => {
      if (typeof node !== "object" || node === null || built.has(node)) return;
      built.set(node, pointer);
      for (const [key, child] of Object.entries(node)) walk(child, childPointer(pointer, key));
    };
    walk(root, "");
    pointerIndexes.set(root, built);
    index = built;
  }
  return index;
}

function resolvePointer(root: PolicyJsonSchema, pointer: string): JsonSchemaNode | undefined {
  let node: unknown = root;
  for (const token of pointerTokens(pointer)) {
    node =
      typeof node === "object" && node !== null
        ? (node as Record<string, unknown>)[token]
        : undefined;
  }
  return typeof node === "object" && node !== null ? (node as JsonSchemaNode) : undefined;
}

/** The branches of a failed union, with `$ref`s resolved and nested unions flattened. */
export function unionBranches(root: PolicyJsonSchema, union: SchemaError): UnionBranch[] {
  const base = pointerIndex(root).get(union.parentSchema);
  const alternatives = Array.isArray(union.schema) ? (union.schema as JsonSchemaNode[]) : [];
  if (base === undefined) return [];
  const out: UnionBranch[] = [];
  const visit = (node: JsonSchemaNode, pointer: string, depth: number): void => {
    if (depth > 8) return;
    if (typeof node.$ref === "string" && node.$ref.startsWith("#")) {
      const target = node.$ref.slice(1);
      const resolved = resolvePointer(root, target);
      if (resolved !== undefined) visit(resolved, target, depth + 1);
      return;
    }
    const nested = node.anyOf ?? node.oneOf;
    if (nested !== undefined && node.type === undefined && node.properties === undefined) {
      const keyword = node.anyOf !== undefined ? "anyOf" : "oneOf";
      nested.forEach((branch, i) => visit(branch, `${pointer}/${keyword}/${i}`, depth + 1));
      return;
    }
    out.push({ pointer, node });
  };
  alternatives.forEach((branch, i) => visit(branch, `${base}/${union.keyword}/${i}`, 0));
  return out;
}

/** Whether a branch admits a value of this JSON type (`integer` is a `number`). */
function acceptsType(node: JsonSchemaNode, value: unknown): boolean {
  const actual = jsonType(value);
  if (node.type === undefined)
    return node.enum === undefined || node.enum.some((v) => jsonType(v) === actual);
  const types = typeof node.type === "string" ? [node.type] : node.type;
  return types.some((t) => t === actual || (t === "number" && actual === "integer"));
}

interface Fit {
  readonly branch: UnionBranch;
  readonly score: number;
  readonly requiredPresent: boolean;
  readonly requiredCount: number;
}

function fitOf(branch: UnionBranch, keys: readonly string[]): Fit {
  const known = branch.node.properties ?? {};
  const open = branch.node.additionalProperties !== false;
  const matched = keys.filter((k) => Object.hasOwn(known, k)).length;
  const unknown = open ? 0 : keys.length - matched;
  const required = branch.node.required ?? [];
  return {
    branch,
    score: matched - unknown,
    requiredPresent: required.every((r) => keys.includes(r)),
    requiredCount: required.length,
  };
}

function compareFits(a: Fit, b: Fit): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.requiredPresent !== b.requiredPresent) return a.requiredPresent ? -1 : 1;
  return b.requiredCount - a.requiredCount;
}

/**
 * The branch a value was meant for: the only one of its type, or, among object branches,
 * the one whose property names it uses most (unknown names count against), then the one
 * whose required names are all there, then the more specific. `undefined` when it is a tie.
 */
export function chooseBranch(
  branches: readonly UnionBranch[],
  value: unknown,
): UnionBranch | undefined {
  const typed = branches.filter((b) => acceptsType(b.node, value));
  if (typed.length <= 1 || jsonType(value) !== "object") return typed[0];
  const keys = Object.keys(value as object);
  const fits = typed.map((b) => fitOf(b, keys)).sort(compareFits);
  const [best, next] = fits;
  if (best === undefined) return undefined;
  return next !== undefined && compareFits(best, next) === 0 ? undefined : best.branch;
}

/** `an object with \`exact\``, `a string`, … for the help of RP2109. */
function describeForm(node: JsonSchemaNode): string {
  if (node.enum !== undefined)
    return `one of ${node.enum.map((v) => `\`${String(v)}\``).join(", ")}`;
  const type = typeof node.type === "string" ? node.type : (node.type ?? []).join(" or ");
  if (type === "boolean") return "`true` or `false`";
  if (type !== "object") return typePhrase(type === "" ? "value" : type);
  const required = node.required ?? [];
  if (required.length > 0) return `an object with ${required.map((r) => `\`${r}\``).join(" and ")}`;
  const names = Object.keys(node.properties ?? {});
  const shown = names.slice(0, 4).map((n) => `\`${n}\``);
  return `an object with any of ${shown.join(", ")}${names.length > 4 ? ", …" : ""}`;
}

/** RP2109: a value that fits none of a union's forms, or fits several equally badly. */
export function noMatchingForm(
  ctx: ValidationContext,
  union: SchemaError,
  branches: readonly UnionBranch[],
): Diagnostic {
  const what = describePointer(ctx, union.pointer);
  const forms = [...new Set(branches.map((b) => describeForm(b.node)))];
  const types = [
    ...new Set(
      branches.map((b) => typePhrase(typeof b.node.type === "string" ? b.node.type : "value")),
    ),
  ];
  const found = jsonType(union.data);
  const fitsType = branches.some((b) => acceptsType(b.node, union.data));
  const message = fitsType
    ? `${what} does not match any of the forms allowed here`
    : `${what} must be ${orList(types)}, not ${typePhrase(found === "integer" ? "number" : found)}`;
  // The list of forms helps only when it says more than the list of types in the message.
  const help = fitsType || forms.join() !== types.join() ? `write ${orList(forms)}` : undefined;
  const span = valueSpan(ctx, union.pointer);
  return help === undefined
    ? { code: "RP2109", severity: "error", span, message }
    : { code: "RP2109", severity: "error", span, message, help };
}
