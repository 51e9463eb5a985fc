/**
 * Obvious witnesses for reachability: the edge facts (client address, country, session) of
 * a request that most tunnels let through, read straight off the tunnel's lists. Building the
 * tunnel's full address, country and session partitions costs far more than trying one such
 * request, and on a large policy almost every tunnel forwards it.
 *
 * Only the choice of request is a guess: any request the interpreter forwards is a real
 * witness, provided its address is one a client can have. `obviousRequest` is the whole
 * request, built without a request space: the same one the space's generous atoms give once
 * the edge facts are pinned to these. `obviousRequestForwarded` says whether the interpreter
 * forwards it without running the interpreter (a property test holds the two equal).
 */
import type { CountryRule, EffectiveTunnel } from "../bounds/effective.ts";
import type { RequestFacts, SessionFacts, TokenFacts } from "../ir/facts.ts";
import { addressInSet, parseAddress, parseDottedQuad, rangeToBlock } from "../ir/ip.ts";
import type { IpRange, IpSet, SessionAllowIr } from "../ir/types.ts";
import { sessionAllowed } from "../interpret/credentials.ts";
import type { Ipv4Block } from "./ipv4-blocks.ts";
import { ipv4Block, ipv4Contains } from "./ipv4-blocks.ts";
import { unrestrictedToken } from "./space/auth-atoms.ts";

// Used when the tunnel restricts nothing: a documentation address (RFC 5737) and country.
const ANY_CLIENT = "203.0.113.10";
const ANY_COUNTRY = "US";
const UNLISTED_EMAIL = "someone@unlisted.invalid";

// The first address of a range (its CIDR text before the `/`), or `null` when no client can
// have it; by range and exclusion set, since many tunnels share ranges. Bounded like the
// block cache of `ir/ip.ts`, since a long-lived process lints many policies.
const MAX_KNOWN_RANGES = 65_536;

/** What is kept per exclusion set: the answers by range, and the set's IPv4 blocks as numbers. */
interface NonClientAnswers {
  readonly known: Map<string, string | null>;
  readonly ipv4: readonly Ipv4Block[];
}

const firstClientAddresses = new WeakMap<IpSet, NonClientAnswers>();

function answersFor(nonClient: IpSet): NonClientAnswers {
  let answers = firstClientAddresses.get(nonClient);
  if (answers === undefined) {
    const ipv4: Ipv4Block[] = [];
    for (const range of nonClient.ranges) {
      const block = ipv4Block(rangeToBlock(range));
      if (block !== null) ipv4.push(block);
    }
    answers = { known: new Map(), ipv4 };
    firstClientAddresses.set(nonClient, answers);
  }
  return answers;
}

/**
 * Whether `text` is an address outside the exclusion set: `parseAddress` and `addressInSet`,
 * with IPv4 text (most ranges) read and checked on numbers, which allocates nothing.
 */
function isClientAddress(text: string, nonClient: IpSet, ipv4: readonly Ipv4Block[]): boolean {
  if (text.includes(":")) {
    const address = parseAddress(text);
    return address !== null && !addressInSet(address, nonClient);
  }
  const value = parseDottedQuad(text);
  if (value === -1) return false;
  for (let i = 0; i < ipv4.length; i++) {
    // SAFETY: i < ipv4.length, the loop's bound.
    const block = ipv4[i] as Ipv4Block;
    if (ipv4Contains(block.network, block.prefix, value, 32)) return false;
  }
  return true;
}

function firstClientAddress(cidr: string, nonClient: IpSet): string | null {
  const answers = answersFor(nonClient);
  const known = answers.known;
  let candidate = known.get(cidr);
  if (candidate === undefined) {
    const slash = cidr.indexOf("/");
    const text = slash < 0 ? cidr : cidr.slice(0, slash);
    candidate = isClientAddress(text, nonClient, answers.ipv4) ? text : null;
    if (known.size >= MAX_KNOWN_RANGES) known.clear();
    known.set(cidr, candidate);
  }
  return candidate;
}

const CANDIDATE_RANGES = 4;
const ANY_CLIENT_RANGES: readonly IpRange[] = [{ family: 4, cidr: ANY_CLIENT }];

/**
 * The first address of one of the tunnel's first allowed ranges that a real client can have.
 * Every list of the tunnel holds it without being asked: the allowed set is the exact
 * intersection of the lists (bounds makes it so, S-A3), and no list means any address.
 * Asking each list cost more than the rest of the obvious request (a set's blocks are
 * BigInts).
 */
function clientAddress(tunnel: EffectiveTunnel, nonClient: IpSet): string | null {
  const ranges = tunnel.allowedIps?.ranges ?? ANY_CLIENT_RANGES;
  for (let i = 0; i < ranges.length && i < CANDIDATE_RANGES; i++) {
    const candidate = firstClientAddress((ranges[i] as IpRange).cidr, nonClient);
    if (candidate !== null) return candidate;
  }
  return null;
}

/**
 * A country every country list of the tunnel names, or one when there is no list. Indexed
 * loops: asked once per tunnel, mostly before it is optimized, where `find` and `every` would
 * make their closures per tunnel.
 */
function clientCountry(tunnel: EffectiveTunnel): string | null {
  const allowed = tunnel.allowedCountries;
  if (allowed === null) return ANY_COUNTRY;
  const codes = allowed.codes;
  const rules = tunnel.countryRules;
  for (let i = 0; i < codes.length; i++) {
    // SAFETY: i < codes.length, the loop's bound.
    const code = codes[i] as string;
    let named = true;
    for (let r = 0; r < rules.length && named; r++) {
      // SAFETY: r < rules.length, the loop's bound.
      const set = (rules[r] as CountryRule).set;
      named = set === allowed || set.codes.includes(code);
    }
    if (named) return code;
  }
  return null;
}

// The user of a tunnel whose rstream Auth has no allow list (most of them): one object for all.
const UNLISTED_USER: SessionFacts = {
  userId: "witness-user",
  name: null,
  email: UNLISTED_EMAIL,
  image: null,
  groups: [],
};

/** A signed-in user that the tunnel's rstream Auth allow list admits, or no session. */
function clientSession(tunnel: EffectiveTunnel): SessionFacts | null {
  return tunnel.auth.rstreamAuth ? allowedUser(tunnel.auth.sessionAllow) : null;
}

/** The user the obvious request signs in as, for an rstream Auth allow list. */
function allowedUser(allow: SessionAllowIr | null): SessionFacts {
  if (allow === null) return UNLISTED_USER;
  const domain = allow.domains[0];
  const email = allow.emails[0] ?? (domain === undefined ? UNLISTED_EMAIL : `user@${domain}`);
  return { ...UNLISTED_USER, email, groups: allow.groups };
}

/** The unrestricted token of the last project asked for: a policy's tunnels share one. */
let lastToken: { readonly projectId: string; readonly token: TokenFacts } | null = null;

function unrestrictedTokenOf(projectId: string): TokenFacts {
  if (lastToken?.projectId !== projectId) {
    lastToken = { projectId, token: unrestrictedToken([projectId]) };
  }
  return lastToken.token;
}

/** Whether `obviousRequest(tunnel, …)` is a request (not `null`), without making it. */
export function hasObviousRequest(tunnel: EffectiveTunnel, nonClient: IpSet): boolean {
  return clientAddress(tunnel, nonClient) !== null && clientCountry(tunnel) !== null;
}

/**
 * The obvious witness for `tunnel` as a whole request to `host` (a host routed to the tunnel),
 * or `null` when the tunnel's lists leave no obvious choice. Besides the edge facts it is the
 * most generous request of each dimension: TLS 1.3, `GET /`, a valid challenge cookie, and a
 * valid token with an unrestricted grant when token auth is on; no certificate, no browser
 * navigation, upgrade, Origin or body. The interpreter forwards it exactly when
 * `obviousRequestForwarded` says so.
 */
export function obviousRequest(
  tunnel: EffectiveTunnel,
  host: string,
  nonClient: IpSet,
): RequestFacts | null {
  const clientIp = clientAddress(tunnel, nonClient);
  const country = clientCountry(tunnel);
  if (clientIp === null || country === null) return null;
  return {
    host,
    port: null,
    method: "GET",
    path: "/",
    clientIp,
    country,
    secure: true,
    tlsVersion: "1.3",
    acceptsHtml: false,
    upgrade: false,
    origin: null,
    referer: null,
    contentType: null,
    token: tunnel.auth.token ? unrestrictedTokenOf(tunnel.projectId) : null,
    challengeCookie: "valid",
    session: clientSession(tunnel),
    clientCredential: null,
  };
}

/**
 * Whether the interpreter forwards the obvious request (`obviousRequest(tunnel, host, …)`, when
 * it is not `null`, for a host the policy routes to `tunnel`), decided from the tunnel alone.
 * Lint asks this of every published tunnel; running the interpreter on each made it the
 * larger part of lint. The request passes the edge by construction: its address and country
 * are in every list of the tunnel, TLS 1.3 over HTTPS meets any minimum, `/` is no engine
 * endpoint and its challenge cookie is valid. What is left is authentication, in the
 * interpreter's order (S-H1, S-H4, S-H6). A property test holds this to the interpreter.
 */
export function obviousRequestForwarded(tunnel: EffectiveTunnel): boolean {
  const auth = tunnel.auth;
  // A valid token of a project member, with a grant that allows everything, is authorized.
  if (auth.token) return true;
  // No token auth and no client certificate: only a session can authenticate the request.
  if (auth.rstreamAuth) return sessionAllowed(auth.sessionAllow, allowedUser(auth.sessionAllow));
  // No edge authentication at all forwards; mTLS alone requires the missing certificate.
  return auth.mtls === null;
}
