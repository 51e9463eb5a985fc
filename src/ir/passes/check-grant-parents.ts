/**
 * A derived grant names an existing parent (SPEC S-H8, S-T6), and the parent chain ends:
 * a cycle would make every grant in it its own ancestor. Linear in the number of grants.
 */
import { didYouMean } from "../../diagnostics/did-you-mean.ts";
import { parentGrantCycle, unknownParentGrant } from "../semantic-diagnostics.ts";
import type { Pass } from "./pass.ts";

function hasParent(grant: { readonly parent: string | null }): boolean {
  return grant.parent !== null;
}

export const checkGrantParents: Pass = {
  name: "check-grant-parents",
  run: ({ ir, ctx }) => {
    // Most policies derive no grant: then there is no parent to find and no chain to follow.
    if (!ir.grants.some(hasParent)) return;
    const index = new Map<string, number>();
    ir.grants.forEach((g, i) => {
      if (!index.has(g.name)) index.set(g.name, i);
    });
    const parentOf = (i: number): number | undefined => {
      const parent = ir.grants[i]?.parent;
      return parent === null || parent === undefined ? undefined : index.get(parent);
    };
    ir.grants.forEach((grant, i) => {
      if (grant.parent !== null && !index.has(grant.parent)) {
        ctx.report(
          unknownParentGrant(
            ctx.span(`/grants/${i}/parent`),
            grant.parent,
            didYouMean(grant.parent, index.keys()),
          ),
        );
      }
    });
    // Each grant has at most one parent, so following parents from every unvisited grant
    // visits each grant once; meeting a grant of the current walk closes a cycle.
    const walkOf = new Array<number | undefined>(ir.grants.length);
    ir.grants.forEach((_grant, start) => {
      let current: number | undefined = start;
      while (current !== undefined && walkOf[current] === undefined) {
        walkOf[current] = start;
        current = parentOf(current);
      }
      if (current === undefined || walkOf[current] !== start) return;
      // The walk came back to `current`: its cycle is `current` and its parents up to it.
      const cycle = [current];
      // SAFETY: the walk came back to `current`, so each grant on the cycle has a parent.
      for (let next = parentOf(current); next !== current; next = parentOf(next as number)) {
        // SAFETY: as above, `next` is on the cycle.
        cycle.push(next as number);
      }
      const first = Math.min(...cycle);
      const rotated = [
        ...cycle.slice(cycle.indexOf(first)),
        ...cycle.slice(0, cycle.indexOf(first)),
        first,
      ];
      ctx.report(
        parentGrantCycle(
          ctx.span(`/grants/${first}/parent`),
          rotated.map((c) => ir.grants[c]?.name ?? ""),
        ),
      );
    });
  },
};
