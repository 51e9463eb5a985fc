/**
 * The local copy of every live revocation: what the hot path reads instead of asking the store.
 * Plain Maps; entries leave once what they revoke has expired anyway (pruned at most once a
 * second, on writes and on reads through `prune`).
 */
import type { Revocation } from "./store.ts";

export class RevocationView {
  /** sid → the session's expiry (Unix seconds). */
  readonly #sessions = new Map<string, number>();
  /** Token id → the token's expiry. */
  readonly #tokens = new Map<string, number>();
  /** Credential → tokens issued before this time are revoked. */
  readonly #credentials = new Map<string, number>();

  /** True when any token or credential revocation is held: the token check is skipped otherwise. */
  get revokesTokens(): boolean {
    return this.#tokens.size > 0 || this.#credentials.size > 0;
  }

  /** True when any credential cut-off is held. */
  get revokesCredentials(): boolean {
    return this.#credentials.size > 0;
  }

  get size(): number {
    return this.#sessions.size + this.#tokens.size + this.#credentials.size;
  }

  /** HOT PATH: one Map read. */
  sessionRevoked(sid: string): boolean {
    return this.#sessions.has(sid);
  }

  /** HOT PATH: one Map read. */
  tokenRevoked(id: string): boolean {
    return this.#tokens.has(id);
  }

  /** Whether a token of `credential` issued at `issuedAt` (null: unknown) is cut off. */
  credentialRevoked(credential: string, issuedAt: number | null): boolean {
    const before = this.#credentials.get(credential);
    // A token that does not say when it was issued cannot prove it came after the cut-off.
    return before !== undefined && (issuedAt === null || issuedAt < before);
  }

  apply(revocation: Revocation): void {
    switch (revocation.kind) {
      case "session":
        this.#sessions.set(revocation.id, revocation.until);
        return;
      case "token":
        this.#tokens.set(revocation.id, revocation.until);
        return;
      case "credential": {
        const known = this.#credentials.get(revocation.id) ?? 0;
        this.#credentials.set(revocation.id, Math.max(known, revocation.before));
        return;
      }
    }
  }

  /** Drops entries whose session or token has expired by `nowSeconds`. */
  prune(nowSeconds: number = Date.now() / 1000): void {
    for (const map of [this.#sessions, this.#tokens]) {
      for (const [id, until] of map) if (until <= nowSeconds) map.delete(id);
    }
  }
}
