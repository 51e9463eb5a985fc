/**
 * The partition of normalized paths by literal restrictions (exact, oneof, prefix) without
 * automata (issue #19): a diff of a policy whose grants each hold a few prefixes builds one
 * partition per grant its edits reach, and the automaton search costs milliseconds each.
 *
 * Why a few candidate paths find every class. Call the literals L (exact and oneof values,
 * prefix bases: a prefix without its trailing `/`; the base `` matches every path). A path in
 * L is its own candidate. A path p outside L matches no exact value, and the prefix bases b
 * with p = b/… ; take D, the longest of them (or the root): every such b is D or a base D
 * starts with as b/…, so p's class is that of any path D/s outside L with s one segment.
 * `D/` is such a path unless it is in L; otherwise `D/x`, `D/x0`… So the candidates are L,
 * `D/` and one `D/s` per base D and the root, each checked by the reference matcher.
 */
import { normalizePath, pathMatches } from "../../ir/path.ts";
import type { PathMatchIr } from "../../ir/types.ts";

/** One class: the restrictions its paths match, and the shortest candidate in it. */
export interface LiteralClass {
  readonly members: readonly boolean[];
  readonly witness: string;
}

/** Whether `normalizePath` leaves the path as it is. */
function isNormalized(path: string): boolean {
  const normalized = normalizePath(path);
  return normalized.ok && normalized.path === path;
}

/** The literals of the restrictions, or `null` when one is not literal or not normalized. */
function literalsOf(
  matches: readonly PathMatchIr[],
): { values: Set<string>; bases: Set<string> } | null {
  const values = new Set<string>();
  const bases = new Set<string>([""]);
  for (const m of matches) {
    const words =
      m.kind === "exact"
        ? [m.value]
        : m.kind === "oneof"
          ? m.values
          : m.kind === "prefix"
            ? m.values.map((p) => (p.endsWith("/") ? p.slice(0, -1) : p))
            : null;
    if (words === null) return null;
    for (const w of words) {
      if (w === "" && m.kind === "prefix") continue;
      // A literal outside normal form never equals a request path; the argument above needs
      // bases that paths can extend, so such policies take the automaton search.
      if (!isNormalized(w)) return null;
      values.add(w);
      if (m.kind === "prefix") bases.add(w);
    }
  }
  return { values, bases };
}

/** `D/s` for the first segment s of `x`, `x0`, `x1`… that leaves L. */
function freshChild(base: string, literals: ReadonlySet<string>): string {
  for (let i = -1; ; i++) {
    const path = `${base}/x${i < 0 ? "" : String(i)}`;
    if (!literals.has(path)) return path;
  }
}

/**
 * The classes of normalized paths by which of `matches` they satisfy, with the shortest
 * candidate of each, or `null` when some restriction is not a normalized literal (a glob, a
 * regex): then only the automaton search decides.
 */
export function literalPartition(matches: readonly PathMatchIr[]): LiteralClass[] | null {
  const literals = literalsOf(matches);
  if (literals === null) return null;
  const { values, bases } = literals;
  const candidates = new Set<string>(values);
  for (const base of bases) {
    // `D/` in L is a candidate already; a fresh child then stands for the rest below D.
    const slash = `${base}/`;
    candidates.add(values.has(slash) ? freshChild(base, values) : slash);
  }
  const ordered = [...candidates]
    .filter(isNormalized)
    .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const classes = new Map<string, LiteralClass>();
  for (const path of ordered) {
    const members = matches.map((m) => pathMatches(m, path));
    const key = members.map((x) => (x ? "1" : "0")).join("");
    if (!classes.has(key)) classes.set(key, { members, witness: path });
  }
  return [...classes.values()];
}
