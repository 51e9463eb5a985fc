/**
 * The decision tree of one side, remembered as exploration discovers it. A pure function
 * reads its inputs in an order that depends only on the values read so far, so each run
 * traces one path of its own tree; later assignments that agree along a known path get the
 * answer (or the next dimension to branch on) without running the function again. In a
 * joint exploration of two policies, each side then runs once per node of *its own* tree,
 * not once per node of the joint tree.
 */
import type { Atom, Getter } from "./explore.ts";
import { NeedDimension } from "./explore.ts";

type TrieNode<R> =
  | {
      readonly kind: "read";
      readonly dimension: string;
      readonly children: Map<string, TrieNode<R>>;
    }
  | { readonly kind: "done"; readonly result: R };

/** A memoized pure function of atoms. */
export class SideMemo<A extends Atom, R> {
  readonly #evaluate: (get: Getter<A>) => R;
  #root: TrieNode<R> | null = null;

  constructor(evaluate: (get: Getter<A>) => R) {
    this.#evaluate = evaluate;
  }

  /** The result for the assignment behind `get`; throws `NeedDimension` like the function would. */
  run(get: Getter<A>, onRead: (dimension: string) => void = () => {}): R {
    let node = this.#root;
    while (node !== null && node.kind === "read") {
      onRead(node.dimension);
      const child = node.children.get(get(node.dimension).id);
      if (child === undefined) break;
      node = child;
    }
    if (node !== null && node.kind === "done") return node.result;
    return this.#trace(get, onRead);
  }

  #trace(get: Getter<A>, onRead: (dimension: string) => void): R {
    const reads: [string, string][] = [];
    const seen = new Set<string>();
    const tracking: Getter<A> = (dimension) => {
      const atom = get(dimension);
      if (!seen.has(dimension)) {
        seen.add(dimension);
        reads.push([dimension, atom.id]);
        onRead(dimension);
      }
      return atom;
    };
    try {
      const result = this.#evaluate(tracking);
      this.#insert(reads, { kind: "done", result });
      return result;
    } catch (signal) {
      if (signal instanceof NeedDimension) {
        this.#insert(reads, { kind: "read", dimension: signal.dimension, children: new Map() });
      }
      throw signal;
    }
  }

  #insert(reads: readonly [string, string][], end: TrieNode<R>): void {
    if (reads.length === 0) {
      this.#root ??= end;
      return;
    }
    const [first] = reads[0] as [string, string];
    this.#root ??= { kind: "read", dimension: first, children: new Map() };
    let node = this.#root;
    reads.forEach(([dimension, id], i) => {
      // INVARIANT: the function is pure, so the same values lead to the same next read.
      if (node.kind !== "read" || node.dimension !== dimension)
        throw new Error(`impure evaluation: expected to read ${dimension}`);
      const next = reads[i + 1];
      let child = node.children.get(id);
      if (child === undefined) {
        child =
          next === undefined ? end : { kind: "read", dimension: next[0], children: new Map() };
        node.children.set(id, child);
      }
      node = child;
    });
  }
}
