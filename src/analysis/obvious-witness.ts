/**
 * Obvious witnesses for reachability: the edge facts (client address, country, session) of
 * a request that most tunnels let through, read straight off the tunnel's lists. Building the
 * tunnel's full address, country and session partitions costs far more than trying one such
 * request, and on a large policy almost every tunnel forwards it.
 *
 * Only the choice of request is a guess: the caller runs it through the interpreter, and any
 * request it forwards is a real witness, provided its address is one a client can have.
 */
import type { EffectiveTunnel } from "../bounds/effective.ts";
import type { SessionFacts } from "../ir/facts.ts";
import type { IpAddress, IpBlock } from "../ir/ip.ts";
import { blockHasAddress, parseAddress, rangeToBlock } from "../ir/ip.ts";
import type { IpSet } from "../ir/types.ts";
import type { RequestAtom } from "./space/atoms.ts";
import { constantAtom } from "./space/atoms.ts";

// Used when the tunnel restricts nothing: a documentation address (RFC 5737) and country.
const ANY_CLIENT = "203.0.113.10";
const ANY_COUNTRY = "US";
const UNLISTED_EMAIL = "someone@unlisted.invalid";

// Blocks of the sets asked about, kept with the set (sets are immutable), so that checking a
// candidate address does not convert every range of the same set again for each tunnel.
const blocksOfSet = new WeakMap<IpSet, readonly IpBlock[]>();

function inSet(address: IpAddress, set: IpSet): boolean {
  let blocks = blocksOfSet.get(set);
  if (blocks === undefined) {
    blocks = set.ranges.map(rangeToBlock);
    blocksOfSet.set(set, blocks);
  }
  return blocks.some((b) => blockHasAddress(b, address));
}

// The first address of a range (its CIDR text before the `/`), parsed, or `null` when no
// client can have it; by CIDR text and exclusion set, since many tunnels share ranges.
const firstClientAddresses = new WeakMap<IpSet, Map<string, IpAddress | null>>();

function firstClientAddress(
  cidr: string,
  nonClient: IpSet,
): { text: string; address: IpAddress } | null {
  let known = firstClientAddresses.get(nonClient);
  if (known === undefined) {
    known = new Map();
    firstClientAddresses.set(nonClient, known);
  }
  const slash = cidr.indexOf("/");
  const text = slash < 0 ? cidr : cidr.slice(0, slash);
  let address = known.get(text);
  if (address === undefined) {
    const parsed = parseAddress(text);
    address = parsed === null || inSet(parsed, nonClient) ? null : parsed;
    known.set(text, address);
  }
  return address === null ? null : { text, address };
}

const CANDIDATE_RANGES = 4;

/** The first address of one of the tunnel's first allowed ranges that a real client can have. */
function clientAddress(tunnel: EffectiveTunnel, nonClient: IpSet): string | null {
  const ranges = tunnel.allowedIps?.ranges ?? [{ family: 4, cidr: ANY_CLIENT }];
  for (const range of ranges.slice(0, CANDIDATE_RANGES)) {
    const candidate = firstClientAddress(range.cidr, nonClient);
    if (candidate === null) continue;
    if (tunnel.ipRules.every((rule) => inSet(candidate.address, rule.set))) return candidate.text;
  }
  return null;
}

/** A country every country list of the tunnel names, or one when there is no list. */
function clientCountry(tunnel: EffectiveTunnel): string | null {
  const codes = tunnel.allowedCountries?.codes;
  if (codes === undefined) return ANY_COUNTRY;
  return codes.find((c) => tunnel.countryRules.every((rule) => rule.set.codes.includes(c))) ?? null;
}

/** A signed-in user that the tunnel's rstream Auth allow list admits, or no session. */
function clientSession(tunnel: EffectiveTunnel): SessionFacts | null {
  if (!tunnel.auth.rstreamAuth) return null;
  const allow = tunnel.auth.sessionAllow;
  const domain = allow?.domains[0];
  const email = allow?.emails[0] ?? (domain === undefined ? UNLISTED_EMAIL : `user@${domain}`);
  return { userId: "witness-user", name: null, email, image: null, groups: allow?.groups ?? [] };
}

/**
 * Atoms fixing the address, country and session of an obvious witness for `tunnel`, or
 * `null` when its lists leave no obvious choice (the caller then searches).
 */
export function obviousEdgeAtoms(
  tunnel: EffectiveTunnel,
  nonClient: IpSet,
): Map<string, RequestAtom> | null {
  const clientIp = clientAddress(tunnel, nonClient);
  const country = clientCountry(tunnel);
  if (clientIp === null || country === null) return null;
  return new Map([
    ["ip", constantAtom("ip:obvious", `client ${clientIp}`, { clientIp })],
    ["country", constantAtom("country:obvious", `country ${country}`, { country })],
    [
      "session",
      constantAtom("session:obvious", "an allowed session", { session: clientSession(tunnel) }),
    ],
  ]);
}
