/**
 * Turns an IdP's claims into the session's user (`SessionFacts`): what the session endpoint
 * shows (S-W1) and what the tunnel's allow list is matched against (S-H4).
 */
import type { SessionFacts } from "../../ir/facts.ts";
import type { UserClaims } from "./identity-provider.ts";

/** Bounds that keep the signed session cookie under the 4 KiB browsers store. */
const MAX_GROUPS = 64;
const MAX_TEXT = 256;

/** How claims are read. */
export interface ProfileRules {
  readonly groupsClaim: string;
  readonly requireVerifiedEmail: boolean;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_TEXT ? value : null;
}

/** The session user for a set of claims. */
export function profileFromClaims(claims: UserClaims, rules: ProfileRules): SessionFacts {
  // An unverified address must not match an allow list: anyone could claim it at some IdPs.
  const emailTrusted = !rules.requireVerifiedEmail || claims["email_verified"] === true;
  const groups = claims[rules.groupsClaim];
  return {
    userId: claims.sub,
    name: text(claims["name"]) ?? text(claims["preferred_username"]),
    email: emailTrusted ? text(claims["email"]) : null,
    image: text(claims["picture"]),
    groups: Array.isArray(groups)
      ? groups
          .filter((g): g is string => typeof g === "string" && g.length > 0 && g.length <= MAX_TEXT)
          .slice(0, MAX_GROUPS)
      : [],
  };
}
