/**
 * The reference interpreter for one HTTP request, in SPEC order (S-O1): route → edge access
 * (trusted IPs, GeoIP, TLS version) → well-known endpoints → challenge → token → mTLS
 * credential → rstream Auth session → forward. Written for clarity: it is the oracle the
 * compiled decisions are checked against.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import { countryRuleRefusing } from "../bounds/kinds/country.ts";
import { ipRuleRefusing } from "../bounds/kinds/ip.ts";
import { tlsVersionAdmits } from "../bounds/kinds/tls-version.ts";
import { runtimeMinRule } from "../bounds/tls.ts";
import {
  challengeRedirectVerdict,
  challengeRejectedVerdict,
  forwardVerdict,
  geoDeniedVerdict,
  insufficientScopeVerdict,
  ownershipVerdict,
  invalidTokenVerdict,
  ipDeniedVerdict,
  loginRedirectVerdict,
  loginRequiredVerdict,
  missingTokenVerdict,
  mtlsRequiredVerdict,
  noRouteVerdict,
  plainHttpDeniedVerdict,
  tlsDeniedVerdict,
  userMismatchVerdict,
} from "../bounds/verdicts.ts";
import type { Decision } from "../ir/decision.ts";
import type { RequestFacts } from "../ir/facts.ts";
import { isBrowserNavigation, isSafeNavigation } from "../ir/navigation.ts";
import { checkClientCredential, checkSession, checkToken } from "./credentials.ts";
import type { CredentialCheck } from "./credentials.ts";
import { routeRequest } from "./route.ts";
import { DISCARD_TRACE, TraceLog } from "./trace.ts";
import type { TraceSink, TraceStep } from "./trace.ts";
import { answerWellKnown, isWellKnownPath } from "./well-known.ts";

function decided(log: TraceSink, stage: TraceStep["stage"], decision: Decision): Decision {
  log.add(stage, "decide", decision.rule, decision.origin, decision.message);
  return decision;
}

/** Layer 1 (S-O1, S-A3…S-A5): every trusted-IP and GeoIP list, and the TLS version. */
function checkEdge(tunnel: EffectiveTunnel, facts: RequestFacts, log: TraceSink): Decision | null {
  const ipRule = ipRuleRefusing(tunnel.ipRules, facts.clientIp);
  if (ipRule !== null) return decided(log, "edge", ipDeniedVerdict(ipRule));
  for (const rule of tunnel.ipRules)
    log.add("edge", "pass", rule.rule, rule.origin, "the client address is in the list");
  const countryRule = countryRuleRefusing(tunnel.countryRules, facts.country);
  if (countryRule !== null) return decided(log, "edge", geoDeniedVerdict(countryRule));
  for (const rule of tunnel.countryRules)
    log.add("edge", "pass", rule.rule, rule.origin, "the client's country is in the list");
  const tls = tunnel.tls;
  if (
    tls.terminated &&
    facts.tlsVersion !== null &&
    !tlsVersionAdmits(facts.tlsVersion, tls.runtimeMin)
  ) {
    return decided(log, "edge", tlsDeniedVerdict(runtimeMinRule(tls), tls.runtimeMin));
  }
  if (tls.terminated && tls.runtimeMin === "1.3" && !facts.secure) {
    // Plain HTTP cannot meet a TLS 1.3 minimum: serve's HTTP listener refuses it.
    return decided(log, "edge", plainHttpDeniedVerdict(runtimeMinRule(tls), tls.runtimeMin));
  }
  if (tunnel.ipRules.length === 0 && tunnel.countryRules.length === 0) {
    log.add(
      "edge",
      "skip",
      `tunnel:${tunnel.id}`,
      tunnel.origin,
      "no trusted-IP or GeoIP list applies",
    );
  }
  return null;
}

/** Layer 2 (S-C1…S-C5): a valid challenge cookie, or a valid and authorized token, passes. */
function checkChallenge(
  tunnel: EffectiveTunnel,
  facts: RequestFacts,
  log: TraceSink,
): Decision | null {
  const rule = tunnel.challengeRule;
  if (!tunnel.challenge) {
    log.add("challenge", "skip", rule.rule, rule.origin, "challenge mode is off");
    return null;
  }
  if (facts.challengeCookie === "valid") {
    log.add("challenge", "pass", rule.rule, rule.origin, "the challenge cookie is valid");
    return null;
  }
  if (checkToken(tunnel, facts).kind === "authorized") {
    log.add(
      "challenge",
      "pass",
      rule.rule,
      rule.origin,
      "a valid and authorized bearer token bypasses the challenge",
    );
    return null;
  }
  if (isSafeNavigation(facts)) return decided(log, "challenge", challengeRedirectVerdict(rule));
  return decided(log, "challenge", challengeRejectedVerdict(rule, facts.upgrade));
}

/** The 401 that the token layer answers when nothing else authenticated the request. */
function tokenFailure(tunnel: EffectiveTunnel, token: CredentialCheck): Decision {
  return token.kind === "invalid"
    ? invalidTokenVerdict(tunnel.auth.tokenRule, token.status)
    : missingTokenVerdict(tunnel.auth.tokenRule);
}

/** The 403 of a valid token that is not authorized: out of scope, or for ownership (S-T8). */
function tokenRefusal(token: Extract<CredentialCheck, { kind: "unauthorized" }>): Decision {
  return token.ownership === undefined
    ? insufficientScopeVerdict(token.rule, "token")
    : ownershipVerdict(token.rule, token.ownership);
}

/** Layer 3 (S-H1…S-H6, S-D1): token first, then the mTLS credential, then the session. */
function authenticate(
  policy: EffectivePolicy,
  tunnel: EffectiveTunnel,
  facts: RequestFacts,
  log: TraceSink,
): Decision {
  const auth = tunnel.auth;
  if (!auth.token && !auth.rstreamAuth && auth.mtls === null) {
    log.add(
      "token",
      "skip",
      auth.tokenRule.rule,
      auth.tokenRule.origin,
      "the tunnel has no edge authentication",
    );
    return decided(log, "forward", forwardVerdict(tunnel, null, null));
  }
  const token = checkToken(tunnel, facts);
  if (token.kind === "authorized")
    return decided(log, "forward", forwardVerdict(tunnel, auth.tokenRule, token.identity));
  // S-D1: a valid token that is not authorized is final; no fallback to another method.
  if (token.kind === "unauthorized") return decided(log, "token", tokenRefusal(token));
  if (auth.token && (auth.mtls !== null || auth.rstreamAuth)) {
    log.add(
      "token",
      "pass",
      auth.tokenRule.rule,
      auth.tokenRule.origin,
      `no usable token (${token.kind}); trying the next method`,
    );
  }

  const credential = checkClientCredential(policy, tunnel, facts);
  if (credential.kind === "authorized")
    return decided(log, "forward", forwardVerdict(tunnel, auth.mtlsRule, credential.identity));
  if (credential.kind === "unauthorized")
    return decided(log, "mtls", insufficientScopeVerdict(credential.rule, "mtls"));
  if (auth.mtls !== null && !auth.token && !auth.rstreamAuth)
    return decided(log, "mtls", mtlsRequiredVerdict(auth.mtlsRule));
  if (auth.mtls !== null)
    log.add(
      "mtls",
      "pass",
      auth.mtlsRule.rule,
      auth.mtlsRule.origin,
      "no client credential; trying the next method",
    );

  if (auth.rstreamAuth) {
    const session = checkSession(tunnel, facts);
    const rule = auth.rstreamAuthRule;
    if (session.kind === "authorized")
      return decided(log, "forward", forwardVerdict(tunnel, rule, session.identity));
    if (session.kind === "unauthorized") return decided(log, "session", userMismatchVerdict(rule));
    if (isBrowserNavigation(facts)) return decided(log, "session", loginRedirectVerdict(rule));
    if (auth.token) return decided(log, "token", tokenFailure(tunnel, token));
    return decided(log, "session", loginRequiredVerdict(rule));
  }
  return decided(log, "token", tokenFailure(tunnel, token));
}

/** Decides one request and records every stage it went through. */
export function interpretRequest(
  policy: EffectivePolicy,
  facts: RequestFacts,
): { readonly decision: Decision; readonly trace: readonly TraceStep[] } {
  const log = new TraceLog();
  const decision = decide(policy, facts, log);
  return { decision, trace: log.steps };
}

function decide(policy: EffectivePolicy, facts: RequestFacts, log: TraceSink): Decision {
  const tunnel = routeRequest(policy, facts.host);
  if (tunnel === null) return decided(log, "route", noRouteVerdict());
  log.add(
    "route",
    "pass",
    `tunnel:${tunnel.id}`,
    tunnel.origin,
    `host ${facts.host} is served by tunnel ${tunnel.id}`,
  );
  const edge = checkEdge(tunnel, facts, log);
  if (edge !== null) return edge;
  // S-O2: engine endpoints come after edge access and before challenge and authentication.
  if (isWellKnownPath(facts.path))
    return decided(log, "well-known", answerWellKnown(policy, tunnel, facts));
  const challenge = checkChallenge(tunnel, facts, log);
  if (challenge !== null) return challenge;
  return authenticate(policy, tunnel, facts, log);
}

/** The decision alone: the same pipeline as `interpretRequest`, with the trace discarded. */
export function interpret(policy: EffectivePolicy, facts: RequestFacts): Decision {
  return decide(policy, facts, DISCARD_TRACE);
}
