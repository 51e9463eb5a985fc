/**
 * Does one tunnel filter imply another (every tunnel the first selects, the second selects)?
 * Used by the narrowing check (S-H8). Sound, not complete: `true` is a proof, `false` means
 * "not shown". Trusted-IP and country filters select tunnels whose set lies inside theirs, so a
 * smaller `within` implies a larger one.
 */
import { equalIr } from "../ir/equal.ts";
import { ipSetCovers } from "../ir/ip.ts";
import type { FilterIr } from "../ir/types.ts";
import { matchValues, stringMatches } from "./kinds/string-match.ts";

type LeafFilter = Exclude<FilterIr, { kind: "and" | "or" }>;

/** What a leaf constrains: two leaves with the same subject talk about the same field. */
export function filterSubject(leaf: LeafFilter): string {
  switch (leaf.kind) {
    case "string":
    case "boolean":
      return `${leaf.kind}:${leaf.field}`;
    case "label":
      return `label:${leaf.key}`;
    case "ips":
    case "countries":
      return leaf.kind;
    case "undeclared":
      return `undeclared:${leaf.field}`;
  }
}

function leafImplies(c: LeafFilter, p: LeafFilter): boolean {
  // A filter on an undeclared field selects no tunnel, and none is a subset of any.
  if (c.kind === "undeclared") return true;
  if (filterSubject(c) !== filterSubject(p)) return false;
  if ((c.kind === "string" && p.kind === "string") || (c.kind === "label" && p.kind === "label")) {
    const values = matchValues(c.match);
    return values !== null
      ? values.every((v) => stringMatches(p.match, v))
      : equalIr(c.match, p.match);
  }
  if (c.kind === "boolean" && p.kind === "boolean") return c.value === p.value;
  if (c.kind === "ips" && p.kind === "ips") return ipSetCovers(p.within, c.within);
  if (c.kind === "countries" && p.kind === "countries")
    return c.within.codes.every((x) => p.within.codes.includes(x));
  return false;
}

/** Whether every tunnel that `child` selects is selected by `parent` (proved, or `false`). */
export function filterImplies(child: FilterIr, parent: FilterIr): boolean {
  if (equalIr(child, parent)) return true;
  if (parent.kind === "and") return parent.children.every((p) => filterImplies(child, p));
  if (child.kind === "or") return child.children.every((c) => filterImplies(c, parent));
  if (child.kind === "and") {
    if (child.children.some((c) => filterImplies(c, parent))) return true;
    return parent.kind === "or" && parent.children.some((p) => filterImplies(child, p));
  }
  if (parent.kind === "or") return parent.children.some((p) => filterImplies(child, p));
  return leafImplies(child, parent);
}

/** The filters that must all hold: the children of top-level ANDs, flattened. */
export function conjuncts(filter: FilterIr): FilterIr[] {
  return filter.kind === "and" ? filter.children.flatMap(conjuncts) : [filter];
}

/** The subjects a filter mentions anywhere. */
export function mentionedSubjects(filter: FilterIr): Set<string> {
  if (filter.kind === "and" || filter.kind === "or") {
    return new Set(filter.children.flatMap((c) => [...mentionedSubjects(c)]));
  }
  return new Set([filterSubject(filter)]);
}

/** Whether a leaf's accepted values are a finite list (or a boolean, or a set). */
export function isConcreteLeaf(filter: FilterIr): boolean {
  if (filter.kind === "string" || filter.kind === "label")
    return matchValues(filter.match) !== null;
  return filter.kind === "boolean" || filter.kind === "ips" || filter.kind === "countries";
}
