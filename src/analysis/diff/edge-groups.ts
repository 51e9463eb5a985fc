/**
 * Changes the edge stage alone made, grouped across the host classes of a diff (issue #19),
 * so that a project bound reaching every tunnel is reported once per distinct change.
 */
import { decisionKey } from "../decision-key.ts";
import { valueKey } from "../same-value.ts";
import type { RequestAtom, Side } from "../space/atoms.ts";
import { countrySetsOf, ipSetsOf } from "../space/edge-atoms.ts";
import type { RequestSpace } from "../space/request-space.ts";
import type { Decision } from "../../ir/decision.ts";
import { EDGE_DIMENSIONS } from "./explore-changes.ts";
import type { Cube } from "./merge-regions.ts";
import type { Region } from "./types.ts";
import { changeKind } from "./types.ts";

/**
 * A cube of changed requests with the decisions both versions give all of it (on the side
 * `varies` names, the witness's decision: see `Region.varies`).
 */
export interface ChangedCube {
  readonly cube: Cube;
  readonly before: Decision;
  readonly after: Decision;
  readonly varies?: Side;
}

/**
 * Changes the edge stage alone made, grouped across host classes (issue #19): a project
 * bound reaches every tunnel, and most change alike (a range now trusted, decided past the
 * edge as before). Cubes group when they change the same way (decisions equal as
 * `decisionKey` compares them, or the same kind on a varying side) and constrain the same
 * atoms with the same meaning (the address and country atoms of a
 * class are cut by its tunnels' lists: equal lists, equal atoms); the group is one region
 * whose host condition lists its classes, with the first class's witness.
 */
export class EdgeGroups {
  readonly #groups = new Map<string, { first: ChangedCube; hosts: RequestAtom[] }>();
  readonly #space: RequestSpace;
  readonly #toRegion: (first: ChangedCube, hosts: readonly RequestAtom[] | undefined) => Region;

  /** `toRegion` makes a group's region from its first cube and its hosts (when several). */
  constructor(
    space: RequestSpace,
    toRegion: (first: ChangedCube, hosts: readonly RequestAtom[] | undefined) => Region,
  ) {
    this.#space = space;
    this.#toRegion = toRegion;
  }

  /** Files a cube when it constrains edge dimensions alone; false when it does not. */
  add(changed: ChangedCube): boolean {
    const { cube } = changed;
    if ([...cube.dims.keys()].some((d) => !EDGE_DIMENSIONS.has(d))) return false;
    const host = cube.point.get("host");
    if (host === undefined) return false;
    const key = this.#keyOf(changed, host);
    const group = this.#groups.get(key);
    if (group === undefined) this.#groups.set(key, { first: changed, hosts: [host] });
    else group.hosts.push(host);
    return true;
  }

  #keyOf({ cube, before, after, varies }: ChangedCube, host: RequestAtom): string {
    const space = this.#space;
    const tunnels = space.routedTunnels(host.id);
    // The varying side's decision is one witness's: only the kind it gives counts.
    const parts = [
      varies ?? "-",
      changeKind(before, after),
      varies === 0 ? "" : decisionKey(before),
      varies === 1 ? "" : decisionKey(after),
    ];
    for (const [d, atoms] of cube.dims) {
      if (d === "host") continue;
      const meaning =
        d === "ip"
          ? valueKey(ipSetsOf(tunnels))
          : d === "country"
            ? valueKey(countrySetsOf(tunnels))
            : "";
      parts.push(`${d}=${[...atoms.keys()].sort().join(",")}@${meaning}`);
    }
    return parts.join("#");
  }

  regions(): Region[] {
    return [...this.#groups.values()].map(({ first, hosts }) =>
      this.#toRegion(first, hosts.length > 1 ? hosts : undefined),
    );
  }
}
