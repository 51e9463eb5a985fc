/**
 * The community backend (S-H2): signed JWTs checked with `jose` against pinned keys, with
 * `exp`/`nbf`/`iss`/`aud` and a clock-skew allowance, claims validated by schema (S-T1) and
 * `permissions`/`resources` lowered to a grant. Verdicts are kept in a bounded cache
 * (`verdict-cache.ts` says what keeps a kept verdict true) and re-checked on every hit.
 */
import { hash } from "node:crypto";
import { decodeProtectedHeader, jwtVerify } from "jose";
import type { JWTPayload, JWTVerifyOptions } from "jose";
import type { TokenFacts } from "../../ir/facts.ts";
import type { TokenOptions } from "../options.ts";
import type { TokenBackend } from "./backend.ts";
import { failedToken } from "./backend.ts";
import { checkClaims } from "./claims-schema.ts";
import { expiredAt, timeStatus } from "./claim-times.ts";
import { STATIC_KEYS, keyServes } from "./keys.ts";
import type { KeyEpoch, PinnedKey } from "./keys.ts";
import { claimsToGrant, tokenOwner } from "./claims-to-grant.ts";
import { VerdictCache, verdict } from "./verdict-cache.ts";
import type { Verdict } from "./verdict-cache.ts";

const MAX_TOKEN_LENGTH = 16 * 1024;
const NO_MATCHING_KEY = "ERR_JWKS_NO_MATCHING_KEY";

/** A verdict reached now, and whether it may be kept (it depends on nothing but the keys). */
interface Reached {
  readonly verdict: Verdict;
  readonly cacheable: boolean;
}

/** A JWT backend over pinned keys. */
export class JwtBackend implements TokenBackend {
  readonly name = "jwt";
  readonly #keys: readonly PinnedKey[];
  readonly #epoch: KeyEpoch;
  readonly #options: JWTVerifyOptions;
  readonly #skew: number;
  readonly #cache: VerdictCache | null;
  readonly #now: () => number;

  constructor(keys: readonly PinnedKey[], options: TokenOptions, now: () => number = Date.now) {
    this.#keys = keys;
    // At most one JWKS is configured: its epoch is the only one that moves.
    this.#epoch = keys.find((k) => k.epoch !== undefined)?.epoch ?? STATIC_KEYS;
    this.#skew = options.clockSkewSeconds;
    this.#now = now;
    this.#options = {
      clockTolerance: options.clockSkewSeconds,
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
    };
    this.#cache = options.cacheSize > 0 ? new VerdictCache(options.cacheSize) : null;
  }

  /** Verdicts held, for tests and metrics: valid and failed, each bounded. */
  get cached(): { readonly valid: number; readonly failed: number } {
    return this.#cache?.size ?? { valid: 0, failed: 0 };
  }

  /** The kept verdict, synchronously; undefined on a miss. HOT PATH: one Map read. */
  lookup(token: string, source: TokenFacts["source"]): TokenFacts | undefined {
    const kept = this.#cache?.get(token, this.#epoch.value);
    return kept === undefined ? undefined : this.#answer(kept, source);
  }

  async verify(token: string, source: TokenFacts["source"]): Promise<TokenFacts> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH)
      return failedToken(source, "malformed", null);
    const hit = this.lookup(token, source);
    if (hit !== undefined) return hit;
    const epoch = this.#epoch.value;
    const steady = !this.#epoch.changing;
    const digest = hash("sha256", token, "base64url");
    const reached = await this.#verifyUncached(token, digest, epoch);
    // Kept only when the key set stood still from start to end: a verdict reached while keys
    // were being replaced may have used the old ones (S-R14: a removed key verifies nothing).
    if (reached.cacheable && steady && !this.#epoch.changing && this.#epoch.value === epoch)
      this.#cache?.set(token, reached.verdict);
    return this.#answer(reached.verdict, source);
  }

  #answer(kept: Verdict, source: TokenFacts["source"]): TokenFacts {
    if (
      kept.exp !== null &&
      kept.facts.status === "valid" &&
      expiredAt(kept.exp, this.#now() / 1000, this.#skew)
    ) {
      return failedToken(source, "expired", kept.facts.id);
    }
    return source === "header" ? kept.header : kept.query;
  }

  async #verifyUncached(token: string, digest: string, epoch: number): Promise<Reached> {
    const failed = (status: Exclude<TokenFacts["status"], "valid">, cacheable: boolean) => ({
      verdict: verdict(failedFacts(status, digest), null, epoch),
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
        // A `kid` the JWKS lacks may be a key added since the last fetch: kept as a failure, it
        // would refuse the token from the cache and never let jose fetch the set again.
        transient ||= status === null || (error as { code?: string }).code === NO_MATCHING_KEY;
        lastStatus = status ?? "bad_signature";
        if (lastStatus === "expired" || lastStatus === "not_yet_valid") break;
        continue;
      }
      // S-T1: a signature by a key of another credential does not count (an `app` token
      // verifies only with its own client's key); checked on the verified claims.
      if (!keyServes(candidate, payload["type"], payload["clientId"], header.kid)) continue;
      // S-T1: jose checked `exp` and `nbf`; an `iat` beyond the skew is refused here.
      const times = timeStatus(payload, this.#now() / 1000, this.#skew);
      if (times !== "valid") {
        lastStatus = times;
        break;
      }
      return accept(payload, digest, epoch);
    }
    // Time-based failures change with time, key fetches and unknown `kid`s with the key set:
    // not kept.
    return failed(
      lastStatus,
      !transient && lastStatus !== "not_yet_valid" && lastStatus !== "expired",
    );
  }
}

/**
 * THE place where a verified claim set becomes a valid token: claims checked (S-T1), grant
 * lowered (S-T3…S-T5), owner named (S-T8). Anything refused here is a cacheable `malformed`
 * with the reason (it depends on the claims only).
 */
function accept(payload: JWTPayload, digest: string, epoch: number): Reached {
  const checked = checkClaims(payload);
  const lowered = checked.ok ? claimsToGrant(checked.claims, digest) : null;
  if (!checked.ok || lowered === null || "error" in lowered) {
    const detail = !checked.ok
      ? checked.reason
      : lowered !== null && "error" in lowered
        ? lowered.error
        : "malformed claims";
    return {
      verdict: verdict(failedFacts("malformed", digest, detail), null, epoch),
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
    otherPermissions: lowered.otherPermissions,
  };
  return { verdict: verdict(facts, c.exp ?? null, epoch), cacheable: true };
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
    case NO_MATCHING_KEY:
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
