/**
 * Filters on tunnel fields that Rampart's tunnels never declare (S-T4,
 * `UNDECIDABLE_FILTER_FIELDS`: `port`, `upstream_tls`, `region`, …). The platform's grammar
 * allows them, so a token naming one is accepted unchanged; the field object naming one
 * becomes an empty `OR`, which matches no tunnel. A field object is the conjunction of its
 * fields, so the whole object fails with that field: the token grants less, never more. A
 * regex in a dropped filter is still held to the safe subset (S-T5), as every regex of a
 * token is. Runs on schema-checked claims, before lowering.
 */
import { checkSafeRegex } from "../../ir/regex-safety.ts";
import { UNDECIDABLE_FILTER_FIELDS } from "./tunnel-fields.ts";

type Json = Readonly<Record<string, unknown>>;

const MATCHES_NOTHING: Json = Object.freeze({ OR: Object.freeze([]) });
const ACTIONS = ["create", "connect", "list"] as const;

/** The first reason found to refuse the token, while rewriting. */
interface Found {
  error: string | null;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether the field object names an undecidable field; notes an unsafe regex in one. */
function namesUndecidable(fields: Json, found: Found): boolean {
  let names = false;
  for (const key in fields) {
    if (!Object.hasOwn(UNDECIDABLE_FILTER_FIELDS, key)) continue;
    names = true;
    const value = fields[key];
    const source = isObject(value) ? value["regex"] : undefined;
    if (typeof source !== "string" || found.error !== null) continue;
    const checked = checkSafeRegex(source);
    if (!checked.ok) found.error = `regex \`${source}\` is not allowed: ${checked.reason}`;
  }
  return names;
}

/** The children rewritten by `rewrite`, or the same array when none changed. */
function mapChildren(children: unknown, rewrite: (node: unknown) => unknown): unknown {
  if (!Array.isArray(children)) return children;
  const out = children.map(rewrite);
  return out.some((c, i) => c !== children[i]) ? out : children;
}

/** `node` with its `AND` or `OR` children rewritten; undefined when it is neither. */
function rewriteBranches(node: Json, rewrite: (node: unknown) => unknown): Json | undefined {
  for (const op of ["AND", "OR"] as const) {
    if (!Object.hasOwn(node, op)) continue;
    const children = mapChildren(node[op], rewrite);
    return children === node[op] ? node : { ...node, [op]: children };
  }
  return undefined;
}

function rewriteFilter(filter: unknown, found: Found): unknown {
  if (!isObject(filter)) return filter;
  const branches = rewriteBranches(filter, (c) => rewriteFilter(c, found));
  if (branches !== undefined) return branches;
  return namesUndecidable(filter, found) ? MATCHES_NOTHING : filter;
}

function rewriteLeaf(leaf: Json, found: Found): Json {
  const scopes = leaf["scopes"];
  const tunnels = isObject(scopes) ? scopes["tunnels"] : undefined;
  if (!isObject(scopes) || !isObject(tunnels)) return leaf;
  let changed: Record<string, unknown> | null = null;
  for (const name of ACTIONS) {
    const action = tunnels[name];
    if (!isObject(action) || !Object.hasOwn(action, "filters")) continue;
    const filters = rewriteFilter(action["filters"], found);
    if (filters === action["filters"]) continue;
    changed ??= { ...tunnels };
    changed[name] = { ...action, filters };
  }
  return changed === null ? leaf : { ...leaf, scopes: { ...scopes, tunnels: changed } };
}

function rewriteNode(node: unknown, found: Found): unknown {
  if (!isObject(node)) return node;
  return rewriteBranches(node, (c) => rewriteNode(c, found)) ?? rewriteLeaf(node, found);
}

/**
 * The `resources` claim with every filter on an undecidable field made to match nothing, or
 * why the token is invalid.
 */
export function withoutUndecidableFilters(
  resources: Json,
): { resources: Json } | { error: string } {
  const found: Found = { error: null };
  const tunnels = rewriteNode(resources["tunnels"], found);
  if (found.error !== null) return { error: found.error };
  return { resources: tunnels === resources["tunnels"] ? resources : { ...resources, tunnels } };
}
