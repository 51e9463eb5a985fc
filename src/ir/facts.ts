/**
 * What a decision function sees. Everything that needs I/O or secrets (GeoIP lookup, JWT
 * signature and time checks, cookie MACs, certificate verification) is done by the runtime
 * and handed in here as plain data, so decisions are pure, testable and explainable.
 */
import type { GrantIr, TlsVersion, TokenType } from "./types.ts";

/** The outcome of the runtime's signature and time checks on a bearer token. */
export type TokenStatus = "valid" | "malformed" | "bad_signature" | "expired" | "not_yet_valid";

/** Who a token speaks for (S-T8): a user for `pat` and `auth`, an application client for `app`. */
export interface TokenOwner {
  readonly kind: "user" | "client";
  readonly id: string;
}

export interface TokenFacts {
  /** Where it came from: the `Authorization` header, or the `rstream.token` query parameter. */
  readonly source: "header" | "query";
  readonly status: TokenStatus;
  /** `jti`, or a digest of the token: the key for caches of compiled grants. */
  readonly id: string | null;
  readonly type: TokenType | null;
  /** `exp - iat` in seconds when both are present. */
  readonly lifetimeSeconds: number | null;
  /** The effective grant (already reduced against its parents); `null` unless `valid`. */
  readonly grant: GrantIr | null;
  readonly subject: string | null;
  /** The token's owner; absent or `null` when the token names none. */
  readonly owner?: TokenOwner | null;
  /**
   * The projects the owner belongs to, when the credential backend knows (S-T8); absent or
   * `null` when it does not say, and the policy's member list (or, failing that, the token's
   * explicit boundary) decides.
   */
  readonly memberOf?: readonly string[] | null;
  /**
   * Permissions the token carries for the platform's other surfaces (`account.*`, `webtty.*`,
   * …; PLATFORM-FORMATS §2.3): they grant nothing at the edge, and a watch query token must
   * carry none (S-T7). Absent or `null`: none.
   */
  readonly otherPermissions?: readonly string[] | null;
  /** Why a token that is not `valid` was refused, when the backend can say (logs, headers). */
  readonly detail?: string | null;
}

export interface SessionFacts {
  readonly userId: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly image: string | null;
  readonly groups: readonly string[];
}

/** One HTTP request at the edge, after routing facts are extracted. */
export interface RequestFacts {
  /** Lower-case host without port (the `Host` header, equal to SNI on TLS). */
  readonly host: string;
  /**
   * The port the client addressed, when the `Host` header names one other than the scheme's
   * default (80, 443); absent or `null` means the default. Same-origin checks need it.
   */
  readonly port?: number | null;
  /** Upper-case method. */
  readonly method: string;
  /** The raw request path as received, without the query string. */
  readonly path: string;
  readonly clientIp: string;
  /** ISO code from GeoIP, upper case; `null` when the address is not in the database. */
  readonly country: string | null;
  /** True when the request came over TLS. */
  readonly secure: boolean;
  /** The client accepts `text/html` (a browser navigation). */
  readonly acceptsHtml: boolean;
  /** An HTTP upgrade handshake (WebSocket). */
  readonly upgrade: boolean;
  readonly origin: string | null;
  readonly referer: string | null;
  readonly contentType: string | null;
  /**
   * A method-override header (`X-HTTP-Method-Override`, `X-HTTP-Method`, `X-Method-Override`)
   * was sent (S-R12: a logout carrying one is 405); absent means none.
   */
  readonly methodOverride?: boolean;
  readonly token: TokenFacts | null;
  /** The result of checking the challenge cookie for this host; `null` when there is none. */
  readonly challengeCookie: "valid" | "invalid" | null;
  /** A valid rstream Auth session for this host; `null` when absent or invalid. */
  readonly session: SessionFacts | null;
  /** The mTLS credential that the handshake matched, if any. */
  readonly clientCredential: string | null;
  readonly tlsVersion: TlsVersion | null;
}

/**
 * Request facts being built: by the analyses that assemble witnesses field by field, and by
 * the runtime setting the late facts (the token's verdict) on facts gathered for one request.
 */
export type MutableRequestFacts = { -readonly [K in keyof RequestFacts]: RequestFacts[K] };

/** One TLS handshake, as the runtime saw it. */
export interface HandshakeFacts {
  readonly sni: string;
  readonly version: TlsVersion;
  /** The negotiated key-exchange group (OpenSSL name), when known. */
  readonly group: string | null;
  readonly ech: boolean;
  /** Certificate presented and verified against the tunnel's CA. */
  readonly clientCertVerified: boolean;
  /** The credential that the certificate maps to, if any. */
  readonly clientCredential: string | null;
}

/**
 * One connection to a stream tunnel (`tls`, `tls-passthrough`, `tcp`; S-P1), as the runtime saw
 * it: at accept for `tcp`, at the ClientHello for passthrough, after the handshake for `tls`.
 */
export interface ConnectionFacts {
  readonly clientIp: string;
  /** ISO code from GeoIP, upper case; `null` when the address is not in the database. */
  readonly country: string | null;
  /** The credential a verified client certificate maps to (terminated TLS only), if any. */
  readonly clientCredential: string | null;
}
