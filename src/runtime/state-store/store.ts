/**
 * The state instances share (S-M1): single-use claims (challenge proofs) and revocations
 * (logged-out sessions, revoked tokens, credentials cut off before a time). One interface, two
 * stores: memory (the default, one instance) and Redis (`--state redis://…`, a fleet).
 *
 * The per-request hot path never waits for the store: it reads `view`, a local copy of every
 * live revocation that the store keeps current (Redis: pub/sub, plus a full re-read on every
 * reconnect and every few seconds). Only claims (a challenge verification) and revocations
 * (logout, `rampart token revoke`) make a round trip.
 */
import type { StateStoreMetrics } from "./metrics.ts";
import type { RevocationView } from "./revocation-view.ts";

/** What a claim came to. `unavailable`: the store could not be asked; the caller fails closed. */
export type ClaimResult = "claimed" | "replayed" | "unavailable";

/** One revocation, as stored and as published to the other instances. */
export type Revocation =
  /** A session (its `sid`), until the session cookie's own expiry. */
  | { readonly kind: "session"; readonly id: string; readonly until: number }
  /** A token by `jti` (or the digest Rampart uses for a token without one), until its `exp`. */
  | { readonly kind: "token"; readonly id: string; readonly until: number }
  /** Every token of a credential issued before `before` (Unix seconds); kept until replaced. */
  | { readonly kind: "credential"; readonly id: string; readonly before: number };

/** A shared-state store. */
export interface SharedStateStore {
  readonly kind: "memory" | "redis";
  /** The local copy of the revocations: read synchronously on the hot path. */
  readonly view: RevocationView;
  readonly metrics: StateStoreMetrics;
  /**
   * Whether the view is known to be current: connected, subscribed and re-read since the last
   * disconnect. False: decisions that rely on it for a session fail closed (S-M1).
   */
  available(): boolean;
  /** Records `key` until `expiresAtSeconds` unless it was recorded before (atomic fleet-wide). */
  claimOnce(key: string, expiresAtSeconds: number): Promise<ClaimResult>;
  /** Records a revocation and tells every instance; false when the store is unreachable. */
  revoke(revocation: Revocation): Promise<boolean>;
  close(): Promise<void>;
}
