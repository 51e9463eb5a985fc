/**
 * Merges cubes of request space into few, readable ones. Cubes that differ in one dimension
 * only become one cube with a set of atoms there; a dimension whose set grows to every atom
 * stops being a condition. Callers merge only cubes that changed the same way, and merging
 * unions disjoint cubes, so the result covers exactly the same requests.
 */
import type { Dimension, RequestAtom } from "../space/atoms.ts";
import { DIMENSIONS } from "../space/atoms.ts";
import type { Assignment } from "../space/explore.ts";
import { getterOf } from "../space/explore.ts";
import type { RequestSpace } from "../space/request-space.ts";

/** A cube: per constrained dimension, the atoms it allows; `point` is an assignment inside it. */
export interface Cube {
  readonly dims: Map<Dimension, Map<string, RequestAtom>>;
  readonly point: Assignment<RequestAtom>;
}

// Each cube's per-dimension key (its atom ids, sorted), kept up to date as cubes merge, so a
// merge pass does not sort every cube's atoms again.
const keyCache = new WeakMap<Cube, Map<Dimension, string>>();

/** The cube of one assignment, keeping the dimensions `keep` accepts. */
export function cubeOf(point: Assignment<RequestAtom>, keep: (d: Dimension) => boolean = () => true): Cube {
  const dims = new Map<Dimension, Map<string, RequestAtom>>();
  for (const d of DIMENSIONS) {
    const atom = point.get(d);
    if (atom !== undefined && keep(d)) dims.set(d, new Map([[atom.id, atom]]));
  }
  return { dims, point };
}

function dimKey(cube: Cube, d: Dimension): string {
  let keys = keyCache.get(cube);
  if (keys === undefined) {
    keys = new Map();
    keyCache.set(cube, keys);
  }
  const known = keys.get(d);
  if (known !== undefined) return known;
  const atoms = cube.dims.get(d);
  const key = atoms === undefined ? "*" : [...atoms.keys()].sort().join(",");
  keys.set(d, key);
  return key;
}

function forgetKey(cube: Cube, d: Dimension): void {
  keyCache.get(cube)?.delete(d);
}

function mergeAlong(cubes: readonly Cube[], d: Dimension): Cube[] {
  const out: Cube[] = [];
  const buckets = new Map<string, Cube>();
  for (const cube of cubes) {
    if (!cube.dims.has(d)) {
      out.push(cube);
      continue;
    }
    const key = DIMENSIONS.map((other) => (other === d ? "" : dimKey(cube, other))).join("|");
    const into = buckets.get(key);
    if (into === undefined) {
      const copy: Cube = { dims: new Map([...cube.dims].map(([k, v]) => [k, new Map(v)])), point: cube.point };
      buckets.set(key, copy);
      out.push(copy);
    } else {
      for (const [id, atom] of cube.dims.get(d) ?? []) into.dims.get(d)?.set(id, atom);
      forgetKey(into, d);
    }
  }
  return out;
}

function freeFullDimensions(cube: Cube, space: RequestSpace): void {
  const get = getterOf(cube.point);
  for (const [d, atoms] of cube.dims) {
    if (d === "host") continue;
    const all = space.atoms(d, get);
    if (all.length === atoms.size && all.every((a) => atoms.has(a.id))) {
      cube.dims.delete(d);
      forgetKey(cube, d);
    }
  }
}

/** Merges cubes that all changed the same way. */
export function mergeCubes(group: readonly Cube[], space: RequestSpace): Cube[] {
  let cubes = [...group];
  for (let pass = 0; pass < DIMENSIONS.length; pass++) {
    const before = cubes.length;
    for (const d of DIMENSIONS) {
      if (!cubes.some((c) => c.dims.has(d))) continue;
      cubes = mergeAlong(cubes, d);
      for (const c of cubes) freeFullDimensions(c, space);
    }
    if (cubes.length === before) break;
  }
  return cubes;
}
