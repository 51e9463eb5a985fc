/**
 * The community backend (S-H2): signed JWTs checked with `jose` against pinned keys, with
 * `exp`/`nbf`/`iss`/`aud` and a clock-skew allowance, claims validated by schema (S-T1) and
 * `permissions`/`resources` lowered to a grant. Results are cached, bounded, keyed by the
 * token itself: full-string equality cannot collide, and a Map lookup costs far less than the
 * SHA-256 digest it replaced (≈2–4 µs per request here); tokens longer than 4 KiB are not
 * cached, which bounds the memory to `cacheSize` × 4 KiB × 2.
 */
import { hash } from "node:crypto";
import { decodeProtectedHeader, jwtVerify } from "jose";
import type { JWTPayload, JWTVerifyOptions } from "jose";
import type { TokenFacts } from "../../ir/facts.ts";
import { LruCache } from "../../compile/lru.ts";
import type { TokenOptions } from "../options.ts";
import type { TokenBackend } from "./backend.ts";
import { failedToken } from "./backend.ts";
import { checkClaims } from "./claims-schema.ts";
import { keyServes } from "./keys.ts";
import type { PinnedKey } from "./keys.ts";
import { claimsToGrant, tokenOwner } from "./claims-to-grant.ts";

/** Facts without the per-request `source`, plus what re-checking a cached entry needs. */
interface CachedToken {
  readonly facts: Omit<TokenFacts, "source">;
  /** Unix seconds; the entry turns `expired` after `exp + skew`. */
  readonly exp: number | null;
  /** The facts per source, built once so a cache hit allocates nothing. */
  readonly header: TokenFacts;
  readonly query: TokenFacts;
}

const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_CACHED_TOKEN_LENGTH = 4 * 1024;

function cachedToken(facts: Omit<TokenFacts, "source">, exp: number | null): CachedToken {
  return {
    facts,
    exp,
    header: { ...facts, source: "header" },
    query: { ...facts, source: "query" },
  };
}

/** A JWT backend over pinned keys. */
export class JwtBackend implements TokenBackend {
  readonly name = "jwt";
  readonly #keys: readonly PinnedKey[];
  readonly #options: JWTVerifyOptions;
  readonly #skew: number;
  readonly #cache: LruCache<string, CachedToken> | null;
  readonly #now: () => number;

  constructor(keys: readonly PinnedKey[], options: TokenOptions, now: () => number = Date.now) {
    this.#keys = keys;
    this.#skew = options.clockSkewSeconds;
    this.#now = now;
    this.#options = {
      clockTolerance: options.clockSkewSeconds,
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
    };
    this.#cache = options.cacheSize > 0 ? new LruCache(options.cacheSize) : null;
  }

  /** The cached verdict, synchronously; undefined on a miss. HOT PATH: one Map read. */
  lookup(token: string, source: TokenFacts["source"]): TokenFacts | undefined {
    const cached = this.#cache?.get(token);
    return cached === undefined ? undefined : this.#fromCache(cached, source);
  }

  async verify(token: string, source: TokenFacts["source"]): Promise<TokenFacts> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH)
      return failedToken(source, "malformed", null);
    const hit = this.lookup(token, source);
    if (hit !== undefined) return hit;
    const digest = hash("sha256", token, "base64url");
    const result = await this.#verifyUncached(token, digest);
    if (result.cacheable && token.length <= MAX_CACHED_TOKEN_LENGTH) {
      this.#cache?.set(token, result.entry);
    }
    return this.#fromCache(result.entry, source);
  }

  #fromCache(entry: CachedToken, source: TokenFacts["source"]): TokenFacts {
    if (
      entry.exp !== null &&
      entry.facts.status === "valid" &&
      this.#now() / 1000 > entry.exp + this.#skew
    ) {
      return failedToken(source, "expired", entry.facts.id);
    }
    return source === "header" ? entry.header : entry.query;
  }

  async #verifyUncached(
    token: string,
    digest: string,
  ): Promise<{ entry: CachedToken; cacheable: boolean }> {
    const failed = (status: Exclude<TokenFacts["status"], "valid">, cacheable: boolean) => ({
      entry: cachedToken(failedFacts(status, digest), null),
      cacheable,
    });
    let header: { alg?: string | undefined; kid?: string | undefined };
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return failed("malformed", true);
    }
    const candidates = this.#keys.filter((k) => k.alg === header.alg);
    // `none`, or an algorithm no key is pinned to: refused without trying anything.
    if (candidates.length === 0) return failed("bad_signature", true);
    let lastStatus: Exclude<TokenFacts["status"], "valid"> = "bad_signature";
    let transient = false;
    for (const candidate of candidates) {
      let payload: JWTPayload;
      try {
        ({ payload } = await verifyWith(token, candidate, this.#options, this.#now));
      } catch (error) {
        const status = statusOf(error);
        transient ||= status === null;
        lastStatus = status ?? "bad_signature";
        if (lastStatus === "expired" || lastStatus === "not_yet_valid") break;
        continue;
      }
      // S-T1: a signature by a key of another credential does not count (an `app` token
      // verifies only with its own client's key); checked on the verified claims.
      if (!keyServes(candidate, payload["type"], payload["clientId"], header.kid)) continue;
      return this.#accept(payload, digest);
    }
    // Time-based failures change with time and key-fetch failures are transient: not cached.
    return failed(
      lastStatus,
      !transient && lastStatus !== "not_yet_valid" && lastStatus !== "expired",
    );
  }

  /**
   * THE place where a verified claim set becomes a valid token: claims checked (S-T1), grant
   * lowered (S-T3…S-T5), owner named (S-T8). Anything refused here is a cacheable
   * `malformed` with the reason.
   */
  #accept(payload: JWTPayload, digest: string): { entry: CachedToken; cacheable: boolean } {
    const checked = checkClaims(payload);
    const lowered = checked.ok ? claimsToGrant(checked.claims, digest) : null;
    if (!checked.ok || lowered === null || "error" in lowered) {
      const detail = !checked.ok
        ? checked.reason
        : lowered !== null && "error" in lowered
          ? lowered.error
          : "malformed claims";
      return {
        entry: cachedToken(failedFacts("malformed", digest, detail), null),
        cacheable: true,
      };
    }
    const c = checked.claims;
    const facts: Omit<TokenFacts, "source"> = {
      status: "valid",
      id: c.jti ?? digest,
      type: c.type,
      lifetimeSeconds: c.exp !== undefined && c.iat !== undefined ? c.exp - c.iat : null,
      grant: lowered.grant,
      subject: c.sub ?? c.userId ?? c.clientId ?? null,
      owner: tokenOwner(c),
      memberOf: null,
    };
    return { entry: cachedToken(facts, c.exp ?? null), cacheable: true };
  }
}

function failedFacts(
  status: Exclude<TokenFacts["status"], "valid">,
  id: string,
  detail: string | null = null,
): Omit<TokenFacts, "source"> {
  const { source: _source, ...facts } = failedToken("header", status, id, detail);
  return facts;
}

async function verifyWith(
  token: string,
  key: PinnedKey,
  options: JWTVerifyOptions,
  now: () => number,
) {
  const opts: JWTVerifyOptions = {
    ...options,
    algorithms: [key.alg],
    currentDate: new Date(now()),
  };
  // The two overloads of jwtVerify (key object vs key resolver) need separate calls.
  return typeof key.key === "function"
    ? jwtVerify(token, key.key, opts)
    : jwtVerify(token, key.key, opts);
}

/** Maps a jose error to a status; `null` for a failure that says nothing about the token. */
function statusOf(error: unknown): Exclude<TokenFacts["status"], "valid"> | null {
  const e = error as { code?: string; claim?: string };
  switch (e.code) {
    case "ERR_JWT_EXPIRED":
      return "expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return e.claim === "nbf" ? "not_yet_valid" : "malformed";
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return "bad_signature";
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
    case "ERR_JOSE_NOT_SUPPORTED":
      return "malformed";
    default:
      return null;
  }
}
