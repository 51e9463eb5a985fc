/**
 * Builds RequestFacts from an incoming request: everything that needs I/O or secrets (GeoIP,
 * cookie MACs, token verification) happens here, so the decision stays pure (DESIGN §2).
 */
import { addressedPort } from "../../ir/origin.ts";
import type { IncomingMessage } from "node:http";
import type { RequestFacts, SessionFacts, TokenFacts } from "../../ir/facts.ts";
import { CHALLENGE_COOKIE, SESSION_COOKIE, readCookie, verifyCookie } from "../cookies.ts";
import type { CountryLookup } from "../geoip.ts";
import type { TlsConnectionInfo } from "../tls/listener.ts";
import type { TokenBackend } from "../tokens/backend.ts";
import type { TunnelRoute } from "../state.ts";
import type { RevocationView } from "../state-store/revocation-view.ts";

/** Where a bearer token was found (S-H1): the header wins; the query only when it is absent. */
export interface FoundToken {
  readonly token: string;
  readonly source: TokenFacts["source"];
}

const BEARER = /^bearer[ \t]+([^ \t]+)[ \t]*$/i;
const QUERY_TOKEN = "rstream.token";

/**
 * What facts are read from: the method and the headers. A forward-auth sub-request passes
 * the original method with its own headers (src/runtime/forward-auth/).
 */
export type RequestHead = Pick<IncomingMessage, "method" | "headers">;

/** The token of a request, or null. */
export function findToken(req: RequestHead, url: string): FoundToken | null {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = BEARER.exec(authorization);
    if (match !== null) return { token: match[1] as string, source: "header" };
  }
  const q = url.indexOf("?");
  if (q < 0 || !url.includes(QUERY_TOKEN, q)) return null;
  const value = new URLSearchParams(url.slice(q + 1)).get(QUERY_TOKEN);
  return value === null || value.length === 0 ? null : { token: value, source: "query" };
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

/** Gathers the synchronous facts. HOT PATH: no URL object, cookies parsed only when present. */
export function gatherFacts(
  req: RequestHead,
  url: string,
  host: string,
  clientIp: string,
  route: TunnelRoute,
  tls: TlsConnectionInfo | undefined,
  sources: FactSources,
): PendingFacts {
  const headers = req.headers;
  const q = url.indexOf("?");
  const cookie = headers.cookie;
  const accept = headers.accept;
  const base: RequestFacts = {
    host,
    port: addressedPort(headers.host, tls !== undefined),
    method: req.method as string,
    path: q < 0 ? url : url.slice(0, q),
    clientIp,
    country: route.needsCountry ? sources.geo.country(clientIp) : null,
    secure: tls !== undefined,
    acceptsHtml: accept !== undefined && accept.includes("text/html"),
    upgrade: headers.upgrade !== undefined,
    origin: headers.origin ?? null,
    referer: headers.referer ?? null,
    contentType: headers["content-type"] ?? null,
    challengeCookie: cookie === undefined ? null : challengeState(cookie, host, sources.cookieKey),
    session:
      cookie === undefined || sources.sessions === false
        ? null
        : sessionOf(cookie, host, sources.cookieKey, sources.revocations),
    clientCredential: tls?.clientCredential ?? null,
    tlsVersion: tls?.version ?? null,
    token: null,
  };
  return { base, token: route.tunnel.auth.token ? findToken(req, url) : null };
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

function challengeState(cookie: string, host: string, key: string): "valid" | "invalid" | null {
  const value = readCookie(cookie, CHALLENGE_COOKIE);
  if (value === null) return null;
  return verifyCookie(value, "challenge", host, key).status;
}

function sessionOf(
  cookie: string,
  host: string,
  key: string,
  revocations: RevocationView | undefined,
): SessionFacts | null {
  const value = readCookie(cookie, SESSION_COOKIE);
  if (value === null) return null;
  const checked = verifyCookie(value, "session", host, key);
  if (checked.status !== "valid") return null;
  // A logged-out session reads as no session at all, on every instance (S-M2).
  return revocations?.sessionRevoked(checked.payload.sid) === true ? null : checked.payload.user;
}
