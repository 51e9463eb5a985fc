/**
 * The authentication backend seam (S-H2): the pipeline asks a backend to turn a bearer token
 * into TokenFacts and never looks inside a token itself, so a credential store can replace
 * JWT validation without touching the decision code.
 */
import type { TokenFacts } from "../../ir/facts.ts";

/**
 * Verifies bearer tokens. Implementations never throw: every failure is a TokenFacts status.
 * A backend that knows who belongs to which project (a credential store) answers membership
 * (S-T8) by setting `memberOf` on the facts of a valid token; the decisions then use it
 * instead of the policy's member list.
 */
export interface TokenBackend {
  /** A name for logs and metrics, e.g. `jwt` or `credential-store`. */
  readonly name: string;
  verify(token: string, source: TokenFacts["source"]): Promise<TokenFacts>;
  /** A verdict available without waiting (a cache hit), or undefined; lets hits skip a promise. */
  lookup?(token: string, source: TokenFacts["source"]): TokenFacts | undefined;
  /** Releases timers or connections, if any. */
  close?(): void;
}

/** TokenFacts for a token that failed before or during verification. */
export function failedToken(
  source: TokenFacts["source"],
  status: Exclude<TokenFacts["status"], "valid">,
  id: string | null,
  detail: string | null = null,
): TokenFacts {
  return {
    source,
    status,
    id,
    type: null,
    lifetimeSeconds: null,
    grant: null,
    subject: null,
    detail,
  };
}
