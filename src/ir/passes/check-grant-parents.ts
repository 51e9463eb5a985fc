/**
 * A derived grant names an existing parent (SPEC S-H8, S-T6), and the parent chain ends:
 * a cycle would make every grant in it its own ancestor.
 */
import { didYouMean } from "../../diagnostics/did-you-mean.ts";
import { parentGrantCycle, unknownParentGrant } from "../semantic-diagnostics.ts";
import type { Pass } from "./pass.ts";

export const checkGrantParents: Pass = {
  name: "check-grant-parents",
  run: ({ ir, ctx }) => {
    const index = new Map<string, number>();
    ir.grants.forEach((g, i) => {
      if (!index.has(g.name)) index.set(g.name, i);
    });
    const reported = new Set<number>();
    ir.grants.forEach((grant, i) => {
      if (grant.parent === null) return;
      if (!index.has(grant.parent)) {
        ctx.report(
          unknownParentGrant(
            ctx.span(`/grants/${i}/parent`),
            grant.parent,
            didYouMean(grant.parent, index.keys()),
          ),
        );
        return;
      }
      // Walk up the chain; coming back to `i` is a cycle, reported once at its first grant.
      const chain = [i];
      let current = index.get(grant.parent);
      while (current !== undefined && !chain.includes(current)) {
        chain.push(current);
        const parent = ir.grants[current]?.parent;
        current = parent === null || parent === undefined ? undefined : index.get(parent);
      }
      if (current !== i || chain.some((c) => reported.has(c))) return;
      chain.forEach((c) => reported.add(c));
      const names = [...chain, i].map((c) => ir.grants[c]?.name ?? "");
      ctx.report(parentGrantCycle(ctx.span(`/grants/${i}/parent`), names));
    });
  },
};
