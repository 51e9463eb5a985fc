/**
 * A host routes to exactly one tunnel. The same host in two tunnels is an error; written
 * twice in one tunnel it is only redundant (a warning). Hosts compare case-insensitively.
 */
import { isValidHost } from "../host-name.ts";
import type { LowerContext } from "../lower-context.ts";
import { duplicate } from "../semantic-diagnostics.ts";
import { markHostsUnique } from "../unique-hosts.ts";
import type { Pass } from "./pass.ts";

type Tunnels = NonNullable<Parameters<Pass["run"]>[0]["document"]["tunnels"]>;

/** Where each tunnel's hosts start, counted over every tunnel's list read as one. */
function hostStarts(tunnels: Tunnels): number[] {
  const starts: number[] = [];
  let k = 0;
  for (const tunnel of tunnels) {
    starts.push(k);
    k += tunnel.hostname?.length ?? 0;
  }
  return starts;
}

/** The tunnel and list index of host `k` (`starts` from `hostStarts`). */
function hostAt(starts: readonly number[], k: number): { tunnel: number; host: number } {
  // The last tunnel whose hosts start at or before `k`; it holds `k` (empty lists start
  // where the next list does, and the search passes over them).
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    // SAFETY: 0 <= low < mid <= high < starts.length.
    if ((starts[mid] as number) <= k) low = mid;
    else high = mid - 1;
  }
  // SAFETY: `low` is an index of `starts`, which has one entry per tunnel.
  return { tunnel: low, host: k - (starts[low] as number) };
}

/** Reports host `k` (lower-cased `host`), a repeat of host `seen`. */
function reportRepeat(
  starts: readonly number[],
  k: number,
  seen: number,
  host: string,
  ctx: LowerContext,
): void {
  const at = hostAt(starts, k);
  const first = hostAt(starts, seen);
  const pointer = (p: typeof at): string => `/tunnels/${p.tunnel}/hostname/${p.host}`;
  const severity = at.tunnel === first.tunnel ? "warning" : "error";
  ctx.report(
    duplicate("RP3103", ctx.span(pointer(at)), "host", host, ctx.span(pointer(first)), severity),
  );
}

export const checkDuplicateHosts: Pass = {
  name: "check-duplicate-hosts",
  run: ({ ir, document, ctx }) => {
    const tunnels = document.tunnels ?? [];
    /** Each host (lower-cased) to the first place it is written, counted over all lists. */
    const first = new Map<string, number>();
    let starts: number[] | null = null;
    let repeated = false;
    let k = 0;
    // Hosts are numbered, not collected with their owners: a repeat is rare, and only then is
    // its place (and the first one's) found again.
    for (let t = 0; t < tunnels.length; t++) {
      const hosts = tunnels[t]?.hostname;
      if (hosts === undefined) continue;
      // Lowering keeps the document's own list only when every host in it is valid, so lower
      // case (HOT PATH: nearly every list): then no host is read again to find that out.
      const valid = ir.tunnels[t]?.hosts === hosts;
      for (let h = 0; h < hosts.length; h++, k++) {
        // SAFETY: h < hosts.length.
        const written = hosts[h] as string;
        // A valid host is lower case already: no copy is made to compare it.
        const host = valid || isValidHost(written) ? written : written.toLowerCase();
        const seen = first.get(host);
        if (seen === undefined) first.set(host, k);
        else {
          repeated = true;
          reportRepeat((starts ??= hostStarts(tunnels)), k, seen, host, ctx);
        }
      }
    }
    // The IR's hosts are the valid ones of these lists, lower-cased: with no host written
    // twice, none is in two tunnels (bounds and lint then route without an index).
    if (!repeated) markHostsUnique(ir.tunnels);
  },
};
