/**
 * Checks that a derived grant only narrows its parent (SPEC S-H8) and says which part widens.
 * Reduction ANDs a child with its parent (S-T6), so a part the child leaves open (`null`:
 * permissions, expiry, resources, a scope, a filter, paths, methods) inherits the parent's and
 * is not a widening; what is reported is a part the child *asks for* beyond the parent.
 * Exact where it is decidable (permissions, expiry, methods, scopes, concrete paths); where it
 * is not (regexes, globs, differing filter trees) it reports a *possible* widening, so a
 * silent widening is never accepted. At run time the effective grant is ANDed with the parent
 * anyway (S-T6), so a widening request is never honoured; this check tells the author.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { Span } from "../diagnostics/span.ts";
import { equalIr } from "../ir/equal.ts";
import { pathMatches } from "../ir/path.ts";
import type { ActionIr, FilterIr, GrantIr, GrantNodeIr, PathMatchIr } from "../ir/types.ts";

/** The part of a grant that widens. */
export type WideningPart =
  | "permissions"
  | "expiry"
  | "tunnels"
  | "workspaces"
  | "projects"
  | "create"
  | "connect"
  | "list"
  | "filters"
  | "paths"
  | "methods"
  | "select";

/** One way in which a child grant may reach beyond its parent. */
export interface Widening {
  readonly part: WideningPart;
  /** True when the widening is certain; false when it could not be ruled out. */
  readonly certain: boolean;
  readonly message: string;
}

type Leaf = Extract<GrantNodeIr, { kind: "leaf" }>;
/** A conjunction of leaves; the empty conjunction allows everything. */
type Conjunction = readonly Leaf[];
type Action = "create" | "connect" | "list";

/** Beyond this many conjunctions the tree is compared conservatively. */
const MAX_CONJUNCTIONS = 256;

/** Disjunctive normal form of a resource tree, or `null` when it grows too large. */
function toDnf(node: GrantNodeIr): Conjunction[] | null {
  if (node.kind === "leaf") return [[node]];
  const parts: Conjunction[][] = [];
  for (const child of node.children) {
    const dnf = toDnf(child);
    if (dnf === null) return null;
    parts.push(dnf);
  }
  if (node.kind === "or") {
    const all = parts.flat();
    return all.length > MAX_CONJUNCTIONS ? null : all;
  }
  let product: Conjunction[] = [[]];
  for (const dnf of parts) {
    product = product.flatMap((left) => dnf.map((right) => [...left, ...right]));
    if (product.length > MAX_CONJUNCTIONS) return null;
  }
  return product;
}

const w = (part: WideningPart, certain: boolean, message: string): Widening => ({ part, certain, message });

function listWithin(
  part: WideningPart,
  child: readonly string[] | null,
  parent: readonly string[] | null,
  what: string,
): Widening[] {
  if (parent === null || child === null) return [];
  const extra = child.filter((v) => !parent.includes(v));
  return extra.length === 0 ? [] : [w(part, true, `allows ${what} ${extra.join(", ")} that the parent does not`)];
}

function filterWithin(part: WideningPart, child: FilterIr | null, parent: FilterIr | null): Widening[] {
  if (parent === null || child === null || equalIr(child, parent)) return [];
  if (child.kind === "and" && child.children.some((c) => equalIr(c, parent))) return [];
  return [w(part, false, "uses a tunnel filter that could not be shown to be inside the parent's")];
}

function isConcrete(match: PathMatchIr): match is Extract<PathMatchIr, { kind: "exact" | "oneof" }> {
  return match.kind === "exact" || match.kind === "oneof";
}

/** A prefix that starts with a parent prefix at a segment boundary stays inside it. */
function prefixInside(child: string, parent: string): boolean {
  return child.startsWith(parent) && (parent.endsWith("/") || child.length === parent.length || child[parent.length] === "/");
}

function pathWithin(child: PathMatchIr | null, parent: PathMatchIr | null): Widening[] {
  if (parent === null || child === null || equalIr(child, parent)) return [];
  if (isConcrete(child)) {
    const values = child.kind === "exact" ? [child.value] : child.values;
    const outside = values.filter((v) => !pathMatches(parent, v));
    return outside.length === 0 ? [] : [w("paths", true, `allows path ${outside.join(", ")} that the parent does not`)];
  }
  if (child.kind === "prefix" && parent.kind === "prefix") {
    const outside = child.values.filter((c) => !parent.values.some((p) => prefixInside(c, p)));
    return outside.length === 0 ? [] : [w("paths", true, `allows prefix ${outside.join(", ")} outside the parent's prefixes`)];
  }
  return [w("paths", false, `uses a ${child.kind} path match that could not be shown to be inside the parent's`)];
}

function actionWithin(action: Action, child: ActionIr | null, parent: ActionIr | null): Widening[] {
  if (child === null) return [];
  if (parent === null) return [w(action, true, `grants \`${action}\`, which the parent does not`)];
  return [
    ...filterWithin(action === "create" ? "create" : "filters", child.filter, parent.filter),
    ...(action === "connect" ? pathWithin(child.path, parent.path) : []),
    ...(action === "connect" ? listWithin("methods", child.methods, parent.methods, "method") : []),
    ...(action === "list" ? listWithin("select", child.select, parent.select, "field") : []),
  ];
}

function scopeWithin(child: Leaf, parent: Leaf): Widening[] {
  const out: Widening[] = [];
  if (parent.workspaces !== null) {
    if (child.workspaces === null && child.projects !== null) {
      out.push(w("workspaces", false, "names projects where the parent names workspaces"));
    } else out.push(...listWithin("workspaces", child.workspaces, parent.workspaces, "workspace"));
  }
  out.push(...listWithin("projects", child.projects, parent.projects, "project"));
  return out;
}

function leafWithin(child: Leaf, parent: Leaf): Widening[] {
  return [
    ...scopeWithin(child, parent),
    ...actionWithin("create", child.create, parent.create),
    ...actionWithin("connect", child.connect, parent.connect),
    ...actionWithin("list", child.list, parent.list),
  ];
}

/** Widenings of a child conjunction against a parent conjunction (empty: inside it). */
function conjunctionWithin(child: Conjunction, parent: Conjunction): Widening[] {
  const out: Widening[] = [];
  if (child.length === 0) return [];
  for (const p of parent) {
    const best = child.map((c) => leafWithin(c, p)).sort((a, b) => a.length - b.length)[0] ?? [];
    out.push(...best);
  }
  return out;
}

function resourcesWithin(child: GrantNodeIr | null, parent: GrantNodeIr | null): Widening[] {
  if (parent === null || child === null) return [];
  const childDnf = toDnf(child);
  const parentDnf = toDnf(parent);
  if (childDnf === null || parentDnf === null) {
    return [w("tunnels", false, "has a resource tree too large to compare with the parent's")];
  }
  // Exact only for one leaf against one leaf; with more, a mismatch may be spurious.
  const exact = childDnf.length === 1 && parentDnf.length === 1 && (childDnf[0]?.length ?? 0) <= 1 && (parentDnf[0]?.length ?? 0) <= 1;
  const out: Widening[] = [];
  for (const c of childDnf) {
    const tries = parentDnf.map((p) => conjunctionWithin(c, p)).sort((a, b) => a.length - b.length);
    const best = tries[0] ?? [w("tunnels", true, "allows tunnels where the parent allows none")];
    out.push(...best.map((x) => (exact ? x : { ...x, certain: false })));
  }
  return out;
}

/** Which parts of `child` reach beyond `parent`; empty when it only narrows. */
export function checkNarrowing(parent: GrantIr, child: GrantIr): Widening[] {
  const out: Widening[] = [];
  if (parent.permissions !== null) {
    out.push(...listWithin("permissions", child.permissions, parent.permissions, "permission"));
  }
  if (parent.expiresAt !== null && child.expiresAt !== null && child.expiresAt > parent.expiresAt) {
    out.push(w("expiry", true, "outlives the parent"));
  }
  out.push(...resourcesWithin(child.resources, parent.resources));
  const seen = new Set<string>();
  return out.filter((x) => {
    const key = `${x.part}:${x.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const PART_SPAN: Readonly<Partial<Record<WideningPart, string>>> = {
  permissions: "permissions",
  expiry: "expires_at",
};

/** RP4201: an error when the widening is certain, a warning when it is only possible. */
export function wideningToDiagnostic(child: GrantIr, widening: Widening): Diagnostic {
  const key = PART_SPAN[widening.part] ?? "resources";
  const span: Span | undefined = child.spans[key] ?? child.origin;
  return {
    code: "RP4201",
    severity: widening.certain ? "error" : "warning",
    message: `grant \`${child.name}\` ${widening.certain ? "widens" : "may widen"} its parent \`${child.parent ?? ""}\` (${widening.part}): it ${widening.message}`,
    ...(span !== undefined ? { span } : {}),
    help: "a derived grant can only narrow its parent; the effective grant keeps only what both allow",
  };
}
