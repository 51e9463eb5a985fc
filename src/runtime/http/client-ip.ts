/**
 * The client address of a request: the socket peer, unless that peer is a configured trusted
 * proxy, in which case the right-most `X-Forwarded-For` entry that is not itself a trusted
 * proxy (empty or malformed, it is still that entry: fail closed). Entries a client wrote
 * before reaching the first trusted proxy are never believed.
 */
import type { IpRange, IpSet } from "../../ir/types.ts";
import { ipInSet, normalizeIpSet, parseIpEntry } from "../../ir/ip.ts";
import { LruCache } from "../../compile/lru.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { invalidOption } from "../diagnostics.ts";

/**
 * Canonical text of a socket address (S-R6): a zone id (`fe80::1%eth0`) is stripped, and only
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4 (S-A3); the deprecated IPv4-compatible form
 * `::1.2.3.4` stays an IPv6 address.
 */
export function canonicalPeer(address: string | undefined): string {
  if (address === undefined) return "";
  const zone = address.indexOf("%");
  const bare = zone < 0 ? address : address.slice(0, zone);
  if (bare.length > 7 && bare.slice(0, 7).toLowerCase() === "::ffff:" && bare.includes(".", 7))
    return bare.slice(7);
  return bare;
}

/** The configured trusted proxies, with membership remembered per peer address. */
export class TrustedProxies {
  readonly #set: IpSet;
  readonly #known = new LruCache<string, boolean>(10_000);

  constructor(set: IpSet) {
    this.#set = set;
  }

  /** True when the address is a trusted proxy. HOT PATH: a repeat peer is one Map read. */
  has(address: string): boolean {
    let known = this.#known.get(address);
    if (known === undefined) {
      known = ipInSet(address, this.#set);
      this.#known.set(address, known);
    }
    return known;
  }
}

/** Parses the trusted-proxy list once; bad entries are RP6001 diagnostics. */
export function parseTrustedProxies(
  entries: readonly string[],
  diagnostics: Diagnostic[],
): IpSet | null {
  if (entries.length === 0) return null;
  const ranges: IpRange[] = [];
  for (const [i, entry] of entries.entries()) {
    const parsed = parseIpEntry(entry);
    if (parsed.ok) ranges.push(parsed.range);
    else diagnostics.push(invalidOption(`trustedProxies.${i}`, parsed.reason));
  }
  return normalizeIpSet(ranges);
}

/** The address decisions see for this request. */
export function clientAddress(
  peer: string,
  forwardedFor: string | undefined,
  trusted: TrustedProxies | IpSet | null,
): string {
  if (trusted === null || forwardedFor === undefined) return peer;
  const isTrusted =
    trusted instanceof TrustedProxies
      ? (a: string) => trusted.has(a)
      : (a: string) => ipInSet(a, trusted);
  if (!isTrusted(peer)) return peer;
  const hops = forwardedFor.split(",");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = canonicalPeer((hops[i] ?? "").trim());
    // S-R7: a malformed hop is the client, an address no rule admits; an empty one too (it
    // ended the walk here once, leaving the trusted proxy's own address as the client).
    if (hop.length === 0 || !isTrusted(hop)) return hop;
  }
  return peer;
}
