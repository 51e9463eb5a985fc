/**
 * A host routes to exactly one tunnel. The same host in two tunnels is an error; written
 * twice in one tunnel it is only redundant (a warning). Hosts compare case-insensitively.
 */
import type { Pass } from "./pass.ts";
import { reportDuplicates } from "./report-duplicates.ts";

export const checkDuplicateHosts: Pass = {
  name: "check-duplicate-hosts",
  run: ({ document, ctx }) => {
    const values: string[] = [];
    /** The tunnel (owner) and the index in its list of each host in `values`. */
    const owners: number[] = [];
    const indexes: number[] = [];
    const tunnels = document.tunnels ?? [];
    for (let t = 0; t < tunnels.length; t++) {
      const hosts = tunnels[t]?.hostname ?? [];
      for (let h = 0; h < hosts.length; h++) {
        // SAFETY: h < hosts.length.
        values.push((hosts[h] as string).toLowerCase());
        owners.push(t);
        indexes.push(h);
      }
    }
    const pointer = (i: number): string => `/tunnels/${owners[i]}/hostname/${indexes[i]}`;
    reportDuplicates({ values, pointer, owners }, "RP3103", "host", ctx, "warning");
  },
};
