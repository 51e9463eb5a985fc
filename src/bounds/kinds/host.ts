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
  // Indexed: runs once per policy, mostly before it is optimized, where `for … of` allocates
  // an iterator result per tunnel.
  for (let t = 0; t < tunnels.length; t++) {
    // SAFETY: t < tunnels.length, the loop's bound.
    const tunnel = tunnels[t] as TunnelIr;
    if (!tunnel.publish) continue;
    // A host written twice in one tunnel counts once (lowering dedupes; other IR may not):
    // a short list is deduped by scanning it, a long one through a Set.
    const written = tunnel.hosts;
    const scan = written.length <= 8;
    const hosts = scan ? written : [...new Set(written)];
    for (let h = 0; h < hosts.length; h++) {
      // SAFETY: h < hosts.length.
      const host = hosts[h] as string;
      if (scan && h > 0 && hosts.indexOf(host) < h) continue;
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
