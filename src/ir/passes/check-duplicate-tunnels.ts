/** Tunnel ids and names are unique in a project: grants and private clients name tunnels by them. */
import type { Pass } from "./pass.ts";
import { reportDuplicates } from "./report-duplicates.ts";

export const checkDuplicateTunnels: Pass = {
  name: "check-duplicate-tunnels",
  run: ({ ir, ctx }) => {
    reportDuplicates(
      { values: ir.tunnels.map((t) => t.id), pointer: (i) => `/tunnels/${i}/id` },
      "RP3101",
      "tunnel id",
      ctx,
    );
    const names: string[] = [];
    /** The tunnel index of each name in `names` (unnamed tunnels are skipped). */
    const tunnelOf: number[] = [];
    ir.tunnels.forEach((t, i) => {
      if (t.name === null) return;
      names.push(t.name);
      tunnelOf.push(i);
    });
    reportDuplicates(
      { values: names, pointer: (i) => `/tunnels/${tunnelOf[i]}/name` },
      "RP3102",
      "tunnel name",
      ctx,
    );
  },
};
