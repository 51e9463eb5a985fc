/**
 * Host ownership: each published host routes to exactly one tunnel, or routing would depend
 * on declaration order.
 */
import type { TunnelIr } from "../../ir/types.ts";
import type { Incompatible } from "../incompatible.ts";
import { tunnelRule } from "../rules.ts";

/** Hosts claimed by more than one published tunnel (the later tunnel is reported). */
export function checkDuplicateHosts(tunnels: readonly TunnelIr[]): Incompatible[] {
  const owner = new Map<string, TunnelIr>();
  const out: Incompatible[] = [];
  for (const tunnel of tunnels) {
    if (!tunnel.publish) continue;
    for (const host of new Set(tunnel.hosts)) {
      const first = owner.get(host);
      if (first === undefined) {
        owner.set(host, tunnel);
        continue;
      }
      out.push({
        kind: "duplicate-host",
        tunnelId: tunnel.id,
        path: ["hostname"],
        left: { ...tunnelRule(first, "hostname"), describe: `tunnel \`${first.id}\`` },
        right: { ...tunnelRule(tunnel, "hostname"), describe: host },
      });
    }
  }
  return out;
}
