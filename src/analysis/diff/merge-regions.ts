/**
 * Turns the changed leaves of a decision tree into few, readable regions. Leaves that changed
 * the same way (same observable decisions before and after, same routed tunnels) and differ in
 * one dimension only are merged into one cube with a set of atoms there; a dimension whose
 * set grows to every atom stops being a condition. Merging unions disjoint cubes, so the
 * regions still cover exactly the changed requests.
 */
import type { Decision } from "../../ir/decision.ts";
import { decisionKey } from "../decision-key.ts";
import type { Dimension, RequestAtom } from "../space/atoms.ts";
import { DIMENSIONS } from "../space/atoms.ts";
import type { Assignment } from "../space/explore.ts";
import { getterOf } from "../space/explore.ts";
import type { RequestSpace } from "../space/request-space.ts";

/** One leaf of the decision tree where the two versions decide differently. */
export interface ChangedLeaf {
  readonly assignment: Assignment<RequestAtom>;
  readonly before: Decision;
  readonly after: Decision;
}

/** A merged cube: per constrained dimension, the atoms it allows. */
export interface Cube {
  readonly dims: Map<Dimension, Map<string, RequestAtom>>;
  /** A leaf inside the cube, to draw the witness from. */
  readonly leaf: ChangedLeaf;
}

function transitionKey(leaf: ChangedLeaf): string {
  const host = leaf.assignment.get("host")?.id ?? "";
  return [host, decisionKey(leaf.before), decisionKey(leaf.after)].join("#");
}

function toCube(leaf: ChangedLeaf): Cube {
  const dims = new Map<Dimension, Map<string, RequestAtom>>();
  for (const d of DIMENSIONS) {
    const atom = leaf.assignment.get(d);
    if (atom !== undefined) dims.set(d, new Map([[atom.id, atom]]));
  }
  return { dims, leaf };
}

function signatureWithout(cube: Cube, skip: Dimension): string {
  return DIMENSIONS.filter((d) => d !== skip)
    .map((d) => {
      const atoms = cube.dims.get(d);
      return atoms === undefined ? "*" : [...atoms.keys()].sort().join(",");
    })
    .join("|");
}

function mergeAlong(cubes: readonly Cube[], d: Dimension): Cube[] {
  const out: Cube[] = [];
  const buckets = new Map<string, Cube>();
  for (const cube of cubes) {
    if (!cube.dims.has(d)) {
      out.push(cube);
      continue;
    }
    const key = signatureWithout(cube, d);
    const into = buckets.get(key);
    if (into === undefined) {
      const copy: Cube = { dims: new Map([...cube.dims].map(([k, v]) => [k, new Map(v)])), leaf: cube.leaf };
      buckets.set(key, copy);
      out.push(copy);
    } else {
      for (const [id, atom] of cube.dims.get(d) ?? []) into.dims.get(d)?.set(id, atom);
    }
  }
  return out;
}

function freeFullDimensions(cube: Cube, space: RequestSpace): void {
  const get = getterOf(cube.leaf.assignment);
  for (const [d, atoms] of cube.dims) {
    if (d === "host") continue;
    const all = space.atoms(d, get);
    if (all.length === atoms.size && all.every((a) => atoms.has(a.id))) cube.dims.delete(d);
  }
}

/** Merges changed leaves into cubes, grouped by how they changed. */
export function mergeLeaves(leaves: readonly ChangedLeaf[], space: RequestSpace): Cube[] {
  const groups = new Map<string, Cube[]>();
  for (const leaf of leaves) {
    const key = transitionKey(leaf);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [toCube(leaf)]);
    else group.push(toCube(leaf));
  }
  const out: Cube[] = [];
  for (const group of groups.values()) {
    let cubes = group;
    for (let pass = 0; pass < DIMENSIONS.length; pass++) {
      const before = cubes.length;
      for (const d of DIMENSIONS) {
        cubes = mergeAlong(cubes, d);
        for (const c of cubes) freeFullDimensions(c, space);
      }
      if (cubes.length === before) break;
    }
    out.push(...cubes);
  }
  return out;
}
