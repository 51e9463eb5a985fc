/**
 * Does a tunnel's effective policy forward any request at all? Decided exactly by exploring
 * the interpreter's decision tree for requests to the tunnel's host, over every address a
 * connection can come from (unspecified, link-local and multicast addresses are left out;
 * loopback is kept, since `serve` forwards a loopback client like any other, e.g. a local
 * reverse proxy), stopping at the first request that is forwarded.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import type { Decision } from "../ir/decision.ts";
import type { RequestFacts } from "../ir/facts.ts";
import { parseIpEntry } from "../ir/ip.ts";
import { normalizeIpSet } from "../ir/ip.ts";
import type { IpRange, IpSet } from "../ir/types.ts";
import { hostsAreUnique } from "../ir/unique-hosts.ts";
import { interpret } from "../interpret/request.ts";
import { isForwarded } from "./decision-key.ts";
import { hasObviousRequest, obviousRequest, obviousRequestForwarded } from "./obvious-witness.ts";
import type { RequestAtom } from "./space/atoms.ts";
import { explore } from "./space/explore.ts";
import { RequestSpace } from "./space/request-space.ts";
import { isRouted, RouteIndex } from "./space/routing.ts";

const NON_CLIENT_BLOCKS = [
  "0.0.0.0/8",
  "169.254.0.0/16",
  "224.0.0.0/3",
  "::/128",
  "fe80::/10",
  "ff00::/8",
];

let nonClient: IpSet | null = null;

/**
 * Addresses no client connection comes from, as far as the analysis is concerned. Built on
 * first use, not at module load: every command loads this module, few ask (parsing the
 * blocks was ~5 % of a one-line `lint`). One set for the process, so caches keyed by it hold.
 */
export function nonClientAddresses(): IpSet {
  nonClient ??= normalizeIpSet(
    NON_CLIENT_BLOCKS.map((b) => {
      const parsed = parseIpEntry(b);
      if (!parsed.ok) throw new Error(`bad built-in block ${b}`);
      return parsed.range as IpRange;
    }),
  );
  return nonClient;
}

/** Signal: a forwarded request was found; exploration stops. */
class Found {
  readonly facts: RequestFacts;
  constructor(facts: RequestFacts) {
    this.facts = facts;
  }
}

/** What the search saw: a forwarded request, or every decision that refused one. */
export type AdmitsResult =
  | { readonly kind: "forwards"; readonly request: RequestFacts }
  | { readonly kind: "nothing"; readonly denials: readonly Decision[] };

/** The request space of one policy for reachability questions, shared by all its tunnels. */
export class ReachabilitySpace {
  readonly policy: EffectivePolicy;
  readonly space: RequestSpace;
  readonly #hostOf = new Map<string, RequestAtom>();

  constructor(policy: EffectivePolicy) {
    this.policy = policy;
    this.space = new RequestSpace([policy, policy], { excludeIps: nonClientAddresses() });
    for (const host of this.space.hostAtoms()) {
      const id = this.space.routedTunnels(host.id)[0]?.id;
      if (id !== undefined && !this.#hostOf.has(id)) this.#hostOf.set(id, host);
    }
  }

  /** The host class routed to a tunnel, if any host reaches it. */
  hostOf(tunnelId: string): RequestAtom | undefined {
    return this.#hostOf.get(tunnelId);
  }
}

// The atom of each dimension most likely to be let through: tried first, as one request,
// before the exhaustive search (most tunnels forward it, which keeps lint linear).
const GENEROUS: Readonly<Record<string, (id: string) => boolean>> = {
  ip: (id) => /^ip:1*$/.test(id),
  country: (id) => /^country:1*$/.test(id),
  tls: (id) => id === "tls:1.3",
  method: (id) => id === "method:GET",
  token: (id) => id === "token:grant:*" || id === "token:unused",
  session: (id) => /^session:1+$/.test(id) || id === "session:unused",
  cookie: (id) => id === "cookie:valid",
};

// The generous pick of each atom list. The space hands out the same (immutable) list for a
// dimension wherever its atoms do not change, so the pick is made once per list: the token
// list holds one atom per grant, and scanning it for every tunnel made lint quadratic.
const generousPicks = new Map<string, WeakMap<readonly RequestAtom[], RequestAtom | null>>(
  Object.keys(GENEROUS).map((d) => [d, new WeakMap()]),
);

function generousAtom(dimension: string, atoms: readonly RequestAtom[]): RequestAtom | undefined {
  const picks = generousPicks.get(dimension);
  const known = picks?.get(atoms);
  if (known !== undefined) return known ?? undefined;
  const wanted = GENEROUS[dimension] as (id: string) => boolean;
  const pick = atoms.find((a) => wanted(a.id)) ?? null;
  picks?.set(atoms, pick);
  return pick ?? undefined;
}

/** The generous request to a host class, as one concrete request the interpreter decides. */
function generousRequest(reach: ReachabilitySpace, host: RequestAtom): RequestFacts | null {
  const { space } = reach;
  const assignment = new Map<string, RequestAtom>([["host", host]]);
  const get = (d: string): RequestAtom =>
    assignment.get(d) ?? (space.atoms(d, get)[0] as RequestAtom);
  for (const d of Object.keys(GENEROUS)) {
    const atom = generousAtom(d, space.atoms(d, get));
    if (atom !== undefined) assignment.set(d, atom);
  }
  const facts = space.concreteFacts(assignment, 0);
  return isForwarded(interpret(space.policyFor(host.id, 0), facts)) ? facts : null;
}

/**
 * The obvious request to `tunnel` through `host`, if the interpreter forwards it. `routed` is
 * the policy cut down to the tunnel (a decision reads only the routed tunnel and the
 * policy-wide parts), so the interpreter does not scan every tunnel to route it.
 */
function obviouslyForwarded(
  routed: EffectivePolicy,
  tunnel: EffectiveTunnel,
  host: string,
): RequestFacts | null {
  const facts = obviousRequest(tunnel, host, nonClientAddresses());
  return facts !== null && isForwarded(interpret(routed, facts)) ? facts : null;
}

/** Searches for a request to `tunnel` that `policy` forwards. */
export function findForwardedRequest(
  policy: EffectivePolicy,
  tunnel: EffectiveTunnel,
  reach: ReachabilitySpace = new ReachabilitySpace(policy),
): AdmitsResult {
  const host = reach.hostOf(tunnel.id);
  if (host === undefined) return { kind: "nothing", denials: [] };
  // Cheapest first: an obvious request (no partitions built), then the generous atoms of
  // the exact partitions; both are confirmed by the interpreter. Only a tunnel that refuses
  // both is explored.
  const routed = reach.space.policyFor(host.id, 0);
  const hostName = reach.space.sampleHost(host.id);
  const obvious = hostName === undefined ? null : obviouslyForwarded(routed, tunnel, hostName);
  if (obvious !== null) return { kind: "forwards", request: obvious };
  const generous = generousRequest(reach, host);
  if (generous !== null) return { kind: "forwards", request: generous };
  return exploreForwardedRequest(policy, tunnel, reach);
}

/**
 * Reachability of every tunnel of one policy, for lint. Most tunnels forward their obvious
 * request, which the tunnel's auth settings decide (`obviousRequestForwarded`, no interpreter
 * run) once a host routes to the tunnel: the request space (atoms for every host, grant and
 * method of the policy) is built on the first tunnel that does not, and
 * `findForwardedRequest` decides that tunnel and the rest of that kind.
 */
export class PolicyReachability {
  readonly policy: EffectivePolicy;
  /** The router's index, made on first use (never, when `#uniqueHosts`). */
  #routes: RouteIndex | null = null;
  /**
   * Whether no host of the policy is in two tunnels, each a lower-case name
   * (`hostsAreUnique`): then an exact host of a published HTTP tunnel routes to that tunnel.
   */
  readonly #uniqueHosts: boolean;
  #space: ReachabilitySpace | null = null;

  constructor(policy: EffectivePolicy) {
    this.policy = policy;
    this.#uniqueHosts = hostsAreUnique(policy.tunnels);
  }

  /**
   * An exact host of the tunnel (one of the policy's) that the whole policy routes to it: by
   * the router's index, or, when every host is in one tunnel only, the first exact host of a
   * tunnel the router serves (published, HTTP family), which the index would route to it.
   */
  #exactHostRoutedTo(tunnel: EffectiveTunnel): string | null {
    const unique = this.#uniqueHosts;
    if (unique && !isRouted(tunnel)) return null;
    const hosts = tunnel.hosts;
    for (let i = 0; i < hosts.length; i++) {
      // SAFETY: i < hosts.length, the loop's bound.
      const host = hosts[i] as string;
      if (host.startsWith("*.")) continue;
      if (unique || (this.#routes ??= new RouteIndex(this.policy)).route(host) === tunnel) {
        return host;
      }
    }
    return null;
  }

  /**
   * The same answer as `findForwardedRequest(policy, tunnel)`, with a shortcut: the obvious
   * request to a host routed to the tunnel, decided without the interpreter.
   */
  forwardedRequest(tunnel: EffectiveTunnel): AdmitsResult {
    if (obviousRequestForwarded(tunnel)) {
      const host = this.#exactHostRoutedTo(tunnel);
      const obvious = host === null ? null : obviousRequest(tunnel, host, nonClientAddresses());
      if (obvious !== null) return { kind: "forwards", request: obvious };
    }
    this.#space ??= new ReachabilitySpace(this.policy);
    return findForwardedRequest(this.policy, tunnel, this.#space);
  }

  /**
   * `null` when the policy forwards some request to the tunnel, else every decision that
   * refused one: `forwardedRequest`'s answer without its witness, so a tunnel that forwards
   * its obvious request (nearly all of them) costs no request object.
   */
  refusals(tunnel: EffectiveTunnel): readonly Decision[] | null {
    if (
      obviousRequestForwarded(tunnel) &&
      hasObviousRequest(tunnel, nonClientAddresses()) &&
      this.#exactHostRoutedTo(tunnel) !== null
    ) {
      return null;
    }
    const result = this.forwardedRequest(tunnel);
    return result.kind === "forwards" ? null : result.denials;
  }
}

/**
 * The exact search alone, with no witness tried first: explores the tunnel's decision tree
 * until a forwarded request turns up. `findForwardedRequest` gives the same `kind` faster;
 * the property tests hold it to this.
 */
export function exploreForwardedRequest(
  policy: EffectivePolicy,
  tunnel: EffectiveTunnel,
  reach: ReachabilitySpace = new ReachabilitySpace(policy),
): AdmitsResult {
  const { space } = reach;
  const host = reach.hostOf(tunnel.id);
  if (host === undefined) return { kind: "nothing", denials: [] };
  const denials = new Map<string, Decision>();
  try {
    explore<RequestAtom, Decision>(new Map([["host", host]]), {
      atoms: (d, get) => space.atoms(d, get),
      evaluate: (get) => interpret(space.policyFor(get("host").id, 0), space.lazyFacts(get, 0)),
      onLeaf: (assignment, decision) => {
        if (isForwarded(decision)) throw new Found(space.concreteFacts(assignment, 0));
        denials.set(decision.rule, decision);
      },
    });
  } catch (signal) {
    if (signal instanceof Found) return { kind: "forwards", request: signal.facts };
    throw signal;
  }
  return { kind: "nothing", denials: [...denials.values()] };
}
