/**
 * Token revocation (S-M1): a verdict the backend accepted — signature and claims checked,
 * fresh or from its cache — is checked once more against the shared store's local view: a
 * revoked `jti`, or a credential cut off before the token was issued, turns it `expired` (its
 * lifetime was ended early). HOT PATH: with no revocation held this is one property read; with
 * some, one or two Map reads (the token's credential and `iat` are read from its payload once
 * per accepted verdict and remembered with it).
 */
import { decodeJwt } from "jose";
import type { TokenFacts } from "../../ir/facts.ts";
import type { RevocationView } from "../state-store/revocation-view.ts";
import type { TokenBackend } from "./backend.ts";
import { failedToken } from "./backend.ts";

/** What a credential cut-off compares: the token's credential and when it was issued. */
interface Origin {
  readonly credential: string | null;
  readonly issuedAt: number | null;
}

/** Wraps a backend so that every valid verdict passes the revocation check. */
export class RevocationCheckedBackend implements TokenBackend {
  readonly name: string;
  readonly #inner: TokenBackend;
  readonly #view: RevocationView;
  /** Keyed by the verdict object a backend hands out again on every cache hit. */
  readonly #origins = new WeakMap<TokenFacts, Origin>();

  constructor(inner: TokenBackend, view: RevocationView) {
    this.#inner = inner;
    this.#view = view;
    this.name = inner.name;
  }

  lookup(token: string, source: TokenFacts["source"]): TokenFacts | undefined {
    const facts = this.#inner.lookup?.(token, source);
    return facts === undefined ? undefined : this.#check(token, facts);
  }

  async verify(token: string, source: TokenFacts["source"]): Promise<TokenFacts> {
    return this.#check(token, await this.#inner.verify(token, source));
  }

  close(): void {
    this.#inner.close?.();
  }

  #check(token: string, facts: TokenFacts): TokenFacts {
    if (facts.status !== "valid" || !this.#view.revokesTokens) return facts;
    if (facts.id !== null && this.#view.tokenRevoked(facts.id)) return revoked(facts);
    if (!this.#view.revokesCredentials) return facts;
    const origin = this.#origin(token, facts);
    if (
      origin.credential !== null &&
      this.#view.credentialRevoked(origin.credential, origin.issuedAt)
    )
      return revoked(facts);
    return facts;
  }

  #origin(token: string, facts: TokenFacts): Origin {
    let origin = this.#origins.get(facts);
    if (origin === undefined) {
      origin = originOf(token, facts);
      this.#origins.set(facts, origin);
    }
    return origin;
  }
}

/**
 * The credential a token comes from — its `sourceCredentialId` claim, else its subject — and
 * its `iat`. The backend has already accepted the signature, so reading the payload is safe;
 * a backend whose tokens are not JWTs gives the subject and no issue time.
 */
export function originOf(token: string, facts: TokenFacts): Origin {
  try {
    const claims = decodeJwt(token);
    const source = claims["sourceCredentialId"];
    return {
      credential: typeof source === "string" ? source : (facts.subject ?? null),
      issuedAt: typeof claims.iat === "number" ? claims.iat : null,
    };
  } catch {
    return { credential: facts.subject, issuedAt: null };
  }
}

function revoked(facts: TokenFacts): TokenFacts {
  return failedToken(facts.source, "expired", facts.id);
}
