/**
 * The forward-auth endpoint (issue #7): answers a proxy's sub-request about an original
 * request with the same compiled decision `rampart serve` uses when it forwards itself. The
 * order is the pipeline's (S-O1): read the original request (from a trusted proxy only), route
 * by host, gather facts (GeoIP, cookie MACs, token verification), decide, answer. Nothing here
 * keeps state between requests, so any number of instances can answer (docs/scaling.md).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Decision } from "../../ir/decision.ts";
import type { MutableRequestFacts, RequestFacts, TokenFacts } from "../../ir/facts.ts";
import type { RuntimeMetrics } from "../ops/metrics.ts";
import type { ServingState, TunnelRoute } from "../state.ts";
import type { TokenBackend } from "../tokens/backend.ts";
import type { TrustedProxies } from "../http/client-ip.ts";
import type { FactSources } from "../http/request-facts.ts";
import { gatherFacts, verifyToken } from "../http/request-facts.ts";
import { canonicalRequestOf } from "../http/canonical-request.ts";
import type { CanonicalRequest, RequestRefusal } from "../http/canonical-request.ts";
import { canonicalPeer } from "../http/client-ip.ts";
import { decidedHeaders } from "../http/request-headers.ts";
import { CHALLENGE_PATH, LOGIN_PATH, sendError } from "../http/respond.ts";
import { answerAllow, answerDeny, answerError, answerRedirect } from "./answer.ts";
import { dialectOf, passesAnyStatus } from "./dialect.ts";
import type { ForwardAuthDialect } from "./dialect.ts";
import { readTrustedRequest, trustedBy, untrustedPeer } from "./original-request.ts";
import type { FieldsByName, UnreadableRequest } from "./original-request.ts";
import { STATE_UNAVAILABLE, refusedForStore } from "../state-store/fail-closed.ts";
import type { SharedStateStore } from "../state-store/store.ts";
import type { OriginalRequest } from "./original-request.ts";
import type { ShadowHook } from "../shadow/shadow-rollout.ts";

/** What the endpoint reads on every sub-request (a subset of the pipeline's dependencies). */
export interface ForwardAuthDeps extends FactSources {
  /** The serving generation; read once per sub-request. */
  state(): ServingState;
  readonly tokens: TokenBackend | null;
  /** The proxies allowed to ask; everyone else is refused (their headers would be believed). */
  readonly trustedProxies: TrustedProxies | null;
  readonly log: Logger;
  readonly metrics: RuntimeMetrics | null;
  /** The shared store (S-M1); null or absent: none. */
  readonly store?: SharedStateStore | null;
  /** Shadow rollout (docs/shadow.md); absent: off. */
  readonly shadow?: ShadowHook;
}

/** A sub-request whose original request, route and facts are known. */
interface Asked {
  readonly req: IncomingMessage;
  readonly original: OriginalRequest;
  /** The original request read by the same function as `serve` reads its own (S-R19). */
  readonly request: CanonicalRequest;
  readonly route: TunnelRoute;
  readonly facts: RequestFacts;
}

/** The `request` listener of the forward-auth listener. */
export function createForwardAuthHandler(
  deps: ForwardAuthDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // A sub-request body is never read: Node drains an unread body itself once the answer is
    // sent (keep-alive holds), so no resume() and its extra tick on the usual bodiless one.
    const target = dialectOf(req.url ?? "/");
    if (target === null) {
      // Not a sub-request at all: an ordinary 404, whoever asked.
      sendError(res, 404, "unknown_forward_auth_path", null, false);
      return;
    }
    const peer = canonicalPeer(req.socket.remoteAddress);
    const trusted = trustedBy(peer, deps.trustedProxies);
    if (trusted === null) {
      refuseUnreadable(res, target.dialect, untrustedPeer(peer), deps);
      return;
    }
    // The sub-request's fields, read once: the original request's facts and the decision's
    // headers both come from them (S-R19).
    const fields = decidedHeaders(req.rawHeaders);
    if ("status" in fields) {
      refuseUnreadableOriginal(res, target.dialect, fields, deps, acceptsHtml(req.headers));
      return;
    }
    const original = readTrustedRequest(target, req.method ?? "GET", fields.byName, peer, trusted);
    if ("reason" in original) {
      refuseUnreadable(res, target.dialect, original, deps);
      return;
    }
    // S-R19: the original request goes through the same canonicalization as serve's requests.
    const request = canonicalRequestOf(
      fields,
      { method: original.method, target: original.uri },
      { given: original.host },
    );
    if ("status" in request) {
      refuseUnreadableOriginal(res, original.dialect, request, deps, acceptsHtml(fields.byName));
      return;
    }
    const route = deps.state().routes.get(original.host);
    if (route === undefined) {
      refuse(res, original.dialect, 404, "no_route", null, deps, acceptsHtml(fields.byName));
      return;
    }
    // The proxy terminated TLS; a tunnel that demands more than TLS 1.2 is not served in clear.
    if (route.requiresTls && !original.secure) {
      const html = acceptsHtml(fields.byName);
      refuse(res, original.dialect, 403, "policy_denied", "tls", deps, html);
      return;
    }
    const pending = gatherFacts(request, original.host, original.clientIp, route, undefined, deps);
    const found = pending.token;
    // No token, or a kept verdict (revocation re-checked by the backend): answered in this
    // tick, no promise.
    const hit = found === null ? null : deps.tokens?.lookup?.(found.token, found.source);
    if (found === null || hit !== undefined) {
      const facts = withOriginal(pending.base, original, hit ?? null);
      act({ req, original, request, route, facts }, res, deps);
      return;
    }
    verifyToken(found, deps.tokens).then(
      (token) => {
        const facts = withOriginal(pending.base, original, token);
        act({ req, original, request, route, facts }, res, deps);
      },
      (error: unknown) => {
        deps.log.error({ err: error }, "token verification threw (a bug in rampart)");
        refuse(res, original.dialect, 500, "internal_error", null, deps);
      },
    );
  };
}

/**
 * The facts of the original request: what the proxy says about its connection (the port the
 * client addressed, TLS and its version) and the token's verdict, set on the gathered facts
 * themselves (HOT PATH: no copy of every field per sub-request).
 */
function withOriginal(
  base: RequestFacts,
  original: OriginalRequest,
  token: TokenFacts | null,
): RequestFacts {
  // SAFETY: `base` comes from gatherFacts for this sub-request alone and nothing has read it
  // yet; only the connection facts the proxy describes and the token, unknown until now, are set.
  const facts = base as MutableRequestFacts;
  facts.port = original.port;
  facts.secure = original.secure;
  facts.tlsVersion = original.tlsVersion;
  facts.token = token;
  return base;
}

function act(a: Asked, res: ServerResponse, deps: ForwardAuthDeps): void {
  const decision = decide(a, deps);
  if (decision === null) {
    refuse(res, a.original.dialect, 500, "internal_error", null, deps);
    return;
  }
  if (refusedForStore(decision, deps.store ?? null)) {
    refuse(res, a.original.dialect, 503, STATE_UNAVAILABLE, null, deps, a.facts.acceptsHtml);
    return;
  }
  deps.metrics?.countRequest(decision.outcome, decision.reason);
  const dialect = a.original.dialect;
  switch (decision.outcome) {
    case "forward":
      allow(a, decision, res, deps);
      return;
    case "challenge":
      answerRedirect(res, dialect, CHALLENGE_PATH, a.request.target, "challenge_required");
      return;
    case "login":
      answerRedirect(res, dialect, LOGIN_PATH, a.request.target, "login_required");
      return;
    case "respond":
      // A well-known endpoint (S-O2) must be answered by the engine, never forwarded; a 2xx
      // here would forward it. The proxy config routes /.well-known/rstream/ to `serve`.
      deps.log.warn(
        { dialect, host: a.facts.host, path: a.facts.path },
        "well-known endpoint reached forward-auth: route /.well-known/rstream/ to rampart serve",
      );
      answerError(res, dialect, 404, "not_routed", null, a.facts.acceptsHtml);
      return;
    case "deny":
      logDeny(a, decision, deps);
      answerDeny(res, dialect, decision, a.facts.acceptsHtml, a.facts.token !== null, a.facts.path);
      return;
  }
}

function allow(a: Asked, decision: Decision, res: ServerResponse, deps: ForwardAuthDeps): void {
  const dialect = a.original.dialect;
  // Traefik and Envoy cannot rewrite the upstream URL from an auth answer: the upstream gets
  // the original target. Unless it is the canonical one, the decided request would not be the
  // forwarded one (S-R4), and a query token would leak (S-O3): refuse rather than allow.
  if (passesAnyStatus(dialect) && a.request.target !== a.original.uri) {
    const reason = hasQueryToken(a.original.uri)
      ? "query_token_unsupported"
      : "non_canonical_target";
    refuse(res, dialect, 400, reason, null, deps, a.facts.acceptsHtml);
    return;
  }
  answerAllow(res, dialect, {
    decision,
    tunnel: a.route.label,
    uri: a.request.target,
    headers: a.request.headers.byName,
    dropAuthorization:
      a.facts.token?.source === "header" && !a.route.tunnel.auth.forwardAuthorization,
  });
}

function acceptsHtml(headers: FieldsByName): boolean {
  const accept = headers["accept"];
  return typeof accept === "string" && accept.includes("text/html");
}

/** A sub-request whose original request cannot be read: logged for the operator, refused. */
function refuseUnreadable(
  res: ServerResponse,
  dialect: ForwardAuthDialect,
  unreadable: UnreadableRequest,
  deps: ForwardAuthDeps,
): void {
  deps.log.warn(
    { dialect, reason: unreadable.reason, detail: unreadable.detail },
    "forward-auth sub-request refused",
  );
  refuse(res, dialect, unreadable.status, unreadable.reason, null, deps);
}

/** An original request refused by the canonical reading (S-R19), as `serve` would refuse it. */
function refuseUnreadableOriginal(
  res: ServerResponse,
  dialect: ForwardAuthDialect,
  refusal: RequestRefusal,
  deps: ForwardAuthDeps,
  html: boolean,
): void {
  deps.log.info(
    { dialect, reason: refusal.reason, detail: refusal.detail },
    "forward-auth original request refused",
  );
  refuse(res, dialect, refusal.status, refusal.reason, null, deps, html);
}

function hasQueryToken(uri: string): boolean {
  const q = uri.indexOf("?");
  return q >= 0 && /rstream(?:\.|%2e)token/i.test(uri.slice(q + 1));
}

/** Runs the compiled decision; a throw is a bug in Rampart, answered 500 and logged. */
function decide(a: Asked, deps: ForwardAuthDeps): Decision | null {
  try {
    const decision = a.route.policy.request(a.facts);
    // Shadow rollout: the candidate decides too and never acts (it cannot throw).
    deps.shadow?.compare(a.route, a.facts, decision);
    return decision;
  } catch (error) {
    deps.log.error(
      { err: error, tunnel: a.route.label },
      "decision function threw (a bug in rampart)",
    );
    return null;
  }
}

function refuse(
  res: ServerResponse,
  dialect: ForwardAuthDialect,
  status: number,
  reason: string,
  policy: string | null,
  deps: ForwardAuthDeps,
  html = false,
): void {
  deps.metrics?.countRequest("deny", reason);
  answerError(res, dialect, status, reason, policy, html);
}

/** One decision log line per denied request, as the pipeline writes (never a token or cookie). */
function logDeny(a: Asked, decision: Decision, deps: ForwardAuthDeps): void {
  deps.log.info(
    {
      mode: "forward-auth",
      dialect: a.original.dialect,
      tunnel: a.route.label,
      stage: decision.stage,
      rule: decision.rule,
      reason: decision.reason,
      policy: decision.policy,
      status: decision.status,
      method: a.facts.method,
      host: a.facts.host,
      path: a.facts.path,
      clientIp: a.facts.clientIp,
      country: a.facts.country,
      tokenSource: a.facts.token?.source ?? null,
    },
    "request denied",
  );
}
