/**
 * The request space of a pair of policies: every dimension's atoms, how an atom assignment
 * becomes concrete `RequestFacts` for one side, and how a concrete request is classified
 * back into atoms (which the exactness property tests use). Atoms that depend on the routed
 * tunnel (addresses, countries, sessions) are computed per host class and cached.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../../bounds/effective.ts";
import { sameValue, valueKey } from "../same-value.ts";
import type { IpSet } from "../../ir/types.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import type { MutableRequestFacts } from "../../ir/facts.ts";
import type { Dimension, PolicyPair, RequestAtom, Side } from "./atoms.ts";
import { constantAtom, DIMENSIONS, FIELD_DIMENSION } from "./atoms.ts";
import {
  classedTokenAtoms,
  classifyCredential,
  classifySession,
  classifyToken,
  credentialAtoms,
  grantFreeTokenAtoms,
  OTHER_GRANTS_TOKEN,
  sessionAtoms,
  tokenAtoms,
} from "./auth-atoms.ts";
import {
  classifyCountry,
  classifyIp,
  countryAtoms,
  countrySetsOf,
  ipAtoms,
  ipSetsOf,
} from "./edge-atoms.ts";
import type { Assignment, Getter } from "./explore.ts";
import { NeedDimension } from "./explore.ts";
import { GrantReach } from "./grant-reach.ts";
import { PathAtoms, pathMatchesOf } from "./path-atoms.ts";
import { RouteIndex } from "./routing.ts";
import type { ContextChange } from "./change-focus.ts";
import { contextChange, focusFor } from "./change-focus.ts";
import { routeRequest as routeOnPolicy } from "../../interpret/route.ts";
import { classifySimple, methodAtoms, namedMethods, simpleAtoms } from "./simple-atoms.ts";

/** A host class: the tunnel it routes to on each side. */
interface HostClass {
  readonly atom: RequestAtom;
  /** The concrete host that stands for the class. */
  readonly host: string;
  readonly tunnels: readonly [EffectiveTunnel | null, EffectiveTunnel | null];
}

/** Options for building the space. */
export interface RequestSpaceOptions {
  /**
   * Leave out host classes where no request can decide differently: the routed tunnels are
   * equal on both sides, and no changed grant or credential reaches them (`change-focus.ts`).
   */
  readonly skipUnchangedHosts?: boolean;
  /** Addresses that no real client has (loopback, multicast…), left out of the address atoms. */
  readonly excludeIps?: IpSet;
  /**
   * Token atoms per host class in classes (`classedTokenAtoms`): one atom for the tokens
   * whose grant connects to the routed tunnel on neither side, one per group of grants that
   * may and are equal but in name. Atoms then follow the grants that reach a tunnel, not the
   * policy's grants.
   */
  readonly tokenClasses?: boolean;
  /** Partition literal path restrictions without automata (`PathAtoms`'s `literalFirst`). */
  readonly literalPaths?: boolean;
}

/** A host class's token atoms in classes, and the atom of each grant name. */
interface TokenClasses {
  readonly atoms: readonly RequestAtom[];
  /** Grant name → the id of its group's atom, for the grants that may connect. */
  readonly groupOf: ReadonlyMap<string, string>;
}

const UNROUTED_HOST = "unrouted.invalid";

/**
 * How many witnesses' routes are checked by reading a side's tunnel list before its host index
 * is built: indexing every tunnel of both versions costs as much as many such reads, and a diff
 * of one edit has a witness or two.
 */
const MENTION_SCANS_BEFORE_INDEX = 16;

function tunnelLabel(t: EffectiveTunnel | null): string {
  return t === null ? "no tunnel" : `tunnel \`${t.id}\``;
}

const TOKEN_UNUSED = constantAtom("token:unused", "any token (token auth is off)", { token: null });
const CREDENTIAL_UNUSED = constantAtom(
  "credential:unused",
  "any client certificate (mTLS is off)",
  {
    clientCredential: null,
  },
);

/** The grant name a token atom carries (`token:grant:NAME`), or `null`; `*` has no patterns. */
function grantNameOfToken(tokenId: string | null): string | null {
  const marker = "token:grant:";
  if (tokenId === null || !tokenId.startsWith(marker)) return null;
  const name = tokenId.slice(marker.length);
  return name === "*" ? null : name;
}

/** The request space of two policies (or of one policy, given twice). */
export class RequestSpace {
  readonly policies: PolicyPair;
  /** How the two versions' policy-wide parts (grants, credentials, project) differ. */
  readonly contextChange: ContextChange;
  readonly #routes: readonly [RouteIndex, RouteIndex];
  readonly #hosts = new Map<string, HostClass>();
  readonly #paths = new Map<string, PathAtoms>();
  readonly #global = new Map<Dimension, readonly RequestAtom[]>();
  readonly #perHost = new Map<string, readonly RequestAtom[]>();
  readonly #excludeIps: IpSet | null;
  readonly #reduced = new Map<string, EffectivePolicy>();
  /**
   * Every grant's token atom and every credential's, built on first use: with token classes
   * (`diff`) the token atoms are per host class and these are never read.
   */
  #allTokens: readonly RequestAtom[] | null = null;
  #allCredentials: readonly RequestAtom[] | null = null;
  readonly #fullRoutes = new Map<string, EffectiveTunnel | null>();
  readonly #tokenClasses: boolean;
  readonly #literalPaths: boolean;
  /** Host class → names of the grants that may connect to its tunnel on some side. */
  readonly #reaching = new Map<string, ReadonlySet<string>>();
  readonly #classes = new Map<string, TokenClasses>();
  /** Grant name → a key equal for grants equal on both sides but in name. */
  readonly #contentKeys = new Map<string, string>();
  #reach: GrantReach | null = null;
  #grantFreeTokens: readonly RequestAtom[] | null = null;
  #grantNames: readonly string[] | null = null;
  /** Per side, built on first use: host pattern → tunnels naming it, in file order. */
  #mentions: [Map<string, EffectiveTunnel[]>, Map<string, EffectiveTunnel[]>] | null = null;
  /** Per side, with `#mentions`: each tunnel's place in the file. */
  #order: [Map<EffectiveTunnel, number>, Map<EffectiveTunnel, number>] | null = null;
  /** How many `#mentioning` questions read the tunnel list before `#mentions` is built. */
  #mentionScans = 0;

  constructor(policies: PolicyPair, options: RequestSpaceOptions = {}) {
    this.policies = policies;
    this.#excludeIps = options.excludeIps ?? null;
    this.#tokenClasses = options.tokenClasses === true;
    this.#literalPaths = options.literalPaths === true;
    // One policy asked about alone (lint) is given twice: index its hosts once.
    const first = new RouteIndex(policies[0]);
    this.#routes = [first, policies[1] === policies[0] ? first : new RouteIndex(policies[1])];
    this.contextChange = contextChange(policies);
    const change = this.contextChange;
    const hosts = [
      ...new Set([
        ...this.#routes[0].sampleHosts(),
        ...this.#routes[1].sampleHosts(),
        UNROUTED_HOST,
      ]),
    ];
    const mayChange =
      options.skipUnchangedHosts === true && change.kind === "credentials"
        ? this.#reachedByChange(change)
        : () => true;
    for (const host of hosts) {
      const tunnels = [this.#routes[0].route(host), this.#routes[1].route(host)] as const;
      const id = this.hostId(tunnels);
      if (this.#hosts.has(id)) continue;
      if (
        options.skipUnchangedHosts === true &&
        change.kind !== "all" &&
        sameValue(tunnels[0], tunnels[1]) &&
        (change.kind === "none" ||
          !mayChange(tunnels) ||
          focusFor(change, policies, tunnels) === null)
      )
        continue;
      const label =
        tunnels[0]?.id === tunnels[1]?.id
          ? tunnelLabel(tunnels[0])
          : `host routed to ${tunnelLabel(tunnels[0])} before, ${tunnelLabel(tunnels[1])} after`;
      const atom = constantAtom(id, `${label} (host ${host})`, { host });
      this.#hosts.set(id, { atom, host, tunnels });
    }
    this.#global.set("method", methodAtoms(policies));
  }

  #grantReach(): GrantReach {
    this.#reach ??= new GrantReach(this.policies);
    return this.#reach;
  }

  /**
   * A quick test that leaves out most host classes a change of grants and credentials cannot
   * reach, before `focusFor` decides exactly: the tunnels each changed grant may connect to,
   * found through the grant index, and any mTLS tunnel when a credential or the grant one
   * names changed. A host class it passes may still be left out by `focusFor`.
   */
  #reachedByChange(
    change: Extract<ContextChange, { kind: "credentials" }>,
  ): (tunnels: readonly [EffectiveTunnel | null, EffectiveTunnel | null]) => boolean {
    const reach = this.#grantReach();
    const reached = new Set<EffectiveTunnel>();
    for (const side of [0, 1] as const)
      for (const t of reach.tunnelsReachedBy(change.grants, side)) reached.add(t);
    const changed = new Set(change.grants);
    const credentialsTouched =
      change.credentials.size > 0 ||
      this.policies.some((p) => p.credentials.some((c) => changed.has(c.grant)));
    return (tunnels) =>
      tunnels.some(
        (t) => t !== null && (reached.has(t) || (credentialsTouched && t.auth.mtls !== null)),
      );
  }

  /** Whether every path partition made so far is exact (no opaque regex, search bound not hit). */
  get pathsComplete(): boolean {
    return [...this.#paths.values()].every((p) => p.space.complete);
  }

  /**
   * The path partition for one credential context. A request's path matters to the engine's
   * endpoints and to the grants its credentials carry, and to no other grant: a token's grant
   * only when token auth is on (on either side), an mTLS credential's only when mTLS is. So
   * path atoms depend on the token and credential atoms, and are cut by those grants alone;
   * most requests (no token, an invalid one) only need the engine's endpoints.
   */
  #pathAtoms(host: string, tokenId: string | null, credentialId: string | null): PathAtoms {
    const tunnels = this.routedTunnels(host);
    let tokenGrant = tunnels.some((t) => t?.auth.token === true) ? grantNameOfToken(tokenId) : null;
    // A grant that may connect to the routed tunnel on neither side is refused there whatever
    // the path: all such tokens share the partition of no grant (and their regions merge).
    if (tokenGrant !== null && !this.grantReaches(host, tokenGrant)) tokenGrant = null;
    const credential = tunnels.some((t) => t !== null && t.auth.mtls !== null)
      ? (credentialId?.slice("credential:".length) ?? null)
      : null;
    const key = `t=${tokenGrant ?? ""};c=${credential ?? ""}`;
    const known = this.#paths.get(key);
    if (known !== undefined) return known;
    const grants = this.policies.flatMap((p) => {
      const viaCredential = p.credentials.find((c) => c.name === credential)?.grant;
      return [
        tokenGrant === null ? undefined : p.grants[tokenGrant],
        viaCredential === undefined ? undefined : p.grants[viaCredential],
      ];
    });
    const atoms = new PathAtoms(pathMatchesOf(grants), `path[${key}]`, this.#literalPaths);
    this.#paths.set(key, atoms);
    return atoms;
  }

  /**
   * The atoms of a dimension with the valid tokens of the policies' grants left out (the
   * others keep their ids): for a search that tries requests without those first.
   */
  grantFreeAtoms(dimension: string, get: Getter<RequestAtom>): readonly RequestAtom[] {
    if (dimension !== "token" || !this.#credentialUsed("token", get("host").id))
      return this.atoms(dimension, get);
    this.#grantFreeTokens ??= grantFreeTokenAtoms(this.policies);
    return this.#grantFreeTokens;
  }

  /**
   * At least as many grants as may connect to a host class's tunnel on some side, from the
   * grant index alone (`GrantReach.candidateCount`); 0 when token auth is off there.
   */
  grantCandidates(host: string): number {
    if (!this.#credentialUsed("token", host)) return 0;
    return this.#grantReach().candidateCount(this.routedTunnels(host));
  }

  /** Whether a grant may connect to a host class's tunnel on some side. */
  grantReaches(host: string, grant: string): boolean {
    return this.#reachingOf(host).has(grant);
  }

  /** The grants that may connect to a host class's tunnel on some side (memoized per class). */
  #reachingOf(host: string): ReadonlySet<string> {
    let reaching = this.#reaching.get(host);
    if (reaching === undefined) {
      reaching = new Set(this.#grantReach().reaching(this.routedTunnels(host)));
      this.#reaching.set(host, reaching);
    }
    return reaching;
  }

  #allGrantNames(): readonly string[] {
    this.#grantNames ??= [...new Set(this.policies.flatMap((p) => Object.keys(p.grants)))].sort();
    return this.#grantNames;
  }

  /** A key equal for two grant names whose grants are equal on each side but in name. */
  #contentKey(name: string): string {
    let key = this.#contentKeys.get(name);
    if (key === undefined) {
      key = valueKey(
        this.policies.map((p) => {
          const g = p.grants[name];
          return g === undefined ? null : { ...g, name: null };
        }),
      );
      this.#contentKeys.set(name, key);
    }
    return key;
  }

  /** The token atoms of a host class in classes (`RequestSpaceOptions.tokenClasses`). */
  #tokenClassesOf(host: string): TokenClasses {
    const known = this.#classes.get(host);
    if (known !== undefined) return known;
    const reaching = this.#reachingOf(host);
    const groups = new Map<string, string[]>();
    for (const name of [...reaching].sort()) {
      const key = this.#contentKey(name);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [name]);
      else group.push(name);
    }
    const groupOf = new Map<string, string>();
    for (const names of groups.values())
      for (const n of names) groupOf.set(n, `token:grant:${names[0] ?? ""}`);
    const all = this.#allGrantNames();
    const standIn = all.find((n) => !reaching.has(n));
    const others = standIn === undefined ? null : { standIn, count: all.length - reaching.size };
    const classes: TokenClasses = {
      atoms: classedTokenAtoms(this.policies, [...groups.values()], others),
      groupOf,
    };
    this.#classes.set(host, classes);
    return classes;
  }

  /** Whether path atoms of this host class depend on the token / the client credential. */
  #pathDependsOn(host: string): { token: boolean; credential: boolean } {
    const tunnels = this.routedTunnels(host);
    return {
      token: tunnels.some((t) => t?.auth.token === true),
      credential: tunnels.some((t) => t !== null && t.auth.mtls !== null),
    };
  }

  hostId(tunnels: readonly [EffectiveTunnel | null, EffectiveTunnel | null]): string {
    return `host:${tunnels[0]?.id ?? "-"}:${tunnels[1]?.id ?? "-"}`;
  }

  /** The host classes left to explore. */
  hostAtoms(): RequestAtom[] {
    return [...this.#hosts.values()].map((h) => h.atom);
  }

  /** The concrete host that stands for a host class. */
  sampleHost(hostAtomId: string): string | undefined {
    return this.#hosts.get(hostAtomId)?.host;
  }

  /** The tunnels a host class routes to on each side. */
  routedTunnels(hostAtomId: string): readonly [EffectiveTunnel | null, EffectiveTunnel | null] {
    return this.#hosts.get(hostAtomId)?.tunnels ?? [null, null];
  }

  /**
   * The policy of one side cut down to the tunnel a host class routes to. A decision reads
   * only the routed tunnel and the policy-wide parts (grants, credentials), so this decides
   * every request to the host class exactly like the whole policy, without the interpreter
   * scanning thousands of tunnels to route each one.
   */
  policyFor(hostAtomId: string, side: Side): EffectivePolicy {
    const key = `${side}|${hostAtomId}`;
    const cached = this.#reduced.get(key);
    if (cached !== undefined) return cached;
    const tunnel = this.routedTunnels(hostAtomId)[side];
    const reduced: EffectivePolicy = {
      ...this.policies[side],
      tunnels: tunnel === null ? [] : [tunnel],
    };
    this.#reduced.set(key, reduced);
    return reduced;
  }

  /**
   * Token or client-certificate atoms for a host class. When the routed tunnel has that
   * authentication off on both sides, the interpreter never looks inside the credential
   * (`checkToken` / `checkClientCredential` answer "absent"), so one atom stands for all.
   */
  #credentialAtoms(dimension: "token" | "credential", host: string): readonly RequestAtom[] {
    const used = this.#credentialUsed(dimension, host);
    if (used && dimension === "token" && this.#tokenClasses)
      return this.#tokenClassesOf(host).atoms;
    if (!used) return dimension === "token" ? [TOKEN_UNUSED] : [CREDENTIAL_UNUSED];
    if (dimension === "token") return (this.#allTokens ??= tokenAtoms(this.policies));
    return (this.#allCredentials ??= credentialAtoms(this.policies));
  }

  #credentialUsed(dimension: "token" | "credential", host: string): boolean {
    const tunnels = this.routedTunnels(host);
    return tunnels.some((t) =>
      dimension === "token" ? t?.auth.token === true : t !== null && t.auth.mtls !== null,
    );
  }

  /**
   * Whether the interpreter's own router sends `host` to `tunnel` on a side (memoized per
   * host). The router only ever picks a tunnel that names the host or a `*.` pattern covering
   * it, so it runs on those tunnels alone, in file order: the same answer as on the whole
   * policy, without a scan of every tunnel per witness.
   */
  routesLike(side: Side, host: string, tunnel: EffectiveTunnel | null): boolean {
    const key = `${side}|${host}`;
    let routed = this.#fullRoutes.get(key);
    if (routed === undefined) {
      const policy = this.policies[side];
      routed = routeOnPolicy({ ...policy, tunnels: this.#mentioning(side, host) }, host);
      this.#fullRoutes.set(key, routed);
    }
    return routed === tunnel;
  }

  /** The tunnels of a side with a host pattern that is `host` or a `*.` pattern covering it. */
  #mentioning(side: Side, host: string): EffectiveTunnel[] {
    const name = host.toLowerCase();
    const dot = name.indexOf(".");
    const patterns = dot > 0 ? [name, `*${name.slice(dot)}`] : [name];
    // A few witnesses read the tunnel list directly (in file order); more build the index.
    if (this.#mentions === null && this.#mentionScans++ < MENTION_SCANS_BEFORE_INDEX)
      return this.policies[side].tunnels.filter((t) => t.hosts.some((h) => patterns.includes(h)));
    if (this.#mentions === null) {
      const index: [Map<string, EffectiveTunnel[]>, Map<string, EffectiveTunnel[]>] = [
        new Map(),
        new Map(),
      ];
      const order: [Map<EffectiveTunnel, number>, Map<EffectiveTunnel, number>] = [
        new Map(),
        new Map(),
      ];
      ([0, 1] as const).forEach((s) => {
        this.policies[s].tunnels.forEach((t, i) => order[s].set(t, i));
        for (const t of this.policies[s].tunnels)
          for (const h of new Set(t.hosts)) {
            const list = index[s].get(h);
            if (list === undefined) index[s].set(h, [t]);
            else list.push(t);
          }
      });
      this.#mentions = index;
      this.#order = order;
    }
    const found = [...new Set(patterns.flatMap((p) => this.#mentions?.[side].get(p) ?? []))];
    // File order, as the router reads the tunnel list.
    const order = this.#order?.[side];
    return found.sort((a, b) => (order?.get(a) ?? 0) - (order?.get(b) ?? 0));
  }

  /** The atoms of a dimension; per-tunnel dimensions read the host first. */
  atoms(dimension: string, get: Getter<RequestAtom>): readonly RequestAtom[] {
    const global = this.#global.get(dimension as Dimension);
    if (global !== undefined) return global;
    if (dimension === "host") return this.hostAtoms();
    if (dimension === "path") {
      const host = get("host").id;
      const depends = this.#pathDependsOn(host);
      return this.#pathAtoms(
        host,
        depends.token ? get("token").id : null,
        depends.credential ? get("credential").id : null,
      ).atoms;
    }
    if (dimension === "token" || dimension === "credential") {
      return this.#credentialAtoms(dimension, get("host").id);
    }
    if (dimension === "ip" || dimension === "country" || dimension === "session") {
      const host = get("host").id;
      const key = `${dimension}|${host}`;
      const cached = this.#perHost.get(key);
      if (cached !== undefined) return cached;
      const tunnels = this.routedTunnels(host);
      const atoms =
        dimension === "ip"
          ? ipAtoms(ipSetsOf(tunnels), this.#excludeIps)
          : dimension === "country"
            ? countryAtoms(countrySetsOf(tunnels))
            : sessionAtoms(tunnels);
      this.#perHost.set(key, atoms);
      return atoms;
    }
    return simpleAtoms(dimension as Dimension);
  }

  /** A `RequestFacts` for one side whose fields come from the getter, read on demand. */
  lazyFacts(get: Getter<RequestAtom>, side: Side): RequestFacts {
    const cache = new Map<Dimension, Partial<MutableRequestFacts>>();
    const field = (key: keyof RequestFacts): unknown => {
      const dimension = FIELD_DIMENSION[key];
      let fields = cache.get(dimension);
      if (fields === undefined) {
        fields = get(dimension).facts(side, get);
        cache.set(dimension, fields);
      }
      return fields[key];
    };
    const keys = Object.keys(FIELD_DIMENSION);
    return new Proxy({} as RequestFacts, {
      get: (_target, key) =>
        typeof key === "string" && key in FIELD_DIMENSION
          ? field(key as keyof RequestFacts)
          : undefined,
      has: (_target, key) => typeof key === "string" && key in FIELD_DIMENSION,
      ownKeys: () => keys,
      getOwnPropertyDescriptor: (_target, key) =>
        typeof key === "string" && key in FIELD_DIMENSION
          ? {
              configurable: true,
              enumerable: true,
              writable: false,
              value: field(key as keyof RequestFacts),
            }
          : undefined,
    });
  }

  /**
   * Concrete facts for an assignment: unassigned dimensions take their first atom (any atom
   * would do: the decision did not read them).
   */
  concreteFacts(assignment: Assignment<RequestAtom>, side: Side): RequestFacts {
    const get = (dimension: string): RequestAtom => {
      // The first token atom (no token) is the same in every list: the grants' classes are
      // not built for it.
      const atom = assignment.get(dimension) ?? this.grantFreeAtoms(dimension, get)[0];
      if (atom === undefined) throw new NeedDimension(dimension);
      return atom;
    };
    const facts: Partial<MutableRequestFacts> = {};
    for (const dimension of DIMENSIONS) Object.assign(facts, get(dimension).facts(side, get));
    return facts as RequestFacts;
  }

  /** A token atom id of `tokenAtoms` as the atom of its class, when tokens are in classes. */
  #classedToken(host: string, id: string): string {
    const name = grantNameOfToken(id);
    if (!this.#tokenClasses || name === null) return id;
    return this.#tokenClassesOf(host).groupOf.get(name) ?? OTHER_GRANTS_TOKEN;
  }

  /**
   * The atom of each dimension that a concrete request falls in (`tokenGrant` names the
   * grant its token carries). Used to check that reports cover exactly the changed requests.
   */
  classify(facts: RequestFacts, tokenGrant: string | null): Map<Dimension, string> {
    const tunnels = [this.#routes[0].route(facts.host), this.#routes[1].route(facts.host)] as const;
    const hostAtom = this.hostId(tunnels);
    const out = new Map<Dimension, string>([
      ["host", hostAtom],
      ["ip", classifyIp(ipSetsOf(tunnels), facts.clientIp)],
      ["country", classifyCountry(countrySetsOf(tunnels), facts.country)],
      [
        "token",
        this.#credentialUsed("token", hostAtom)
          ? this.#classedToken(
              hostAtom,
              classifyToken(facts.token, tokenGrant, new Set(this.#allGrantNames())),
            )
          : TOKEN_UNUSED.id,
      ],
      [
        "credential",
        this.#credentialUsed("credential", this.hostId(tunnels))
          ? classifyCredential(this.policies, facts.clientCredential)
          : CREDENTIAL_UNUSED.id,
      ],
      ["session", classifySession(tunnels, facts.session)],
    ]);
    const hostId = out.get("host") ?? "";
    out.set(
      "path",
      this.#pathAtoms(hostId, out.get("token") ?? null, out.get("credential") ?? null).classify(
        facts.path,
      ),
    );
    const named = namedMethods(this.policies);
    for (const dimension of DIMENSIONS) {
      if (!out.has(dimension)) out.set(dimension, classifySimple(dimension, facts, named));
    }
    return out;
  }
}
