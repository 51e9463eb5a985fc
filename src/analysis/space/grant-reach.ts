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
import type { FilterIr, GrantIr, GrantNodeIr, StringField, StringMatchIr } from "../../ir/types.ts";
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
    case "string": {
      const prefix = FIELD_KEY[filter.field];
      return prefix === undefined ? "any" : matchKeys(prefix, filter.match);
    }
    case "label":
      return matchKeys(`${LABEL_KEY}${filter.key}=`, filter.match);
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

/** The prefixes of a tunnel's keys, one per kind of property (`tunnelKeys`, `filterKeys`). */
const ID_KEY = "id=";
const HOSTNAME_KEY = "hostname=";
const NAME_KEY = "name=";
const LABEL_KEY = "label:";
/** The prefix of the fields a tunnel has keys for; the other fields are filed under "any". */
const FIELD_KEY: Partial<Record<StringField, string>> = {
  id: ID_KEY,
  name: NAME_KEY,
  hostname: HOSTNAME_KEY,
};

/** The keys a tunnel has (what `filterMatches` compares equalities with). */
function tunnelKeys(t: EffectiveTunnel): string[] {
  const keys = [`${ID_KEY}${t.id}`, ...t.hosts.map((h) => `${HOSTNAME_KEY}${h}`)];
  if (t.name !== null) keys.push(`${NAME_KEY}${t.name}`);
  for (const [k, v] of Object.entries(t.labels)) keys.push(`${LABEL_KEY}${k}=${v}`);
  return keys;
}

function file<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}

/** Per side: key → names of the grants filed under it; and the grants filed under "any". */
interface GrantIndex {
  readonly byKey: readonly [Map<string, string[]>, Map<string, string[]>];
  /** Names of grants filed under "any" on some side. */
  readonly any: readonly string[];
}

/**
 * How many `reaching` questions are answered by asking every grant before the index is built.
 * Building it reads every grant of both versions; a diff of one grant asks about a few host
 * classes, where asking each grant directly costs less than the index.
 */
const SCANS_BEFORE_INDEX = 4;

/** The grants of both versions indexed by the tunnels they may connect to, built on demand. */
export class GrantReach {
  readonly #policies: PolicyPair;
  #index: GrantIndex | null = null;
  #scans = 0;

  constructor(policies: PolicyPair) {
    this.#policies = policies;
  }

  #grantIndex(): GrantIndex {
    if (this.#index !== null) return this.#index;
    const byKey: [Map<string, string[]>, Map<string, string[]>] = [new Map(), new Map()];
    const any = new Set<string>();
    for (const side of [0, 1] as const) {
      for (const [name, grant] of Object.entries(this.#policies[side].grants)) {
        const keys = grantKeys(grant);
        if (keys === "any") any.add(name);
        else for (const k of keys) file(byKey[side], k, name);
      }
    }
    this.#index = { byKey, any: [...any] };
    return this.#index;
  }

  /**
   * The names of the grants that may connect to a host class's tunnel on some side
   * (`grantMayConnect`), sorted.
   */
  reaching(tunnels: readonly [EffectiveTunnel | null, EffectiveTunnel | null]): string[] {
    const candidates =
      this.#index === null && this.#scans++ < SCANS_BEFORE_INDEX
        ? this.#allGrantNames()
        : this.#candidates(tunnels);
    return candidates
      .filter((name) =>
        ([0, 1] as const).some((side) =>
          grantMayConnect(this.#policies[side].grants[name], tunnels[side]),
        ),
      )
      .sort();
  }

  /** The grants of the index filed under one of the tunnels' keys, or under "any". */
  #candidates(tunnels: readonly [EffectiveTunnel | null, EffectiveTunnel | null]): string[] {
    const index = this.#grantIndex();
    const candidates = new Set(index.any);
    for (const side of [0, 1] as const) {
      const t = tunnels[side];
      if (t === null) continue;
      for (const k of tunnelKeys(t))
        for (const s of [0, 1] as const)
          for (const name of index.byKey[s].get(k) ?? []) candidates.add(name);
    }
    return [...candidates];
  }

  /** Every grant name of either version, once. */
  #allGrantNames(): string[] {
    const [before, after] = this.#policies.map((p) => p.grants) as [
      Readonly<Record<string, GrantIr>>,
      Readonly<Record<string, GrantIr>>,
    ];
    const names = Object.keys(before);
    for (const name of Object.keys(after)) if (!Object.hasOwn(before, name)) names.push(name);
    return names;
  }

  /**
   * At least as many grants as `reaching` finds for these tunnels, counted from the index
   * alone (no grant is asked): a cheap bound on how many tokens a tunnel can tell apart.
   */
  candidateCount(tunnels: readonly [EffectiveTunnel | null, EffectiveTunnel | null]): number {
    const index = this.#grantIndex();
    let count = index.any.length;
    for (const t of new Set(tunnels)) {
      if (t === null) continue;
      for (const k of tunnelKeys(t))
        for (const s of [0, 1] as const) count += index.byKey[s].get(k)?.length ?? 0;
    }
    return count;
  }

  /**
   * The tunnels of one side that some of the named grants of that side may connect to. One
   * pass over the tunnels, each asked only about the grants whose keys it has (and those
   * filed under "any"), without indexing every tunnel: a diff asks this once, for the few
   * grants that changed.
   */
  tunnelsReachedBy(names: readonly string[], side: Side): EffectiveTunnel[] {
    const anyKey: GrantIr[] = [];
    const wanted = new WantedKeys();
    for (const name of names) {
      const grant = this.#policies[side].grants[name];
      if (grant === undefined) continue;
      const keys = grantKeys(grant);
      if (keys === "any") anyKey.push(grant);
      else for (const k of keys) wanted.add(k, grant);
    }
    return this.#policies[side].tunnels.filter(
      (t) =>
        anyKey.some((g) => grantMayConnect(g, t)) ||
        wanted.grantsFor(t).some((g) => grantMayConnect(g, t)),
    );
  }
}

/**
 * Grants by the tunnel keys (`tunnelKeys`) they are filed under, split by the key's kind so
 * that a tunnel is looked up by its values without writing out its keys (the key `id=x` is
 * the id x, and so on); label keys are written out, and only when some grant wants one.
 */
class WantedKeys {
  readonly #ids = new Map<string, GrantIr[]>();
  readonly #hostnames = new Map<string, GrantIr[]>();
  readonly #names = new Map<string, GrantIr[]>();
  readonly #labels = new Map<string, GrantIr[]>();

  add(key: string, grant: GrantIr): void {
    if (key.startsWith(ID_KEY)) file(this.#ids, key.slice(ID_KEY.length), grant);
    else if (key.startsWith(HOSTNAME_KEY))
      file(this.#hostnames, key.slice(HOSTNAME_KEY.length), grant);
    else if (key.startsWith(NAME_KEY)) file(this.#names, key.slice(NAME_KEY.length), grant);
    else file(this.#labels, key, grant);
  }

  /** The grants filed under one of the tunnel's keys (a grant may come more than once). */
  grantsFor(t: EffectiveTunnel): GrantIr[] {
    const out: GrantIr[] = [];
    const add = (found: readonly GrantIr[] | undefined): void => {
      if (found !== undefined) out.push(...found);
    };
    if (this.#ids.size > 0) add(this.#ids.get(t.id));
    if (this.#hostnames.size > 0) for (const h of t.hosts) add(this.#hostnames.get(h));
    if (this.#names.size > 0 && t.name !== null) add(this.#names.get(t.name));
    if (this.#labels.size > 0)
      for (const [k, v] of Object.entries(t.labels)) add(this.#labels.get(`${LABEL_KEY}${k}=${v}`));
    return out;
  }
}
