/**
 * Builds RequestFacts from an incoming request: everything that needs I/O or secrets (GeoIP,
 * cookie MACs, token verification) happens here, so the decision stays pure (DESIGN §2).
 */
import { addressedPort } from "../../ir/origin.ts";
import type {
  MutableRequestFacts,
  RequestFacts,
  SessionFacts,
  TokenFacts,
} from "../../ir/facts.ts";
import { CHALLENGE_COOKIE, SESSION_COOKIE, readCookies, verifyCookie } from "../cookies.ts";
import type { CountryLookup } from "../geoip.ts";
import type { TlsConnectionInfo } from "../tls/listener.ts";
import type { TokenBackend } from "../tokens/backend.ts";
import type { TunnelRoute } from "../state.ts";
import type { RevocationView } from "../state-store/revocation-view.ts";
import type { CanonicalRequest } from "./canonical-request.ts";
import type { ConnectionClient } from "./connection-client.ts";

/** Where a bearer token was found (S-H1): the header wins; the query only when it is absent. */
export interface FoundToken {
  readonly token: string;
  readonly source: TokenFacts["source"];
}

/** The token of a request, or null: `Authorization` first, the query only without it (S-R15). */
export function findToken(request: CanonicalRequest): FoundToken | null {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const token = bearerToken(authorization);
    if (token !== null) return { token, source: "header" };
    // An Authorization field that is not a bearer token is not the edge's: the query may be.
  }
  return request.queryToken === null ? null : { token: request.queryToken, source: "query" };
}

const SP = 32;
const HTAB = 9;
const isBlank = (c: number): boolean => c === SP || c === HTAB;

/**
 * The credentials of `Bearer <token>` (the scheme in any case, then spaces or tabs, one
 * token, optional trailing blanks), or null for any other value. HOT PATH: a scan by hand,
 * twice as fast as the equivalent case-insensitive regular expression over a long token.
 */
export function bearerToken(value: string): string | null {
  const scheme = "bearer";
  if (value.length <= scheme.length) return null;
  // ASCII letters only: setting bit 0x20 lower-cases them and leaves no other byte equal.
  for (let i = 0; i < scheme.length; i++)
    if ((value.charCodeAt(i) | 0x20) !== scheme.charCodeAt(i)) return null;
  let start = scheme.length;
  if (!isBlank(value.charCodeAt(start))) return null;
  while (start < value.length && isBlank(value.charCodeAt(start))) start++;
  let end = value.length;
  while (end > start && isBlank(value.charCodeAt(end - 1))) end--;
  if (end === start) return null;
  const token = value.slice(start, end);
  return token.includes(" ") || token.includes("\t") ? null : token;
}

/** Facts that need no waiting (`token` still null), plus the token still to verify. */
export interface PendingFacts {
  readonly base: RequestFacts;
  readonly token: FoundToken | null;
}

/** Inputs shared by every request. */
export interface FactSources {
  readonly geo: CountryLookup;
  readonly cookieKey: string;
  /** False on a runtime without an rstream Auth backend: session cookies are ignored (S-H4). */
  readonly sessions?: boolean;
  /** Logged-out sessions (S-M2), kept current by the shared store; absent: none revoked. */
  readonly revocations?: RevocationView;
}

/**
 * Gathers the synchronous facts of a canonical request (S-R4: its path is the one decided and
 * forwarded). The client is its address, or the connection's remembered client (whose country
 * is looked up once). HOT PATH: cookies parsed only when present.
 */
export function gatherFacts(
  request: CanonicalRequest,
  host: string,
  client: string | ConnectionClient,
  route: TunnelRoute,
  tls: TlsConnectionInfo | undefined,
  sources: FactSources,
): PendingFacts {
  return {
    base: baseFacts(request, host, client, route, tls, sources),
    token: route.tunnel.auth.token ? findToken(request) : null,
  };
}

/** The synchronous facts of `gatherFacts` alone (`token` null). */
export function baseFacts(
  request: CanonicalRequest,
  host: string,
  client: string | ConnectionClient,
  route: TunnelRoute,
  tls: TlsConnectionInfo | undefined,
  sources: FactSources,
): RequestFacts {
  const headers = request.headers;
  const cookie = headers.cookie;
  const accept = headers.accept;
  const clientIp = typeof client === "string" ? client : client.ip;
  const base: RequestFacts = {
    host,
    // HOT PATH: a Host without `:` names no port (addressedPort's own first test, without
    // its `lastIndexOf`).
    port: request.host.includes(":") ? addressedPort(request.host, tls !== undefined) : null,
    method: request.method,
    path: request.path,
    clientIp,
    country: !route.needsCountry
      ? null
      : typeof client === "string"
        ? sources.geo.country(client)
        : client.country(sources.geo),
    secure: tls !== undefined,
    acceptsHtml: accept !== undefined && accept.includes("text/html"),
    upgrade: request.headers.websocket,
    origin: headers.origin ?? null,
    referer: headers.referer ?? null,
    contentType: headers.contentType ?? null,
    methodOverride: request.headers.methodOverride,
    challengeCookie: cookie === undefined ? null : challengeState(cookie, host, sources.cookieKey),
    session:
      cookie === undefined || sources.sessions === false
        ? null
        : sessionOf(cookie, host, sources.cookieKey, sources.revocations),
    clientCredential: tls?.clientCredential ?? null,
    tlsVersion: tls?.version ?? null,
    token: null,
  };
  return base;
}

/**
 * Calls `next` with complete facts: at once without a token or on a cached verdict, after
 * verification otherwise (the running pipeline and a shadow candidate both use it).
 */
export function completeFacts(
  pending: PendingFacts,
  tokens: TokenBackend | null,
  next: (facts: RequestFacts) => void,
  fail: (error: unknown) => void,
): void {
  const now = factsNow(pending.base, pending.token, tokens);
  if (now !== null) {
    next(now);
    return;
  }
  verifyTokenInto(pending.base, pending.token, tokens).then(next, fail);
}

/**
 * The complete facts when they need no waiting (no token, or a kept verdict), else null.
 * HOT PATH: the pipeline calls it directly, with no callback to build.
 */
export function factsNow(
  base: RequestFacts,
  found: FoundToken | null,
  tokens: TokenBackend | null,
): RequestFacts | null {
  if (found === null) return base;
  const hit = tokens?.lookup?.(found.token, found.source);
  return hit === undefined ? null : withToken(base, hit);
}

/** The facts with their token verified by the backend (`found` not null: see factsNow). */
export async function verifyTokenInto(
  base: RequestFacts,
  found: FoundToken | null,
  tokens: TokenBackend | null,
): Promise<RequestFacts> {
  return found === null ? base : withToken(base, await verifyToken(found, tokens));
}

/**
 * The facts with their token, set on the base itself: it was gathered for this one request
 * and nothing reads it before its token is known. HOT PATH: no copy of every field.
 */
function withToken(base: RequestFacts, token: TokenFacts): RequestFacts {
  // SAFETY: `base` comes from gatherFacts for this request alone (see above); only its
  // `token`, null until now, is set.
  (base as MutableRequestFacts).token = token;
  return base;
}

/** Completes the facts, verifying the token with the backend (absent backend: invalid). */
export async function verifyToken(
  found: FoundToken,
  backend: TokenBackend | null,
): Promise<TokenFacts> {
  if (backend === null) {
    return {
      source: found.source,
      status: "bad_signature",
      id: null,
      type: null,
      lifetimeSeconds: null,
      grant: null,
      subject: null,
    };
  }
  return backend.verify(found.token, found.source);
}

/** S-R10: every candidate of the name (up to 8) is tried; any valid one counts. */
function challengeState(cookie: string, host: string, key: string): "valid" | "invalid" | null {
  const values = readCookies(cookie, CHALLENGE_COOKIE);
  if (values.length === 0) return null;
  for (const value of values)
    if (verifyCookie(value, "challenge", host, key).status === "valid") return "valid";
  return "invalid";
}

/**
 * S-R10: the first valid session among the candidates (a tossed cookie locks no one out); a
 * logged-out session reads as no session at all, on every instance (S-M2).
 */
function sessionOf(
  cookie: string,
  host: string,
  key: string,
  revocations: RevocationView | undefined,
): SessionFacts | null {
  for (const value of readCookies(cookie, SESSION_COOKIE)) {
    const checked = verifyCookie(value, "session", host, key);
    if (checked.status !== "valid") continue;
    if (revocations?.sessionRevoked(checked.payload.sid) === true) continue;
    return checked.payload.user;
  }
  return null;
}
