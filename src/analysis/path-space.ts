/**
 * Path-pattern semantics made decidable (issue #8). A grant's path restriction is a set of
 * normalized request paths (`*` one segment, `**` any depth, prefixes on segment boundaries,
 * exact and oneof literals, searched regexes), and every such set is a regular language. This
 * module runs the product of their automata with the automaton of *normalized* paths, so it
 * can say exactly which combinations of patterns some real path falls in, and give the
 * shortest such path as a witness: containment, intersection and difference are decided by
 * the same search. A regex outside the modelled subset is treated conservatively: it is
 * evaluated on the witnesses found, and the result says it may be incomplete.
 */
import { valueKey } from "./same-value.ts";
import { normalizePath, pathMatches } from "../ir/path.ts";
import { isPlainPath } from "../ir/path-normalize.ts";
import type { PathMatchIr } from "../ir/types.ts";
import type { CharSet } from "./path/char-set.ts";
import { alphabetClasses } from "./path/char-set.ts";
import { LazySearchDfa, nfaCharSets, pathLanguage } from "./path/path-language.ts";

/** One class of normalized paths: those matched by exactly the patterns marked `true`. */
export interface PathAtom {
  /** `members[i]`: whether paths of this atom match `matches[i]`. */
  readonly members: readonly boolean[];
  /** The shortest normalized path in the class, confirmed with the reference matcher. */
  readonly witness: string;
}

/** The partition of normalized paths induced by a list of path restrictions. */
export interface PathSpace {
  readonly matches: readonly PathMatchIr[];
  readonly atoms: readonly PathAtom[];
  /** False when some class may be missing (an opaque regex, or the search bound was hit). */
  readonly complete: boolean;
}

/** Bounds on the product search; the default is ample for the patterns of one policy. */
export interface PathSpaceOptions {
  readonly maxStates?: number;
}

// The automaton of normalized paths (see `normalizePath`): a leading `/`, no empty segment
// except a trailing slash, no `.`/`..` segment, no `.;`/`..;`, and `%` only before two hex digits.
const NF_DEAD = -1;
const NF_START = 0;
const NF_SLASH = 1;
const NF_DOT1 = 2;
const NF_DOT2 = 3;
const NF_SEGMENT = 4;
const NF_PCT1 = 5;
const NF_PCT2 = 6;
const HEX = /^[0-9A-F]$/;

function segmentStep(c: string): number {
  return c === "%" ? NF_PCT1 : NF_SEGMENT;
}

function normalFormStep(state: number, c: string): number {
  switch (state) {
    case NF_START:
      return c === "/" ? NF_SLASH : NF_DEAD;
    case NF_SLASH:
      return c === "/" ? NF_DEAD : c === "." ? NF_DOT1 : segmentStep(c);
    case NF_DOT1:
      return c === "/" || c === ";" ? NF_DEAD : c === "." ? NF_DOT2 : segmentStep(c);
    case NF_DOT2:
      return c === "/" || c === ";" ? NF_DEAD : segmentStep(c);
    case NF_SEGMENT:
      return c === "/" ? NF_SLASH : segmentStep(c);
    case NF_PCT1:
      return HEX.test(c) ? NF_PCT2 : NF_DEAD;
    case NF_PCT2:
      return HEX.test(c) ? NF_SEGMENT : NF_DEAD;
    default:
      return NF_DEAD;
  }
}

const NORMAL_FORM_SETS: CharSet[] = [
  [[0x2f, 0x2f]],
  [[0x2e, 0x2e]],
  [[0x3b, 0x3b]],
  [[0x25, 0x25]],
  [[0x30, 0x39]],
  [[0x41, 0x46]],
];

/** The classes of patterns a concrete normalized path belongs to, by the reference matcher. */
export function membersOf(matches: readonly PathMatchIr[], normalizedPath: string): boolean[] {
  return matches.map((m) => pathMatches(m, normalizedPath));
}

function vectorKey(members: readonly boolean[]): string {
  return members.map((m) => (m ? "1" : "0")).join("");
}

/** Whether `normalizePath` leaves the path as it is (plain paths take its fast exit). */
function isNormalized(path: string): boolean {
  // A plain path (most policy values) is normalized as it is: no result object is made.
  if (isPlainPath(path)) return true;
  const normalized = normalizePath(path);
  return normalized.ok && normalized.path === path;
}

function confirmed(matches: readonly PathMatchIr[], path: string): PathAtom | null {
  return isNormalized(path) ? { members: membersOf(matches, path), witness: path } : null;
}

interface SearchNode {
  readonly nf: number;
  readonly dfa: readonly number[];
  readonly parent: number;
  readonly char: string;
}

function pathTo(nodes: readonly SearchNode[], index: number): string {
  let out = "";
  for (let i = index; i > 0; i = (nodes[i] as SearchNode).parent)
    out = (nodes[i] as SearchNode).char + out;
  return out;
}

/**
 * Partitions normalized paths by which of `matches` they satisfy, with a shortest witness
 * per non-empty class. Exact for every pattern kind except regexes outside the modelled
 * subset, which are only evaluated on the witnesses (and make `complete` false).
 */
export function buildPathSpace(
  matches: readonly PathMatchIr[],
  options: PathSpaceOptions = {},
): PathSpace {
  const maxStates = options.maxStates ?? 50_000;
  const key = `${maxStates}|${valueKey(matches)}`;
  const cached = spaceCache.get(key);
  if (cached !== undefined) return cached;
  const space = searchPathSpace(matches, maxStates);
  if (spaceCache.size >= MAX_CACHED_SPACES) {
    // Maps iterate in insertion order: drop the oldest entry.
    const oldest = spaceCache.keys().next();
    if (oldest.done !== true) spaceCache.delete(oldest.value);
  }
  spaceCache.set(key, space);
  return space;
}

// A partition depends only on the patterns; CI runs diff and lint on the same patterns over
// and over, so recent partitions are kept (bounded, like the matcher caches in `ir/path.ts`).
const MAX_CACHED_SPACES = 2048;
const spaceCache = new Map<string, PathSpace>();

function searchPathSpace(matches: readonly PathMatchIr[], maxStates: number): PathSpace {
  const languages = matches.map((m) => pathLanguage(m));
  let complete = languages.every((l) => l.kind === "automaton");
  const dfas = languages.flatMap((l) => (l.kind === "automaton" ? [new LazySearchDfa(l.nfa)] : []));
  const alphabet = alphabetClasses([
    ...NORMAL_FORM_SETS,
    ...languages.flatMap((l) => (l.kind === "automaton" ? nfaCharSets(l.nfa) : [])),
  ]);
  const nodes: SearchNode[] = [
    { nf: NF_START, dfa: dfas.map((d) => d.initial), parent: -1, char: "" },
  ];
  const seen = new Set<string>([`${NF_START}|${nodes[0]?.dfa.join(",")}`]);
  const atoms = new Map<string, PathAtom>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as SearchNode;
    if (node.nf === NF_SLASH || node.nf === NF_SEGMENT) {
      const atom = confirmed(matches, pathTo(nodes, i));
      if (atom !== null && !atoms.has(vectorKey(atom.members)))
        atoms.set(vectorKey(atom.members), atom);
    }
    for (const c of alphabet) {
      const nf = normalFormStep(node.nf, c);
      if (nf === NF_DEAD) continue;
      // SAFETY: a product node holds one state per DFA, indexed like `dfas`.
      const dfa = dfas.map((d, k) => d.step(node.dfa[k] as number, c));
      const key = `${nf}|${dfa.join(",")}`;
      if (seen.has(key)) continue;
      if (nodes.length >= maxStates) {
        complete = false;
        break;
      }
      seen.add(key);
      nodes.push({ nf, dfa, parent: i, char: c });
    }
  }
  return { matches, atoms: [...atoms.values()], complete };
}

/** The index of the atom a normalized path falls in, or -1 when the partition missed it. */
export function classifyNormalizedPath(space: PathSpace, normalizedPath: string): number {
  const key = vectorKey(membersOf(space.matches, normalizedPath));
  return space.atoms.findIndex((a) => vectorKey(a.members) === key);
}

/** What a search for a path found: one, none (proved), or unknown (opaque or bounded). */
export type PathSearch =
  | { readonly kind: "found"; readonly path: string }
  | { readonly kind: "none" }
  | { readonly kind: "unknown" };

/**
 * A normalized path matched by every restriction in `include` and by none in `exclude`
 * (the shortest one), or a proof that there is none.
 */
export function findPath(
  include: readonly PathMatchIr[],
  exclude: readonly PathMatchIr[],
): PathSearch {
  const space = buildPathSpace([...include, ...exclude]);
  const hit = space.atoms.find(
    (a) =>
      a.members.slice(0, include.length).every(Boolean) &&
      !a.members.slice(include.length).some(Boolean),
  );
  if (hit !== undefined) return { kind: "found", path: hit.witness };
  return space.complete ? { kind: "none" } : { kind: "unknown" };
}

/** Whether every normalized path `inner` allows, `outer` allows too (`undefined`: unknown). */
export function pathMatchContains(outer: PathMatchIr, inner: PathMatchIr): boolean | undefined {
  const r = findPath([inner], [outer]);
  return r.kind === "unknown" ? undefined : r.kind === "none";
}

/** Whether some normalized path is allowed by both (`undefined`: unknown). */
export function pathMatchesIntersect(a: PathMatchIr, b: PathMatchIr): boolean | undefined {
  const r = findPath([a, b], []);
  return r.kind === "unknown" ? undefined : r.kind === "found";
}

/** `path` when it is a normalized path the restriction allows, by the reference matcher. */
function allowedPath(match: PathMatchIr, path: string): string | null {
  return isNormalized(path) && pathMatches(match, path) ? path : null;
}

function firstAllowedPath(match: PathMatchIr, paths: readonly string[]): string | null {
  for (const path of paths) {
    if (allowedPath(match, path) !== null) return path;
  }
  return null;
}

/**
 * The obvious witness of a prefix list: a value that is a normalized path, else a path below
 * one. A prefix matches itself as a path (`prefixMatches(v, v)` holds for every `v`: `v` is
 * its base, or its base and a `/`), so the value needs no matcher run; lint asks this of
 * every grant. Indexed: mostly run before it is optimized, where `for … of` allocates.
 */
function prefixWitness(match: PathMatchIr, values: readonly string[]): string | null {
  for (let i = 0; i < values.length; i++) {
    // SAFETY: i < values.length, the loop's bound.
    const v = values[i] as string;
    if (isNormalized(v)) return v;
    const below = allowedPath(match, `${v.endsWith("/") ? v : `${v}/`}x`);
    if (below !== null) return below;
  }
  return null;
}

/**
 * A normalized path the restriction allows, found without building any automaton: one of its
 * own literal values (or a path below a prefix, or a glob with each wildcard replaced by one
 * plain segment character), confirmed with the reference matcher. Candidates are tried as
 * they are made, since the first one almost always matches. `null` says only that no obvious
 * path matched; `pathMatchAdmitsSome` decides. Whenever this finds a path,
 * `pathMatchAdmitsSome` is not `false`.
 */
export function obviousPathWitness(match: PathMatchIr): string | null {
  switch (match.kind) {
    case "exact":
      return allowedPath(match, match.value);
    case "oneof":
      return firstAllowedPath(match, match.values);
    case "prefix":
      return prefixWitness(match, match.values);
    case "glob":
      return firstAllowedPath(
        match,
        match.patterns.map((p) => p.replace(/\*+/g, "x")),
      );
    case "regex":
      return null;
  }
}

/** Whether any normalized path at all is allowed (`undefined`: unknown). */
export function pathMatchAdmitsSome(match: PathMatchIr): boolean | undefined {
  const r = findPath([match], []);
  return r.kind === "unknown" ? undefined : r.kind === "found";
}
