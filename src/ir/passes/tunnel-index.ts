/**
 * The tunnels of a policy by id and by name, for the passes that look tunnels up (duplicates,
 * filter references): made once per run of the passes (`PassInput.tunnels`), not once per
 * pass. On 10,000 tunnels each table is a large hash table, and two passes built the same two.
 */
import type { PolicyIr } from "../types.ts";

/** Each id and name mapped to the first tunnel (by index) that has it, in document order. */
export interface TunnelIndex {
  readonly ids: ReadonlyMap<string, number>;
  readonly names: ReadonlyMap<string, number>;
  /** How many tunnels have a name: more than `names.size` when a name is repeated. */
  readonly named: number;
}

/** The index of `ir`'s tunnels. */
export function tunnelIndex(ir: PolicyIr): TunnelIndex {
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  const tunnels = ir.tunnels;
  let named = 0;
  for (let i = 0; i < tunnels.length; i++) {
    // SAFETY: i < tunnels.length, the loop's bound.
    const tunnel = tunnels[i] as PolicyIr["tunnels"][number];
    if (!ids.has(tunnel.id)) ids.set(tunnel.id, i);
    if (tunnel.name === null) continue;
    named++;
    if (!names.has(tunnel.name)) names.set(tunnel.name, i);
  }
  return { ids, names, named };
}
