/** Tunnel ids and names are unique in a project: grants and private clients name tunnels by them. */
import type { Pass } from "./pass.ts";
import { reportDuplicates } from "./report-duplicates.ts";

export const checkDuplicateTunnels: Pass = {
  name: "check-duplicate-tunnels",
  run: ({ ir, ctx }) => {
    reportDuplicates(
      ir.tunnels.map((t, i) => ({ value: t.id, pointer: `/tunnels/${i}/id` })),
      "RP3101",
      "tunnel id",
      ctx,
    );
    const named = ir.tunnels.flatMap((t, i) =>
      t.name === null ? [] : [{ value: t.name, pointer: `/tunnels/${i}/name` }],
    );
    reportDuplicates(named, "RP3102", "tunnel name", ctx);
  },
};
