/**
 * Canonical JSON for a policy document: properties in the order the model declares them
 * (which is the order of the generated schema), 2-space indent, one trailing newline. Map
 * keys (labels, headers) keep the order they were written in. `rampart fmt` and `convert`
 * print JSON with this, so the same document always prints the same bytes.
 */
import type { PolicyDocumentDoc } from "./model.ts";
import { policySchema } from "./schema.ts";
import type { JsonSchemaNode, PolicyJsonSchema } from "./schema.ts";
import { chooseBranch } from "./validate-union.ts";
import type { UnionBranch } from "./validate-union.ts";

/** Prints a (valid) document as canonical JSON text. */
export function printJson(document: PolicyDocumentDoc): string {
  const root = policySchema();
  return `${JSON.stringify(reorder(document, root, root), null, 2)}\n`;
}

function resolve(root: PolicyJsonSchema, node: JsonSchemaNode): JsonSchemaNode {
  let current = node;
  // Refs in the generated schema are local (`#/$defs/Name`) and never point at a ref.
  if (typeof current.$ref === "string" && current.$ref.startsWith("#/$defs/")) {
    current = root.$defs[current.$ref.slice("#/$defs/".length)] ?? current;
  }
  return current;
}

/** The union branch a value belongs to (the document is valid, so one fits). */
function branchFor(
  root: PolicyJsonSchema,
  node: JsonSchemaNode,
  value: unknown,
  depth: number,
): JsonSchemaNode {
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives === undefined || depth > 8) return node;
  const branches: UnionBranch[] = alternatives.map((b, i) => ({
    pointer: String(i),
    node: branchFor(root, resolve(root, b), value, depth + 1),
  }));
  return chooseBranch(branches, value)?.node ?? {};
}

function reorder(value: unknown, nodeIn: JsonSchemaNode, root: PolicyJsonSchema): unknown {
  const node = branchFor(root, resolve(root, nodeIn), value, 0);
  if (Array.isArray(value)) {
    const items = node.items ?? {};
    return value.map((item) => reorder(item, items, root));
  }
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const properties = node.properties ?? {};
  const extra = typeof node.additionalProperties === "object" ? node.additionalProperties : {};
  const out: Record<string, unknown> = {};
  const put = (key: string, child: JsonSchemaNode): void => {
    if (record[key] === undefined) return;
    Object.defineProperty(out, key, {
      value: reorder(record[key], child, root),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  };
  for (const [key, child] of Object.entries(properties))
    if (Object.hasOwn(record, key)) put(key, child);
  for (const key of Object.keys(record)) if (!Object.hasOwn(properties, key)) put(key, extra);
  return out;
}
