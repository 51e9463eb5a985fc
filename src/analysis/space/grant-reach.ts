/**
 * Which grants may connect to which tunnels, found through an index instead of asking every
 * grant about every tunnel (issue #19): with 10,000 tunnels and 10,000 grants, the pairs are
 * 10⁸, the grants that may connect to one tunnel a handful.
 *
 * Each grant is filed under keys that some tunnel property must have for the grant to connect
 * to it (`id=t1`, `label:team=core`, `hostname=a.example.com`), read from the equalities of its
 * tunnel filters; a grant whose filters name no such equality is filed under "any". A tunnel's
 * candidates are the grants filed under its own keys and the "any" ones, and `grantMayConnect`
 * then decides each candidate exactly. The keys are a necessary condition only, so the index
 * never leaves out a grant that may connect.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { FilterIr, GrantIr, GrantNodeIr, StringMatchIr } from "../../ir/types.ts";
import { ACTION_PERMISSION } from "../../interpret/grant-allows.ts";
import type { PolicyPair, Side } from "./atoms.ts";
import { grantMayConnect } from "./change-focus.ts";

/** Keys one of which a tunnel must have; `"any"` when the filters name none. */
type Keys = ReadonlySet<string> | "any";

const NOTHING: ReadonlySet<string> = new Set();

function matchKeys(prefix: string, match: StringMatchIr): Keys {
  if (match.kind === "exact") return new Set([`${prefix}${match.value}`]);
  if (match.kind === "oneof") return new Set(match.values.map((v) => `${prefix}${v}`));
  return "any";
}

/** All of `parts` must hold: any one part's keys are necessary; the fewest narrow most. */
function allOf(parts: readonly Keys[]): Keys {
  let best: Keys = "any";
  for (const p of parts) if (p !== "any" && (best === "any" || p.size < best.size)) best = p;
  return best;
}

/** One of `parts` must hold: the union of their keys. */
function oneOf(parts: readonly Keys[]): Keys {
  if (parts.some((p) => p === "any")) return "any";
  const out = new Set<string>();
  for (const p of parts) if (p !== "any") for (const k of p) out.add(k);
  return out;
}

function filterKeys(filter: FilterIr): Keys {
  switch (filter.kind) {
    case "and":
      return allOf(filter.children.map(filterKeys));
    case "or":
      return oneOf(filter.children.map(filterKeys));
    case "string":
      return filter.field === "id" || filter.field === "name" || filter.field === "hostname"
        ? matchKeys(`${filter.field}=`, filter.match)
        : "any";
    case "label":
      return matchKeys(`label:${filter.key}=`, filter.match);
    default:
      return "any";
  }
}

function nodeKeys(node: GrantNodeIr): Keys {
  switch (node.kind) {
    case "and":
      return allOf(node.children.map(nodeKeys));
    case "or":
      return oneOf(node.children.map(nodeKeys));
    case "leaf": {
      const act = node.connect;
      if (act === null) return NOTHING;
      return act.filter === null ? "any" : filterKeys(act.filter);
    }
  }
}

/** The keys a tunnel must have for the grant to connect to it (`grantMayConnect`). */
function grantKeys(grant: GrantIr | undefined): Keys {
  if (grant === undefined) return NOTHING;
  if (grant.permissions !== null && !grant.permissions.includes(ACTION_PERMISSION.connect))
    return NOTHING;
  return grant.resources === null ? "any" : nodeKeys(grant.resources);
}

/** The keys a tunnel has (what `filterMatches` compares equalities with). */
function tunnelKeys(t: EffectiveTunnel): string[] {
  const keys = [`id=${t.id}`, ...t.hosts.map((h) => `hostname=${h}`)];
  if (t.name !== null) keys.push(`name=${t.name}`);
  for (const [k, v] of Object.entries(t.labels)) keys.push(`label:${k}=${v}`);
  return keys;
}

function file<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}

/** The grants of both versions indexed by the tunnels they may connect to. */
export class GrantReach {
  readonly #policies: PolicyPair;
  /** Per side: key → names of the grants filed under it. */
  readonly #grantsByKey: readonly [Map<string, string[]>, Map<string, string[]>];
  /** Names of grants filed under "any" on some side. */
  readonly #anyGrants: readonly string[];
  /** Per side, built on first use: key → tunnels that have it. */
  #tunnelsByKey: [Map<string, EffectiveTunnel[]>, Map<string, EffectiveTunnel[]>] | null = null;

  constructor(policies: PolicyPair) {
    this.#policies = policies;
    this.#grantsByKey = [new Map(), new Map()];
    const any = new Set<string>();
    ([0, 1] as const).forEach((side) => {
      const index = this.#grantsByKey[side];
      for (const [name, grant] of Object.entries(policies[side].grants)) {
        const keys = grantKeys(grant);
        if (keys === "any") any.add(name);
        else for (const k of keys) file(index, k, name);
      }
    });
    this.#anyGrants = [...any];
  }

  /**
   * The names of the grants that may connect to a host class's tunnel on some side
   * (`grantMayConnect`), sorted.
   */
  reaching(tunnels: readonly [EffectiveTunnel | null, EffectiveTunnel | null]): string[] {
    const candidates = new Set(this.#anyGrants);
    ([0, 1] as const).forEach((side) => {
      const t = tunnels[side];
      if (t === null) return;
      for (const k of tunnelKeys(t))
        for (const s of [0, 1] as const)
          for (const name of this.#grantsByKey[s].get(k) ?? []) candidates.add(name);
    });
    return [...candidates]
      .filter((name) =>
        ([0, 1] as const).some((side) =>
          grantMayConnect(this.#policies[side].grants[name], tunnels[side]),
        ),
      )
      .sort();
  }

  /**
   * At least as many grants as `reaching` finds for these tunnels, counted from the index
   * alone (no grant is asked): a cheap bound on how many tokens a tunnel can tell apart.
   */
  candidateCount(tunnels: readonly [EffectiveTunnel | null, EffectiveTunnel | null]): number {
    let count = this.#anyGrants.length;
    for (const t of new Set(tunnels)) {
      if (t === null) continue;
      for (const k of tunnelKeys(t))
        for (const s of [0, 1] as const) count += this.#grantsByKey[s].get(k)?.length ?? 0;
    }
    return count;
  }

  /** The tunnels of one side that the named grant of that side may connect to. */
  tunnelsReachedBy(name: string, side: Side): EffectiveTunnel[] {
    const grant = this.#policies[side].grants[name];
    const keys = grantKeys(grant);
    const tunnels = this.#policies[side].tunnels;
    let candidates: Iterable<EffectiveTunnel>;
    if (keys === "any") candidates = tunnels;
    else {
      const index = this.#tunnelIndex()[side];
      const found = new Set<EffectiveTunnel>();
      for (const k of keys) for (const t of index.get(k) ?? []) found.add(t);
      candidates = found;
    }
    return [...candidates].filter((t) => grantMayConnect(grant, t));
  }

  #tunnelIndex(): [Map<string, EffectiveTunnel[]>, Map<string, EffectiveTunnel[]>] {
    if (this.#tunnelsByKey === null) {
      const index: [Map<string, EffectiveTunnel[]>, Map<string, EffectiveTunnel[]>] = [
        new Map(),
        new Map(),
      ];
      ([0, 1] as const).forEach((side) => {
        for (const t of this.#policies[side].tunnels)
          for (const k of tunnelKeys(t)) file(index[side], k, t);
      });
      this.#tunnelsByKey = index;
    }
    return this.#tunnelsByKey;
  }
}
