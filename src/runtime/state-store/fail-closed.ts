/**
 * Fail closed on the shared store (S-M1): a decision that admits a request on an rstream Auth
 * session relies on the view of logged-out sessions; while the store is unusable that view may
 * be missing a logout, so such requests are refused with 503 `state_unavailable`. Token, IP and
 * every other decision keeps flowing.
 */
import type { Decision } from "../../ir/decision.ts";
import type { SharedStateStore } from "./store.ts";

/** The reason clients and logs see. */
export const STATE_UNAVAILABLE = "state_unavailable";
/** Sent with the 503: the store usually returns within seconds. */
export const RETRY_AFTER_SECONDS = "2";

/** Whether `decision` rests on the store while it is unusable (counted when it does). */
export function refusedForStore(decision: Decision, store: SharedStateStore | null): boolean {
  if (store === null || decision.identity?.method !== "rstream-auth" || store.available())
    return false;
  store.metrics.refusals.labels("session").inc();
  return true;
}
