/**
 * Path atoms: the classes of raw request paths that the interpreter cannot tell apart. A
 * grant tests the *normalized* path against its restriction (`requestPathAllowed`), while the
 * engine's own endpoints are recognized on the raw path as well as the normalized one
 * (`isWellKnownPath`), so a class is a path-space atom plus whether the raw text starts with
 * `/.well-known/rstream/`; paths that `normalizePath` refuses form two classes of their own.
 */
import { normalizePath } from "../../ir/path.ts";
import type { ActionIr, GrantIr, GrantNodeIr, PathMatchIr } from "../../ir/types.ts";
import { valueKey } from "../same-value.ts";
import type { PathSpace } from "../path-space.ts";
import { buildPathSpace, classifyNormalizedPath } from "../path-space.ts";
import { literalPartition } from "../path/literal-partition.ts";
import type { RequestAtom } from "./atoms.ts";
import { constantAtom } from "./atoms.ts";

const WELL_KNOWN_BASE = "/.well-known/rstream";

/** The engine's endpoints as path restrictions, so the partition separates them. */
const WELL_KNOWN_MATCHES: readonly PathMatchIr[] = [
  { kind: "prefix", values: [WELL_KNOWN_BASE] },
  { kind: "exact", value: `${WELL_KNOWN_BASE}/session` },
  { kind: "exact", value: `${WELL_KNOWN_BASE}/logout` },
];

function actionPaths(action: ActionIr | null): PathMatchIr[] {
  return action?.path ? [action.path] : [];
}

function nodePaths(node: GrantNodeIr): PathMatchIr[] {
  if (node.kind !== "leaf") return node.children.flatMap(nodePaths);
  return [...actionPaths(node.connect), ...actionPaths(node.create), ...actionPaths(node.list)];
}

/** Every path restriction in the given grants, deduplicated. */
export function pathMatchesOf(grants: readonly (GrantIr | null | undefined)[]): PathMatchIr[] {
  const all = grants.flatMap((g) => (g?.resources ? nodePaths(g.resources) : []));
  const unique = new Map(all.map((m) => [valueKey(m), m]));
  return [...unique.values()];
}

function rawWellKnown(raw: string): boolean {
  return raw.startsWith(`${WELL_KNOWN_BASE}/`) || raw === WELL_KNOWN_BASE;
}

/** The partition of paths for these policies, and its atoms. */
export class PathAtoms {
  readonly space: PathSpace;
  readonly atoms: readonly RequestAtom[];

  /** Each atom's id, by its index in the partition. */
  readonly #ids: readonly string[];

  /**
   * The partition by the engine's endpoints and `matches`. An atom's id names its set of
   * paths: atoms that are the same set in two partitions have the same id (`sharedIds`), so
   * regions of tokens with different grants merge where their paths do not matter (the
   * engine's endpoints); the others' ids start with `prefix`. `literalFirst` partitions
   * literal restrictions without automata (the classes are the same; witnesses may be other
   * paths of them).
   */
  constructor(matches: readonly PathMatchIr[], prefix = "path", literalFirst = false) {
    this.space =
      (literalFirst ? literalSpace(matches) : null) ??
      buildPathSpace([...WELL_KNOWN_MATCHES, ...matches]);
    this.#ids = sharedIds(this.space, prefix);
    const atoms: RequestAtom[] = [];
    this.space.atoms.forEach((atom, index) => {
      const label = describePathAtom(this.space, index);
      const id = this.#ids[index] ?? `${prefix}:${index}`;
      atoms.push(constantAtom(id, label, { path: atom.witness }));
      if (!(atom.members[0] ?? false)) {
        // The same normalized path reached through the engine's prefix and dot segments.
        const raw = `${WELL_KNOWN_BASE}/../../${atom.witness.slice(1)}`;
        atoms.push(
          constantAtom(`${id}:wk`, `${label} spelled from ${WELL_KNOWN_BASE}/../..`, {
            path: raw,
          }),
        );
      }
    });
    atoms.push(constantAtom(REFUSED, "a path that normalization refuses", { path: "/%2F" }));
    atoms.push(
      constantAtom(`${REFUSED}:wk`, `a refused path under ${WELL_KNOWN_BASE}/`, {
        path: `${WELL_KNOWN_BASE}/%2F`,
      }),
    );
    this.atoms = atoms;
  }

  /** The atom id of a raw request path. */
  classify(rawPath: string): string {
    const normalized = normalizePath(rawPath);
    if (!normalized.ok) return `${REFUSED}${rawWellKnown(rawPath) ? ":wk" : ""}`;
    const index = classifyNormalizedPath(this.space, normalized.path);
    const inWellKnown = this.space.atoms[index]?.members[0] ?? false;
    return `${this.#ids[index] ?? ""}${!inWellKnown && rawWellKnown(rawPath) ? ":wk" : ""}`;
  }
}

/**
 * The partition by literal restrictions alone, without automata (`literalPartition`), or
 * `null` when some restriction is a glob or a regex.
 */
function literalSpace(matches: readonly PathMatchIr[]): PathSpace | null {
  const all = [...WELL_KNOWN_MATCHES, ...matches];
  const atoms = literalPartition(all);
  return atoms === null ? null : { matches: all, atoms, complete: true };
}

/** Paths that normalization refuses: the same set whatever the grants. */
const REFUSED = "path:refused";

/**
 * Atom ids that name sets of paths. An atom outside every grant pattern, whose cell of the
 * engine's endpoints no grant pattern cuts (no other atom shares its endpoint memberships),
 * is exactly that cell, in every partition: its id is the cell's (`path:wk…`). Any other
 * atom's set depends on the grants, and its id on the partition.
 */
function sharedIds(space: PathSpace, prefix: string): string[] {
  const endpoints = WELL_KNOWN_MATCHES.length;
  const cellOf = (members: readonly boolean[]): string =>
    members
      .slice(0, endpoints)
      .map((m) => (m ? "1" : "0"))
      .join("");
  const perCell = new Map<string, number>();
  for (const atom of space.atoms) {
    const cell = cellOf(atom.members);
    perCell.set(cell, (perCell.get(cell) ?? 0) + 1);
  }
  return space.atoms.map((atom, index) => {
    const cell = cellOf(atom.members);
    const shared =
      space.complete && perCell.get(cell) === 1 && !atom.members.slice(endpoints).some(Boolean);
    return shared ? `path:wk${cell}` : `${prefix}:${index}`;
  });
}

function describeMatch(match: PathMatchIr): string {
  switch (match.kind) {
    case "exact":
      return match.value;
    case "oneof":
      return match.values.join(" | ");
    case "prefix":
      return match.values.map((v) => `${v.endsWith("/") ? v : `${v}/`}…`).join(" | ");
    case "glob":
      return match.patterns.join(" | ");
    case "regex":
      return `/${match.source}/`;
  }
}

/** `paths like /api/x (in /api/…)`, or `paths no grant pattern matches (like /)`. */
function describePathAtom(space: PathSpace, index: number): string {
  const atom = space.atoms[index];
  if (atom === undefined) return "some path";
  if (atom.members[0] === true) return `path ${atom.witness}`;
  const grantMatches = space.matches.slice(WELL_KNOWN_MATCHES.length);
  const members = atom.members.slice(WELL_KNOWN_MATCHES.length);
  const inside = grantMatches.filter((_, i) => members[i]).map(describeMatch);
  if (grantMatches.length === 0) return `paths outside ${WELL_KNOWN_BASE}/ (like ${atom.witness})`;
  return inside.length === 0
    ? `paths no grant pattern matches (like ${atom.witness})`
    : `paths like ${atom.witness} (in ${inside.join(", ")})`;
}
