/**
 * The change of edge cells that one side decides at the edge and the other lets through,
 * reported without exploring the later stages (issue #19): only a witness is searched for.
 */
import type { Decision } from "../../ir/decision.ts";
import { interpret } from "../../interpret/request.ts";
import { isForwarded } from "../decision-key.ts";
import type { RequestAtom, Side } from "../space/atoms.ts";
import type { Assignment } from "../space/explore.ts";
import { explore } from "../space/explore.ts";
import type { RequestSpace } from "../space/request-space.ts";
import { SideMemo } from "../space/side-memo.ts";
import type { AtomsOf, ChangedLeaf, ChangeSet } from "./explore-changes.ts";

/** Signal: the search met a forwarded request. */
class ForwardedLeaf {
  readonly point: Assignment<RequestAtom>;
  readonly decision: Decision;
  constructor(point: Assignment<RequestAtom>, decision: Decision) {
    this.point = point;
    this.decision = decision;
  }
}

/**
 * The change of cells that one side decides at the edge (`fixed`) and the other (`side`)
 * lets pass: every request in them changed (an edge decision is never one of the later
 * stages', S-O1), so only a witness is searched for, a request the passing side forwards
 * when there is one (then the change widens or narrows access), else its first leaf.
 */
export function liftedChange(
  space: RequestSpace,
  cells: readonly Assignment<RequestAtom>[],
  fixed: Decision,
  side: Side,
): ChangeSet {
  const memo = new SideMemo<RequestAtom, Decision>((get) =>
    interpret(space.policyFor(get("host").id, side), space.lazyFacts(get, side)),
  );
  let found: ForwardedLeaf | null = null;
  // Requests without a grant's token first (a tunnel that takes tokens forwards one minted
  // with an unrestricted grant): no grant's token class and path partition is built then.
  const searches: AtomsOf[] = [
    (d, get) => space.grantFreeAtoms(d, get),
    (d, get) => space.atoms(d, get),
  ];
  try {
    for (const atoms of searches)
      for (const cell of cells)
        explore<RequestAtom, Decision>(cell, {
          atoms,
          evaluate: (get) => memo.run(get),
          onLeaf: (point, decision) => {
            found ??= new ForwardedLeaf(point, decision);
            if (isForwarded(decision)) throw new ForwardedLeaf(point, decision);
          },
        });
  } catch (signal) {
    if (!(signal instanceof ForwardedLeaf)) throw signal;
    found = signal;
  }
  // SAFETY: exploring a cell reaches at least one leaf.
  const { point, decision } = found as unknown as ForwardedLeaf;
  const leaf: ChangedLeaf =
    side === 1
      ? { point, before: fixed, after: decision }
      : { point, before: decision, after: fixed };
  return { cells, leaves: [leaf], varies: side };
}
