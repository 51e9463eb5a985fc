/**
 * Decision constructors shared by the reference interpreter and the compiler, one per kind of
 * decision, so both build byte-identical `Decision` objects (message text included). Status
 * codes follow SPEC S-D2 and reasons S-D3. Messages depend only on the rule, never on request
 * data, so a compiler can build them once per policy.
 */
import type { Span } from "../diagnostics/span.ts";
import type { AuthIdentity, Decision, Stage } from "../ir/decision.ts";
import type { TokenStatus } from "../ir/facts.ts";
import type { OutcomeKind, PolicyKind, Reason, TlsVersion } from "../ir/types.ts";
import type { EffectiveTunnel, RuleRef } from "./effective.ts";

/** The well-known endpoints the engine answers itself (S-W1, S-W2). */
export type WellKnownEndpoint = "session" | "logout";

interface VerdictParts {
  readonly outcome: OutcomeKind;
  readonly status: number;
  readonly reason: Reason;
  readonly policy?: PolicyKind;
  readonly stage: Stage;
  readonly rule: string;
  readonly origin: Span | null;
  readonly message: string;
  readonly identity?: AuthIdentity | null;
  readonly endpoint?: WellKnownEndpoint;
}

// INVARIANT: every Decision is built here, with its keys in one fixed order, so that the
// interpreter's and the compiler's objects are equal key by key and serialize identically.
function verdict(p: VerdictParts): Decision {
  return {
    outcome: p.outcome,
    status: p.status,
    reason: p.reason,
    policy: p.policy ?? null,
    stage: p.stage,
    rule: p.rule,
    origin: p.origin,
    message: p.message,
    identity: p.identity ?? null,
    endpoint: p.endpoint ?? null,
  };
}

/** Forward upstream: every layer passed (S-O3). `via` is the rule that admitted the request. */
export function forwardVerdict(
  tunnel: EffectiveTunnel,
  via: RuleRef | null,
  identity: AuthIdentity | null,
): Decision {
  return verdict({
    outcome: "forward",
    status: 0,
    reason: "ok",
    stage: "forward",
    rule: via?.rule ?? `tunnel:${tunnel.id}`,
    origin: via !== null ? via.origin : tunnel.origin,
    message:
      identity === null
        ? `every layer of tunnel ${tunnel.id} passed; no edge authentication applies`
        : `authenticated by ${identity.method}; every layer of tunnel ${tunnel.id} passed`,
    identity,
  });
}

/** No published HTTP tunnel serves the host; private tunnels never do (S-X1). */
export function noRouteVerdict(): Decision {
  return verdict({
    outcome: "deny",
    status: 404,
    reason: "no_route",
    stage: "route",
    rule: "route",
    origin: null,
    message: "no published HTTP tunnel serves this host",
  });
}

/** The client address is outside a trusted-IP list (S-A3). */
export function ipDeniedVerdict(rule: RuleRef): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "policy_denied",
    policy: "ip",
    stage: "edge",
    rule: rule.rule,
    origin: rule.origin,
    message: `the client address is not in the trusted IPs of ${rule.rule}`,
  });
}

/** The client's country is unknown or outside a GeoIP list (S-A4). */
export function geoDeniedVerdict(rule: RuleRef): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "policy_denied",
    policy: "geo",
    stage: "edge",
    rule: rule.rule,
    origin: rule.origin,
    message: `the client's country is unknown or not in the countries of ${rule.rule}`,
  });
}

/** The request arrived over a TLS version below the tunnel's runtime minimum (S-A5). */
export function tlsDeniedVerdict(rule: RuleRef, min: TlsVersion): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "policy_denied",
    policy: "tls",
    stage: "edge",
    rule: rule.rule,
    origin: rule.origin,
    message: `the connection uses a TLS version older than ${min}, the minimum set by ${rule.rule}`,
  });
}

/** A request over plain HTTP to a tunnel whose TLS policy asks for more than TLS 1.2. */
export function plainHttpDeniedVerdict(rule: RuleRef, min: TlsVersion): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "policy_denied",
    policy: "tls",
    stage: "edge",
    rule: rule.rule,
    origin: rule.origin,
    message: `the request came over plain HTTP; ${rule.rule} requires TLS ${min} or newer`,
  });
}

const WELL_KNOWN_RULE: Readonly<Record<WellKnownEndpoint, string>> = {
  session: "well-known.session",
  logout: "well-known.logout",
};

/** `/.well-known/rstream/session`: the engine answers with who the request is (S-W1). */
export function sessionEndpointVerdict(identity: AuthIdentity | null): Decision {
  return verdict({
    outcome: "respond",
    status: 200,
    reason: "ok",
    stage: "well-known",
    rule: WELL_KNOWN_RULE.session,
    origin: null,
    message: "the engine answers the session endpoint",
    identity,
    endpoint: "session",
  });
}

/** `/.well-known/rstream/logout`: 204; the session cookie is cleared when `identity` is rstream Auth (S-W2). */
export function logoutEndpointVerdict(identity: AuthIdentity | null): Decision {
  return verdict({
    outcome: "respond",
    status: 204,
    reason: "ok",
    stage: "well-known",
    rule: WELL_KNOWN_RULE.logout,
    origin: null,
    message: "the engine answers the logout endpoint",
    identity,
    endpoint: "logout",
  });
}

/** A well-known endpoint called with a method it does not accept. */
export function wellKnownMethodVerdict(endpoint: WellKnownEndpoint): Decision {
  return verdict({
    outcome: "deny",
    status: 405,
    reason: "not_allowed",
    stage: "well-known",
    rule: WELL_KNOWN_RULE[endpoint],
    origin: null,
    message:
      endpoint === "session"
        ? "the session endpoint accepts GET and HEAD only"
        : "the logout endpoint accepts POST only",
  });
}

/** A logout POST carrying a method-override header (S-R12): not a logout, whatever it asks. */
export function logoutMethodOverrideVerdict(): Decision {
  return verdict({
    outcome: "deny",
    status: 405,
    reason: "not_allowed",
    stage: "well-known",
    rule: WELL_KNOWN_RULE.logout,
    origin: null,
    message: "a logout POST carrying a method-override header is refused (S-R12)",
  });
}

/** A logout whose `Origin` or `Referer` names another origin (S-W2): a cross-site request. */
export function logoutForeignOriginVerdict(): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "not_allowed",
    stage: "well-known",
    rule: WELL_KNOWN_RULE.logout,
    origin: null,
    message: "the logout request's Origin or Referer does not match the tunnel origin",
  });
}

/** A logout with a body type other than JSON (S-W2). */
export function logoutContentTypeVerdict(): Decision {
  return verdict({
    outcome: "deny",
    status: 415,
    reason: "not_allowed",
    stage: "well-known",
    rule: WELL_KNOWN_RULE.logout,
    origin: null,
    message: "the logout endpoint accepts an empty body or application/json only",
  });
}

/** Any other path under `/.well-known/rstream/`: answered by the engine, never forwarded (S-O2). */
export function wellKnownUnknownVerdict(): Decision {
  return verdict({
    outcome: "deny",
    status: 404,
    reason: "no_route",
    stage: "well-known",
    rule: "well-known",
    origin: null,
    message: "no such engine endpoint under /.well-known/rstream/",
  });
}

/** A safe navigation without a valid challenge cookie: 302 to the verification page (S-C2). */
export function challengeRedirectVerdict(rule: RuleRef): Decision {
  return verdict({
    outcome: "challenge",
    status: 302,
    reason: "challenge_required",
    policy: "challenge",
    stage: "challenge",
    rule: rule.rule,
    origin: rule.origin,
    message: `${rule.rule} requires a completed challenge; redirecting to the verification page`,
  });
}

/** A non-GET or upgrade request without a valid challenge cookie: refused, never replayed (S-C4). */
export function challengeRejectedVerdict(rule: RuleRef, upgrade: boolean): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "policy_denied",
    policy: "challenge",
    stage: "challenge",
    rule: rule.rule,
    origin: rule.origin,
    message: upgrade
      ? `${rule.rule} requires a completed challenge before an upgrade request`
      : `${rule.rule} requires a completed challenge before a request other than GET`,
  });
}

/** Token auth is on and no token was sent (S-H1, S-H3): 401. */
export function missingTokenVerdict(rule: RuleRef): Decision {
  return verdict({
    outcome: "deny",
    status: 401,
    reason: "missing_token",
    stage: "token",
    rule: rule.rule,
    origin: rule.origin,
    message: `${rule.rule} requires a bearer token and none was sent`,
  });
}

const INVALID_TOKEN_MESSAGE: Readonly<Record<Exclude<TokenStatus, "valid">, string>> = {
  malformed: "the bearer token is malformed",
  bad_signature: "the bearer token's signature does not verify",
  expired: "the bearer token has expired",
  not_yet_valid: "the bearer token is not valid yet",
};

/** A token that failed the runtime's checks (S-H3, S-D2): 401 `invalid_token` or `expired_token`. */
export function invalidTokenVerdict(
  rule: RuleRef,
  status: Exclude<TokenStatus, "valid">,
): Decision {
  return verdict({
    outcome: "deny",
    status: 401,
    reason: status === "expired" ? "expired_token" : "invalid_token",
    stage: "token",
    rule: rule.rule,
    origin: rule.origin,
    message: `${INVALID_TOKEN_MESSAGE[status]} (${rule.rule})`,
  });
}

/** A valid credential whose grant does not cover the request (S-H3, S-H6, S-D1): 403, no fallback. */
export function insufficientScopeVerdict(grantRule: RuleRef, stage: "token" | "mtls"): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "insufficient_scope",
    ...(stage === "mtls" ? { policy: "mtls" as const } : {}),
    stage,
    rule: grantRule.rule,
    origin: grantRule.origin,
    message: `${grantRule.rule} does not grant this tunnel, path or method`,
  });
}

/** mTLS is the only auth mode and the certificate maps to no credential (S-H6). */
export function mtlsRequiredVerdict(rule: RuleRef): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "policy_denied",
    policy: "mtls",
    stage: "mtls",
    rule: rule.rule,
    origin: rule.origin,
    message: `${rule.rule} requires a client certificate that maps to a credential`,
  });
}

/** A browser navigation without a session: 302 to the login flow (S-H4). */
export function loginRedirectVerdict(rule: RuleRef): Decision {
  return verdict({
    outcome: "login",
    status: 302,
    reason: "login_required",
    stage: "session",
    rule: rule.rule,
    origin: rule.origin,
    message: `${rule.rule} requires signing in; redirecting to the login flow`,
  });
}

/** rstream Auth is the remaining method and a non-navigation request has no session: 401. */
export function loginRequiredVerdict(rule: RuleRef): Decision {
  return verdict({
    outcome: "deny",
    status: 401,
    reason: "login_required",
    stage: "session",
    rule: rule.rule,
    origin: rule.origin,
    message: `${rule.rule} requires a signed-in session`,
  });
}

/** A signed-in user outside the tunnel's allowed users (S-H4): 403. */
export function userMismatchVerdict(rule: RuleRef): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "user_mismatch",
    stage: "session",
    rule: rule.rule,
    origin: rule.origin,
    message: `the signed-in user is not among the users allowed by ${rule.rule}`,
  });
}

/**
 * A valid token refused for ownership (S-T8): its owner is not a member of the tunnel's
 * project, or nobody answers membership and its boundary does not name the project. 403
 * `insufficient_scope` (valid but not authorized, S-D1), citing `project.members`.
 */
export function ownershipVerdict(membersRule: RuleRef, why: string): Decision {
  return verdict({
    outcome: "deny",
    status: 403,
    reason: "insufficient_scope",
    stage: "token",
    rule: membersRule.rule,
    origin: membersRule.origin,
    message: `${why} (${membersRule.rule})`,
  });
}
