/**
 * Exhaustive exploration of a pure decision function by the inputs it actually reads. The
 * function runs on a partial assignment of input dimensions; when it reads a dimension that
 * is not assigned yet, the run stops and the search branches over that dimension's atoms.
 * The leaves form a decision tree whose paths are disjoint cubes covering the whole space:
 * inside one leaf the function's result is fixed, because it read nothing else. This is how
 * `diff`, lint and why-not get exact answers from the reference interpreter itself, with no
 * second model of the pipeline to drift from it.
 */

/** One class of values of a dimension: every value in it gives the same decisions. */
export interface Atom {
  /** Stable within its dimension. */
  readonly id: string;
  /** A short phrase for reports: `client in 10.0.0.0/8`. */
  readonly label: string;
}

/** A partial choice of atoms, by dimension name. */
export type Assignment<A extends Atom = Atom> = ReadonlyMap<string, A>;

/** Reads an assigned atom, or stops the run to branch on that dimension. */
export type Getter<A extends Atom = Atom> = (dimension: string) => A;

/**
 * Thrown by a getter for a dimension that the current branch has not fixed. It is a control
 * signal, not an error: it does not extend `Error`, so throwing it captures no stack trace
 * (exploration throws it once per tree node).
 */
export class NeedDimension {
  readonly dimension: string;
  constructor(dimension: string) {
    this.dimension = dimension;
  }
}

/** A getter over a fixed assignment. */
export function getterOf<A extends Atom>(assignment: Assignment<A>): Getter<A> {
  return (dimension) => {
    const atom = assignment.get(dimension);
    if (atom === undefined) throw new NeedDimension(dimension);
    return atom;
  };
}

/** What exploration needs: the atoms of each dimension (which may depend on other dimensions). */
export interface ExploreSpec<A extends Atom, R> {
  readonly atoms: (dimension: string, get: Getter<A>) => readonly A[];
  readonly evaluate: (get: Getter<A>) => R;
  readonly onLeaf: (assignment: Assignment<A>, result: R) => void;
  /** Stop after this many leaves (a bug guard, not a tuning knob). */
  readonly maxLeaves?: number;
}

/** Thrown when exploration exceeds its leaf bound. */
export class ExplorationLimit extends Error {}

function atomsFor<A extends Atom, R>(
  spec: ExploreSpec<A, R>,
  first: string,
  get: Getter<A>,
): [string, readonly A[]] {
  let dimension = first;
  // The atoms of a dimension may depend on another one (addresses on the routed tunnel):
  // branch on the dependency first.
  for (let depth = 0; depth < 32; depth++) {
    try {
      return [dimension, spec.atoms(dimension, get)];
    } catch (error) {
      if (!(error instanceof NeedDimension)) throw error;
      dimension = error.dimension;
    }
  }
  throw new Error(`dimension dependencies of ${first} do not terminate`);
}

/** Runs `evaluate` over every leaf of the decision tree rooted at `start`. */
export function explore<A extends Atom, R>(start: Assignment<A>, spec: ExploreSpec<A, R>): number {
  const maxLeaves = spec.maxLeaves ?? 5_000_000;
  const stack: Assignment<A>[] = [start];
  let leaves = 0;
  while (stack.length > 0) {
    const assignment = stack.pop() as Assignment<A>;
    const get = getterOf(assignment);
    let result: R;
    try {
      result = spec.evaluate(get);
    } catch (error) {
      if (!(error instanceof NeedDimension)) throw error;
      const [dimension, atoms] = atomsFor(spec, error.dimension, get);
      for (let i = atoms.length - 1; i >= 0; i--) {
        stack.push(new Map(assignment).set(dimension, atoms[i] as A));
      }
      continue;
    }
    spec.onLeaf(assignment, result);
    if (++leaves > maxLeaves) throw new ExplorationLimit(`more than ${maxLeaves} decision leaves`);
  }
  return leaves;
}
