/**
 * Verdicts of the JWT backend, kept so that a repeated token costs a Map read instead of a
 * signature check, the claim schema and the grant lowering (S-H2). Each token arrives as a new
 * string, so a Map keyed by the whole token hashes all of it on every request (~0.5 µs for a
 * 330-character token here): the key is a 30-bit number mixed from its last 22 characters,
 * the tail of the signature (132 bits of it in base64url), read without a scan or a new
 * string (a sliced string key cost V8 a hash of its own and a string comparison on every
 * read). A hit also needs the whole token to be equal, so two tokens sharing a key (a forger's
 * copy of a signature, or two valid tokens whose tails mix to the same number) never share a
 * verdict, and at worst one replaces the other in its own cache (a re-verification).
 *
 * What keeps a kept verdict true:
 * - a valid verdict turns `expired` once `exp` + skew has passed (checked on every hit);
 * - every verdict carries the key epoch it was reached under and is dropped once the keys may
 *   have changed (a JWKS refetch, a key reload), so a removed key verifies nothing more;
 * - revocation (S-M1) is checked on every hit by the wrapper in `revocation.ts`, never here;
 * - time-dependent and transient failures (`expired`, `not_yet_valid`, a JWKS fetch error) are
 *   never kept: they are the caller's to decide (`jwt-backend.ts`).
 *
 * Memory and floods: valid and failed verdicts live in two separate bounded caches. Failures
 * cost an attacker nothing to make (any string is a token), so a flood of distinct garbage
 * only churns the small failure cache and never evicts an honest user's valid verdict; a valid
 * verdict needs a token signed by a configured key. Failures are kept at all because a
 * client retrying one bad token would otherwise pay a signature check each time (an EdDSA or
 * ES256 check costs far more than the Map read). Tokens over 4 KiB are never kept, so the
 * memory is bounded by (valid + failed capacity) × 2 × (4 KiB + the verdict).
 */
import type { TokenFacts } from "../../ir/facts.ts";
import { LruCache } from "../../compile/lru.ts";

/** A verdict without the per-request `source`, plus what re-checking it on a hit needs. */
export interface Verdict {
  readonly facts: Omit<TokenFacts, "source">;
  /** Unix seconds; a valid verdict turns `expired` after `exp + skew`. */
  readonly exp: number | null;
  /** The key epoch the verdict was reached under. */
  readonly epoch: number;
  /** The facts per source, built once so a hit allocates nothing. */
  readonly header: TokenFacts;
  readonly query: TokenFacts;
}

/** Builds a verdict to keep (or to answer once). */
export function verdict(facts: Omit<TokenFacts, "source">, exp: number | null, epoch: number) {
  return {
    facts,
    exp,
    epoch,
    header: { ...facts, source: "header" },
    query: { ...facts, source: "query" },
  } satisfies Verdict;
}

/** The longest token kept. */
export const MAX_CACHED_TOKEN_LENGTH = 4 * 1024;
/** The failure cache never holds more than this (per generation), whatever the valid size. */
export const MAX_FAILED_VERDICTS = 1024;

/** A kept verdict and the token it belongs to. */
interface Kept {
  readonly token: string;
  readonly verdict: Verdict;
}

/**
 * The cache key of a token: its last KEY_LENGTH characters (the whole token when shorter)
 * mixed into a small integer, which V8 keeps unboxed and hashes for free. HOT PATH: no slice,
 * no scan for the last dot (V8 runs `lastIndexOf` as a call into its runtime).
 */
function keyOf(token: string): number {
  let h = 0;
  for (let i = Math.max(0, token.length - KEY_LENGTH); i < token.length; i++)
    h = (Math.imul(h, 31) + token.charCodeAt(i)) | 0;
  // 30 bits: a small integer on every V8 build, never a boxed number.
  return h & 0x3fffffff;
}

/** The key's length: the tail of an HMAC or ECDSA signature (43 or 86 characters) alone. */
const KEY_LENGTH = 22;

/** Bounded caches of valid and failed verdicts. */
export class VerdictCache {
  readonly #valid: LruCache<number, Kept>;
  readonly #failed: LruCache<number, Kept>;

  /** `size`: valid verdicts kept per generation (the LRU holds two). */
  constructor(size: number) {
    this.#valid = new LruCache(size);
    this.#failed = new LruCache(Math.min(size, MAX_FAILED_VERDICTS));
  }

  /** Verdicts held, valid and failed (each at most twice its capacity). */
  get size(): { readonly valid: number; readonly failed: number } {
    return { valid: this.#valid.size, failed: this.#failed.size };
  }

  /** The kept verdict of `token` under key epoch `epoch`, if any. HOT PATH: one Map read. */
  get(token: string, epoch: number): Verdict | undefined {
    const key = keyOf(token);
    // A verdict of an older key set says nothing now; it is replaced once re-verified.
    const valid = this.#valid.get(key);
    if (valid !== undefined && valid.token === token && valid.verdict.epoch === epoch)
      return valid.verdict;
    const failed = this.#failed.get(key);
    return failed !== undefined && failed.token === token && failed.verdict.epoch === epoch
      ? failed.verdict
      : undefined;
  }

  /** Keeps a verdict, valid or failed, each in its own cache; long tokens are not kept. */
  set(token: string, v: Verdict): void {
    if (token.length > MAX_CACHED_TOKEN_LENGTH) return;
    (v.facts.status === "valid" ? this.#valid : this.#failed).set(keyOf(token), {
      token,
      verdict: v,
    });
  }
}
