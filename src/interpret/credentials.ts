/**
 * What each credential on a request proves for a tunnel, without deciding anything yet: the
 * bearer token (S-H1, S-H3), the mTLS credential (S-H6) and the rstream Auth session (S-H4).
 * The pipeline in `request.ts` decides in SPEC order from these.
 */
import type { EffectivePolicy, EffectiveTunnel, RuleRef } from "../bounds/effective.ts";
import type { AuthIdentity } from "../ir/decision.ts";
import type { RequestFacts, SessionFacts, TokenStatus } from "../ir/facts.ts";
import type { GrantIr, SessionAllowIr } from "../ir/types.ts";
import { OUTSIDER, UNKNOWN, ownerStanding, ownershipMessage } from "../bounds/ownership.ts";
import { grantConnects, grantConnectsNamed } from "./grant-allows.ts";

/** The verdict on one credential. */
export type CredentialCheck =
  | { readonly kind: "absent" }
  | { readonly kind: "invalid"; readonly status: Exclude<TokenStatus, "valid"> }
  | { readonly kind: "authorized"; readonly identity: AuthIdentity; readonly rule: RuleRef }
  | {
      readonly kind: "unauthorized";
      readonly rule: RuleRef;
      /** Refused for ownership (S-T8), with the reason; absent for a grant out of scope. */
      readonly ownership?: string;
    };

/** The rule a grant is cited as. */
export function grantRule(grant: GrantIr): RuleRef {
  return { rule: `grant:${grant.name}`, origin: grant.origin ?? null };
}

/** The bearer token, when token auth is on (otherwise a token means nothing to the edge). */
export function checkToken(tunnel: EffectiveTunnel, facts: RequestFacts): CredentialCheck {
  const token = facts.token;
  if (!tunnel.auth.token || token === null) return { kind: "absent" };
  if (token.status !== "valid") return { kind: "invalid", status: token.status };
  // INVARIANT: a valid token without a resolved grant authorizes nothing (fail closed).
  if (token.grant === null)
    return { kind: "unauthorized", rule: { rule: "token.grant", origin: null } };
  const rule = grantRule(token.grant);
  // S-T8: the owner's standing first; nobody answering leaves only an explicit boundary.
  const standing = ownerStanding(tunnel.auth.members, token, tunnel.projectId);
  const ownership = ownershipMessage(standing, tunnel.projectId);
  if (standing === OUTSIDER)
    return { kind: "unauthorized", rule: tunnel.auth.membersRule, ownership };
  if (!grantConnects(token.grant, tunnel, facts)) return { kind: "unauthorized", rule };
  if (standing === UNKNOWN && !grantConnectsNamed(token.grant, tunnel, facts))
    return { kind: "unauthorized", rule: tunnel.auth.membersRule, ownership };
  return { kind: "authorized", identity: { method: "token", subject: token.subject }, rule };
}

/** The client-certificate credential, when mTLS is on. */
export function checkClientCredential(
  policy: EffectivePolicy,
  tunnel: EffectiveTunnel,
  facts: RequestFacts,
): CredentialCheck {
  if (tunnel.auth.mtls === null || facts.clientCredential === null) return { kind: "absent" };
  const credential = policy.credentials.find((c) => c.name === facts.clientCredential);
  if (credential === undefined) return { kind: "absent" };
  const grant = policy.grants[credential.grant];
  const rule: RuleRef =
    grant !== undefined
      ? grantRule(grant)
      : { rule: `credential:${credential.name}`, origin: credential.origin ?? null };
  if (grant === undefined || !grantConnects(grant, tunnel, facts))
    return { kind: "unauthorized", rule };
  return { kind: "authorized", identity: { method: "mtls", subject: credential.name }, rule };
}

function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/** Whether a signed-in user is among the allowed users; no list (or empty lists) allows everyone. */
export function sessionAllowed(allow: SessionAllowIr | null, session: SessionFacts): boolean {
  if (allow === null) return true;
  if (allow.emails.length === 0 && allow.domains.length === 0 && allow.groups.length === 0)
    return true;
  const email = session.email?.toLowerCase() ?? null;
  if (email !== null && allow.emails.some((e) => e.toLowerCase() === email)) return true;
  if (
    email !== null &&
    email.includes("@") &&
    allow.domains.some((d) => d.toLowerCase() === emailDomain(email))
  ) {
    return true;
  }
  return session.groups.some((g) => allow.groups.includes(g));
}

/** The rstream Auth session, when rstream Auth is on. */
export function checkSession(tunnel: EffectiveTunnel, facts: RequestFacts): CredentialCheck {
  if (!tunnel.auth.rstreamAuth || facts.session === null) return { kind: "absent" };
  const rule = tunnel.auth.rstreamAuthRule;
  if (!sessionAllowed(tunnel.auth.sessionAllow, facts.session))
    return { kind: "unauthorized", rule };
  return {
    kind: "authorized",
    identity: { method: "rstream-auth", subject: facts.session.userId },
    rule,
  };
}

/** Who the request is, by the first credential that authorizes it (token, mTLS, session). */
export function identify(
  policy: EffectivePolicy,
  tunnel: EffectiveTunnel,
  facts: RequestFacts,
): AuthIdentity | null {
  for (const check of [
    checkToken(tunnel, facts),
    checkClientCredential(policy, tunnel, facts),
    checkSession(tunnel, facts),
  ]) {
    if (check.kind === "authorized") return check.identity;
  }
  return null;
}
