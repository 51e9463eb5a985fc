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
import { pathMatches, prefixMatches } from "../ir/path.ts";
import type { ActionIr, FilterIr, GrantIr, GrantNodeIr, PathMatchIr } from "../ir/types.ts";
import {
  conjuncts,
  filterImplies,
  isConcreteLeaf,
  mentionedSubjects,
} from "./filter-implication.ts";
import { spanOf } from "../ir/lazy-spans.ts";

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

const w = (part: WideningPart, certain: boolean, message: string): Widening => ({
  part,
  certain,
  message,
});

function listWithin(
  part: WideningPart,
  child: readonly string[] | null,
  parent: readonly string[] | null,
  what: string,
): Widening[] {
  if (parent === null || child === null) return [];
  const extra = child.filter((v) => !parent.includes(v));
  return extra.length === 0
    ? []
    : [w(part, true, `allows ${what} ${extra.join(", ")} that the parent does not`)];
}

function filterWithin(
  part: WideningPart,
  child: FilterIr | null,
  parent: FilterIr | null,
): Widening[] {
  if (parent === null || child === null || filterImplies(child, parent)) return [];
  const childConjuncts = conjuncts(child);
  const out: Widening[] = [];
  for (const p of conjuncts(parent)) {
    if (childConjuncts.some((c) => filterImplies(c, p))) continue;
    const subjects = mentionedSubjects(p);
    const touching = childConjuncts.filter((c) =>
      [...mentionedSubjects(c)].some((x) => subjects.has(x)),
    );
    // A parent condition the child does not mention is inherited through the AND (S-T6).
    if (touching.length === 0) continue;
    const [only] = touching;
    const certain =
      touching.length === 1 &&
      only !== undefined &&
      isConcreteLeaf(p) &&
      isConcreteLeaf(only) &&
      mentionedSubjects(only).size === 1;
    const subject = [...subjects].join(", ");
    out.push(
      w(
        part,
        certain,
        certain
          ? `selects tunnels by ${subject} outside the parent's filter`
          : `filters ${subject} in a way that could not be shown to be inside the parent's filter`,
      ),
    );
  }
  return out;
}

function isConcrete(
  match: PathMatchIr,
): match is Extract<PathMatchIr, { kind: "exact" | "oneof" }> {
  return match.kind === "exact" || match.kind === "oneof";
}

/** The literal segments of a glob before its first wildcard (`/v1/deploy` for `/v1/deploy/*`). */
function globHead(pattern: string): string {
  const segments = pattern.split("/").slice(1);
  const stop = segments.findIndex((segment) => segment.includes("*"));
  return (
    `/${(stop === -1 ? segments : segments.slice(0, stop)).join("/")}`.replace(/\/$/, "") || "/"
  );
}

/**
 * The bases of a parent restriction that admits whole subtrees: prefixes, and globs of the form
 * `<literal>/**`. A child whose every path lies under one base is inside the parent.
 */
function subtreeBases(parent: PathMatchIr): string[] | null {
  if (parent.kind === "prefix") return [...parent.values];
  if (parent.kind !== "glob") return null;
  const bases = parent.patterns.filter((p) => p.endsWith("/**") && !p.slice(0, -3).includes("*"));
  return bases.length === 0 ? null : bases.map((p) => p.slice(0, -3) || "/");
}

/** The literal head every path of a child restriction starts with, per alternative. */
function childHeads(child: PathMatchIr): string[] | null {
  if (child.kind === "prefix") return [...child.values];
  if (child.kind === "glob") return child.patterns.map(globHead);
  return null;
}

function pathWithin(child: PathMatchIr | null, parent: PathMatchIr | null): Widening[] {
  if (parent === null || child === null || equalIr(child, parent)) return [];
  if (isConcrete(child)) {
    const values = child.kind === "exact" ? [child.value] : child.values;
    const outside = values.filter((v) => !pathMatches(parent, v));
    return outside.length === 0
      ? []
      : [w("paths", true, `allows path ${outside.join(", ")} that the parent does not`)];
  }
  const bases = subtreeBases(parent);
  const heads = childHeads(child);
  if (bases !== null && heads !== null) {
    const outside = heads.filter((h) => !bases.some((b) => prefixMatches(b, h)));
    if (outside.length === 0) return [];
    // Certain only for prefix against prefix: a glob head outside may still match nothing.
    const certain = child.kind === "prefix" && parent.kind === "prefix";
    return [w("paths", certain, `allows paths under ${outside.join(", ")} outside the parent's`)];
  }
  return [
    w(
      "paths",
      false,
      `uses a ${child.kind} path match that could not be shown to be inside the parent's`,
    ),
  ];
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
  const exact =
    childDnf.length === 1 &&
    parentDnf.length === 1 &&
    (childDnf[0]?.length ?? 0) <= 1 &&
    (parentDnf[0]?.length ?? 0) <= 1;
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
  const span: Span | undefined = spanOf(child.spans, key) ?? child.origin;
  return {
    code: "RP4201",
    severity: widening.certain ? "error" : "warning",
    message: `grant \`${child.name}\` ${widening.certain ? "widens" : "may widen"} its parent \`${child.parent ?? ""}\` (${widening.part}): it ${widening.message}`,
    ...(span !== undefined ? { span } : {}),
    help: "a derived grant can only narrow its parent; the effective grant keeps only what both allow",
  };
}
