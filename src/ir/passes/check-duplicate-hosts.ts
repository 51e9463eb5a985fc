/**
 * A host routes to exactly one tunnel. The same host in two tunnels is an error; written
 * twice in one tunnel it is only redundant (a warning). Hosts compare case-insensitively.
 */
import type { Pass } from "./pass.ts";
import { reportDuplicates } from "./report-duplicates.ts";

export const checkDuplicateHosts: Pass = {
  name: "check-duplicate-hosts",
  run: ({ document, ctx }) => {
    const occurrences = (document.tunnels ?? []).flatMap((tunnel, t) =>
      (tunnel.hostname ?? []).map((host, h) => ({
        value: host.toLowerCase(),
        pointer: `/tunnels/${t}/hostname/${h}`,
        owner: t,
      })),
    );
    reportDuplicates(occurrences, "RP3103", "host", ctx, "warning");
  },
};
