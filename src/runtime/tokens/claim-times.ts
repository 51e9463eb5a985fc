/**
 * The time claims of a token (S-T1): `exp`, `nbf` and `iat`, each with the clock-skew
 * allowance, read as `jose` reads the first two. `jose` checks `iat` only against a maximum
 * age, so a token issued in the future — which would outlive its stated lifetime and escape a
 * credential cut-off taken now — is refused here. One definition for the proxy and for the
 * CLI's reading of a claim set.
 */
import type { TokenStatus } from "../../ir/facts.ts";

/** The time claims, as numbers when present. */
export interface TimeClaims {
  readonly exp?: unknown;
  readonly nbf?: unknown;
  readonly iat?: unknown;
}

/** Whole seconds, as `jose` counts the current time. */
function wholeSeconds(nowSeconds: number): number {
  return Math.floor(nowSeconds);
}

/** Whether a token with this `exp` has expired at `nowSeconds` (on or after `exp` + skew). */
export function expiredAt(exp: number, nowSeconds: number, skewSeconds: number): boolean {
  return exp <= wholeSeconds(nowSeconds) - skewSeconds;
}

/** `expired`, `not_yet_valid` (`nbf` or `iat` later than now + skew), or `valid`. */
export function timeStatus(
  claims: TimeClaims,
  nowSeconds: number,
  skewSeconds: number,
): Extract<TokenStatus, "valid" | "expired" | "not_yet_valid"> {
  const { exp, nbf, iat } = claims;
  const latest = wholeSeconds(nowSeconds) + skewSeconds;
  // In jose's order: `nbf` before `exp`.
  if (typeof nbf === "number" && nbf > latest) return "not_yet_valid";
  if (typeof exp === "number" && expiredAt(exp, nowSeconds, skewSeconds)) return "expired";
  if (typeof iat === "number" && iat > latest) return "not_yet_valid";
  return "valid";
}
