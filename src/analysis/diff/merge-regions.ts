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

/** The cube of one assignment, keeping the dimensions `keep` accepts. */
export function cubeOf(
  point: Assignment<RequestAtom>,
  keep: (d: Dimension) => boolean = () => true,
): Cube {
  const dims = new Map<Dimension, Map<string, RequestAtom>>();
  for (const d of DIMENSIONS) {
    const atom = point.get(d);
    if (atom !== undefined && keep(d)) dims.set(d, new Map([[atom.id, atom]]));
  }
  return { dims, point };
}

/** A cube being merged, with each dimension's key (its sorted atom ids, `*` when free). */
interface Work {
  readonly cube: Cube;
  readonly keys: string[];
}

function keyOf(cube: Cube, d: Dimension): string {
  const atoms = cube.dims.get(d);
  return atoms === undefined ? "*" : [...atoms.keys()].sort().join(",");
}

function toWork(cube: Cube): Work {
  const copy: Cube = {
    dims: new Map([...cube.dims].map(([k, v]) => [k, new Map(v)])),
    point: cube.point,
  };
  return { cube: copy, keys: DIMENSIONS.map((d) => keyOf(copy, d)) };
}

/** Frees dimension `d` of a cube when it allows every atom there. */
function freeIfFull(work: Work, d: Dimension, index: number, space: RequestSpace): void {
  const atoms = work.cube.dims.get(d);
  if (d === "host" || atoms === undefined) return;
  const all = space.atoms(d, getterOf(work.cube.point));
  if (all.length === atoms.size && all.every((a) => atoms.has(a.id))) {
    work.cube.dims.delete(d);
    work.keys[index] = "*";
  }
}

/**
 * One merge step along dimension `d`: cubes equal elsewhere become one. Each merged cube's key
 * along `d` (and whether it became full) is settled once the step is over: the step's buckets
 * ignore that key, so hundreds of token atoms merge in linear time.
 */
function mergeAlong(
  items: readonly Work[],
  d: Dimension,
  index: number,
  space: RequestSpace,
): Work[] {
  const out: Work[] = [];
  const buckets = new Map<string, Work>();
  const grown = new Set<Work>();
  for (const item of items) {
    if (item.keys[index] === "*") {
      out.push(item);
      continue;
    }
    const key = item.keys.map((k, i) => (i === index ? "" : k)).join("|");
    const into = buckets.get(key);
    if (into === undefined) {
      buckets.set(key, item);
      out.push(item);
      continue;
    }
    const target = into.cube.dims.get(d);
    for (const [id, atom] of item.cube.dims.get(d) ?? []) target?.set(id, atom);
    grown.add(into);
  }
  for (const into of grown) {
    into.keys[index] = keyOf(into.cube, d);
    freeIfFull(into, d, index, space);
  }
  return out;
}

// Sweeps over all dimensions. Leaves of a decision tree mostly merge in the first sweep
// (siblings differ in one dimension); later sweeps only polish, and fewer sweeps never
// change which requests the cubes cover, only how many cubes describe them.
const MAX_SWEEPS = 3;

/** Merges cubes that all changed the same way. */
export function mergeCubes(group: readonly Cube[], space: RequestSpace): Cube[] {
  let items = group.map(toWork);
  for (let sweep = 0; sweep < MAX_SWEEPS && items.length > 1; sweep++) {
    const before = items.length;
    // Deepest dimensions first: a decision tree's siblings differ in the last one it read.
    for (let i = DIMENSIONS.length - 1; i >= 0 && items.length > 1; i--) {
      items = mergeAlong(items, DIMENSIONS[i] as Dimension, i, space);
    }
    if (items.length === before) break;
  }
  return items.map((w) => w.cube);
}
