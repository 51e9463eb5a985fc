/**
 * Canonical DSL for a grant's resource tree (S-T3) and its filters (S-T4): `any`/`all`/`scope`
 * blocks, actions, `where` filters and path matches.
 */
import { childPointer } from "../../diagnostics/json-pointer.ts";
import type {
  FilterDoc,
  GrantNodeDoc,
  GrantLeafDoc,
  PathFilterDoc,
  ScopeActionDoc,
  StringFilterDoc,
} from "../model.ts";
import { addressOrQuoted, quote, wordOrQuoted } from "./literals.ts";
import { keysUnder } from "./print-lines.ts";
import type { Lines } from "./print-lines.ts";

/** `[a, b]` with each item written by `item`. */
export function printList(values: readonly string[], item: (v: string) => string): string {
  return `[${values.map(item).join(", ")}]`;
}

/** Prints a grant node whose first line starts with `head` (`resources ` for the root). */
export function printGrantNode(
  out: Lines,
  depth: number,
  head: string,
  headKeys: readonly string[],
  node: GrantNodeDoc,
  ptr: string,
): void {
  if ("OR" in node || "AND" in node) {
    const op = "OR" in node ? "OR" : "AND";
    const children = "OR" in node ? node.OR : node.AND;
    out.line(depth, `${head}${op === "OR" ? "any" : "all"} {`, [
      ...headKeys,
      ptr,
      childPointer(ptr, op),
    ]);
    children.forEach((child, i) =>
      printGrantNode(out, depth + 1, "", [], child, childPointer(childPointer(ptr, op), i)),
    );
    out.close(depth, ptr);
    return;
  }
  printLeaf(out, depth, head, headKeys, node, ptr);
}

function printLeaf(
  out: Lines,
  depth: number,
  head: string,
  headKeys: readonly string[],
  leaf: GrantLeafDoc,
  ptr: string,
): void {
  const scopes = childPointer(ptr, "scopes");
  const tunnelsPtr = childPointer(scopes, "tunnels");
  out.line(depth, `${head}scope {`, [
    ...headKeys,
    ptr,
    scopes,
    `${scopes}#end`,
    tunnelsPtr,
    `${tunnelsPtr}#end`,
  ]);
  for (const key of ["workspaces", "projects"] as const) {
    const names = leaf[key];
    if (names !== undefined) {
      out.line(
        depth + 1,
        `${key} ${printList(names, quote)}`,
        keysUnder(childPointer(ptr, key), names),
      );
    }
  }
  const actions = leaf.scopes?.tunnels;
  for (const kind of ["create", "connect", "list"] as const) {
    const action = actions?.[kind];
    if (action !== undefined)
      printAction(out, depth + 1, kind, action, childPointer(tunnelsPtr, kind));
  }
  out.close(depth, ptr);
}

function printAction(
  out: Lines,
  depth: number,
  kind: string,
  action: ScopeActionDoc,
  ptr: string,
): void {
  if (typeof action === "boolean") {
    out.line(depth, action ? kind : `${kind} off`, [ptr, `${ptr}#end`]);
    return;
  }
  const filtersPtr = childPointer(ptr, "filters");
  const head = action.filters === undefined ? kind : `${kind} where ${printFilter(action.filters)}`;
  const headKeys = [ptr, ...keysUnder(filtersPtr, action.filters)];
  const body = actionBody(action, ptr);
  if (body.length === 0) {
    const text = action.filters === undefined ? `${kind} {}` : head;
    out.line(depth, text, [...headKeys, `${ptr}#end`]);
    return;
  }
  out.line(depth, `${head} {`, headKeys);
  for (const [text, keys] of body) out.line(depth + 1, text, keys);
  out.close(depth, ptr);
}

type BodyLine = readonly [string, readonly string[]];

function actionBody(action: Exclude<ScopeActionDoc, boolean>, ptr: string): BodyLine[] {
  const lines: BodyLine[] = [];
  const paramsPtr = childPointer(ptr, "params");
  const params = action.params;
  const paramKeys = [paramsPtr, `${paramsPtr}#end`];
  if (params !== undefined && params.path === undefined && params.methods === undefined) {
    lines.push(["params {}", paramKeys]);
  }
  if (params?.path !== undefined) {
    const p = childPointer(paramsPtr, "path");
    lines.push([`path ${printPath(params.path)}`, [...paramKeys, ...keysUnder(p, params.path)]]);
  }
  if (params?.methods !== undefined) {
    const p = childPointer(paramsPtr, "methods");
    lines.push([
      `methods ${printList(params.methods, wordOrQuoted)}`,
      [...paramKeys, ...keysUnder(p, params.methods)],
    ]);
  }
  if (action.select !== undefined) {
    const p = childPointer(ptr, "select");
    lines.push([`select ${printList(action.select, wordOrQuoted)}`, keysUnder(p, action.select)]);
  }
  return lines;
}

/** The operator and value of a string-field match: `= "x"`, `== "x"`, `in […]`, `~ "re"`. */
export function printStringMatch(filter: StringFilterDoc): string {
  if (typeof filter === "string") return `= ${quote(filter)}`;
  if ("exact" in filter) return `== ${quote(filter.exact)}`;
  if ("oneof" in filter) return `in ${printList(filter.oneof, quote)}`;
  return `~ ${quote(filter.regex)}`;
}

function printPath(path: PathFilterDoc): string {
  if (typeof path === "object" && "prefix" in path)
    return `prefix ${printList(path.prefix, quote)}`;
  if (typeof path === "object" && "glob" in path) return `glob ${printList(path.glob, quote)}`;
  return printStringMatch(path);
}

/** A filter on one line: `all(…)`, `any(…)`, `true`, or comparisons joined by `and`. */
export function printFilter(filter: FilterDoc): string {
  if ("AND" in filter && Array.isArray(filter.AND))
    return `all(${filter.AND.map(printFilter).join(", ")})`;
  if ("OR" in filter && Array.isArray(filter.OR))
    return `any(${filter.OR.map(printFilter).join(", ")})`;
  const parts: string[] = [];
  for (const [field, value] of Object.entries(filter)) {
    if (field === "labels" && typeof value === "object" && value !== null) {
      for (const [key, match] of Object.entries(value as Record<string, StringFilterDoc>)) {
        parts.push(`labels.${wordOrQuoted(key)} ${printStringMatch(match)}`);
      }
    } else {
      parts.push(`${field} ${printFieldValue(field, value)}`);
    }
  }
  return parts.length === 0 ? "true" : parts.join(" and ");
}

function printFieldValue(field: string, value: unknown): string {
  if (typeof value === "boolean") return `= ${value}`;
  if (Array.isArray(value)) {
    const item = field === "trusted_ips" ? addressOrQuoted : wordOrQuoted;
    return `= ${printList(value as string[], item)}`;
  }
  return printStringMatch(value as StringFilterDoc);
}
