/**
 * Tunnel lists whose hosts are known to route without an index: every host is a lower-case
 * DNS name (or `*.` and one), and no host is in two tunnels of the list. Lowering finds this
 * out while checking for duplicate hosts (`check-duplicate-hosts`), and the stages after it
 * read the answer instead of indexing every host again: bounds' duplicate check and lint's
 * routing each built a map of every host (10,000 entries on a large policy).
 *
 * The lists are the IR's and the effective policy's own (never changed after they are made),
 * held weakly, so nothing is kept alive here.
 */

/** A tunnel as this module reads it: its hosts. */
interface WithHosts {
  readonly hosts: readonly string[];
}

const checked = new WeakSet<readonly WithHosts[]>();

/** Records that `tunnels` has the property above (its caller has checked every host). */
export function markHostsUnique(tunnels: readonly WithHosts[]): void {
  checked.add(tunnels);
}

/** Whether `tunnels` is a list recorded by `markHostsUnique`. */
export function hostsAreUnique(tunnels: readonly WithHosts[]): boolean {
  return checked.has(tunnels);
}
