/**
 * What each credential on a request proves for one tunnel (SPEC S-H1…S-H6), compiled: the
 * bearer token through the policy's grant cache, the mTLS credential by name, the rstream
 * Auth session against the tunnel's allowed users. Results are shared constant objects, so
 * checking allocates nothing.
 */
import type { EffectiveTunnel, RuleRef } from "../../bounds/effective.ts";
import {
  MEMBER,
  OUTSIDER,
  UNKNOWN,
  ownerStanding,
  ownershipMessage,
} from "../../bounds/ownership.ts";
import type { Standing } from "../../bounds/ownership.ts";
import { insufficientScopeVerdict, ownershipVerdict } from "../../bounds/verdicts.ts";
import { memberKey } from "../../ir/members.ts";
import type { AuthIdentity, Decision } from "../../ir/decision.ts";
import type { RequestFacts, TokenFacts } from "../../ir/facts.ts";
import type { CredentialEntry, GrantCache, GrantEntry } from "../grants/grant-cache.ts";
import type { ScopeCheck } from "../grants/compile-grant.ts";
import { compileSessionAllow } from "../grants/session-allow.ts";

/** A credential that authorizes nothing: absent, invalid, or out of scope (with the refusal). */
export const ABSENT = 0;
export const INVALID = 1;
export const AUTHORIZED = 2;
export const UNAUTHORIZED = 3;
export type CheckKind = typeof ABSENT | typeof INVALID | typeof AUTHORIZED | typeof UNAUTHORIZED;

/** The rule cited when a valid token has no resolved grant (it authorizes nothing). */
const NO_GRANT_RULE: RuleRef = { rule: "token.grant", origin: null };
const NO_GRANT_TOKEN = Object.freeze(insufficientScopeVerdict(NO_GRANT_RULE, "token"));

/** The compiled credential checks of one tunnel. */
export interface CredentialChecks {
  /** Checks the bearer token; on UNAUTHORIZED, `tokenRefusal` holds the 403. */
  token(facts: RequestFacts, path: string | null): CheckKind;
  /** Checks the client credential; on AUTHORIZED or UNAUTHORIZED, `credential` holds it. */
  credential(facts: RequestFacts, path: string | null): CheckKind;
  session(facts: RequestFacts): CheckKind;
  /** The 403 of the last UNAUTHORIZED token check. */
  readonly last: { tokenRefusal: Decision; credential: CredentialEntry | null };
  /** Who the request is by the first credential that authorizes it (token, mTLS, session). */
  identify(facts: RequestFacts, path: string | null): AuthIdentity | null;
}

/**
 * A grant's scope on one tunnel, remembering the last grant asked about: tokens of one grant
 * share its compiled entry, so a run of requests usually asks about the same one. HOT PATH:
 * a hit costs one comparison instead of a Map read.
 */
function scopeOnTunnel(tunnel: EffectiveTunnel, named: boolean) {
  let lastEntry: GrantEntry | null = null;
  let lastScope: ScopeCheck | boolean = false;
  return (entry: GrantEntry, facts: RequestFacts, path: string | null): boolean => {
    if (entry !== lastEntry) {
      lastScope = named ? entry.grant.forTunnelNamed(tunnel) : entry.grant.forTunnel(tunnel);
      lastEntry = entry;
    }
    return typeof lastScope === "boolean" ? lastScope : lastScope(path, facts.method);
  };
}

/** The owner's standing (S-T8) with the project's members compiled into sets. */
function compileStanding(tunnel: EffectiveTunnel): (token: TokenFacts) => Standing {
  const members = tunnel.auth.members;
  const projectId = tunnel.projectId;
  if (members === null) {
    return (token) =>
      token.memberOf === undefined || token.memberOf === null
        ? UNKNOWN
        : ownerStanding(null, token, projectId);
  }
  const users = new Set(members.users);
  const clients = new Set(members.clients);
  return (token) => {
    if (token.memberOf !== undefined && token.memberOf !== null)
      return token.memberOf.includes(projectId) ? MEMBER : OUTSIDER;
    const owner = token.owner;
    if (owner === undefined || owner === null) return OUTSIDER;
    const found = owner.kind === "client" ? clients.has(owner.id) : users.has(memberKey(owner.id));
    return found ? MEMBER : OUTSIDER;
  };
}

/** Compiles the credential checks of a tunnel over the policy's grant cache. */
export function compileCredentialChecks(
  tunnel: EffectiveTunnel,
  grants: GrantCache,
): CredentialChecks {
  const auth = tunnel.auth;
  const sessionAllowed = compileSessionAllow(auth.sessionAllow);
  const inScope = scopeOnTunnel(tunnel, false);
  const inNamedScope = scopeOnTunnel(tunnel, true);
  const standingOf = compileStanding(tunnel);
  const outsider = Object.freeze(
    ownershipVerdict(auth.membersRule, ownershipMessage(OUTSIDER, tunnel.projectId)),
  );
  const unnamed = Object.freeze(
    ownershipVerdict(auth.membersRule, ownershipMessage(UNKNOWN, tunnel.projectId)),
  );
  // INVARIANT: decisions are synchronous, so `last` is read right after the check that set it.
  const last: { tokenRefusal: Decision; credential: CredentialEntry | null } = {
    tokenRefusal: NO_GRANT_TOKEN,
    credential: null,
  };
  const checks: CredentialChecks = {
    last,
    token(facts, path) {
      const token = facts.token;
      if (!auth.token || token === null) return ABSENT;
      if (token.status !== "valid") return INVALID;
      if (token.grant === null) {
        last.tokenRefusal = NO_GRANT_TOKEN;
        return UNAUTHORIZED;
      }
      const standing = standingOf(token);
      if (standing === OUTSIDER) {
        last.tokenRefusal = outsider;
        return UNAUTHORIZED;
      }
      const entry = grants.forToken(token.id, token.grant);
      if (!inScope(entry, facts, path)) {
        last.tokenRefusal = entry.insufficientToken;
        return UNAUTHORIZED;
      }
      if (standing === MEMBER || inNamedScope(entry, facts, path)) return AUTHORIZED;
      last.tokenRefusal = unnamed;
      return UNAUTHORIZED;
    },
    credential(facts, path) {
      if (auth.mtls === null || facts.clientCredential === null) return ABSENT;
      const found = grants.forCredential(facts.clientCredential);
      last.credential = found;
      if (found === null) return ABSENT;
      return found.entry !== null && inScope(found.entry, facts, path) ? AUTHORIZED : UNAUTHORIZED;
    },
    session(facts) {
      if (!auth.rstreamAuth || facts.session === null) return ABSENT;
      return sessionAllowed(facts.session) ? AUTHORIZED : UNAUTHORIZED;
    },
    identify(facts, path) {
      if (checks.token(facts, path) === AUTHORIZED)
        return { method: "token", subject: facts.token?.subject ?? null };
      if (checks.credential(facts, path) === AUTHORIZED)
        return { method: "mtls", subject: last.credential?.credential.name ?? null };
      if (checks.session(facts) === AUTHORIZED)
        return { method: "rstream-auth", subject: facts.session?.userId ?? null };
      return null;
    },
  };
  return checks;
}
