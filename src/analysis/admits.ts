/**
 * Does a tunnel's effective policy forward any request at all? Decided exactly by exploring
 * the interpreter's decision tree for requests to the tunnel's host, over clients that can
 * exist on the internet (loopback, unspecified, link-local and multicast addresses are left
 * out), stopping at the first request that is forwarded.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import type { Decision } from "../ir/decision.ts";
import type { RequestFacts } from "../ir/facts.ts";
import { parseIpEntry } from "../ir/ip.ts";
import { normalizeIpSet } from "../ir/ip.ts";
import type { IpRange, IpSet } from "../ir/types.ts";
import { interpret } from "../interpret/request.ts";
import { isForwarded } from "./decision-key.ts";
import type { RequestAtom } from "./space/atoms.ts";
import { explore } from "./space/explore.ts";
import { RequestSpace } from "./space/request-space.ts";

const NON_CLIENT_BLOCKS = [
  "0.0.0.0/8",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "224.0.0.0/3",
  "::/128",
  "::1/128",
  "fe80::/10",
  "ff00::/8",
];

/** Addresses no client on the internet connects from. */
export const NON_CLIENT_ADDRESSES: IpSet = normalizeIpSet(
  NON_CLIENT_BLOCKS.map((b) => {
    const parsed = parseIpEntry(b);
    if (!parsed.ok) throw new Error(`bad built-in block ${b}`);
    return parsed.range as IpRange;
  }),
);

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

/** Searches for a request to `tunnel` that `policy` forwards. */
export function findForwardedRequest(
  policy: EffectivePolicy,
  tunnel: EffectiveTunnel,
): AdmitsResult {
  const space = new RequestSpace([policy, policy], { excludeIps: NON_CLIENT_ADDRESSES });
  const host = space.hostAtoms().find((h) => space.routedTunnels(h.id)[0]?.id === tunnel.id);
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
