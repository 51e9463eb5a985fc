/**
 * The per-request pipeline (S-O1): route by host (SNI and Host must agree on TLS), gather
 * facts, ask the compiled decision, act on it — forward, deny, redirect to the challenge or
 * login flow, or answer a well-known endpoint (which is never forwarded, S-O2).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { Decision } from "../../ir/decision.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import type { RuntimeMetrics } from "../ops/metrics.ts";
import type { ServingState, TunnelRoute } from "../state.ts";
import type { TokenBackend } from "../tokens/backend.ts";
import { tlsInfoOf } from "../tls/listener.ts";
import type { TlsConnectionInfo } from "../tls/listener.ts";
import { forwardRequest } from "../forward/proxy.ts";
import type { ForwardFailure, ForwardListener } from "../forward/proxy.ts";
import type { Upstream } from "../forward/upstreams.ts";
import { forwardUpgrade } from "../forward/upgrade.ts";
import { upstreamRequestHeaders } from "../forward/headers.ts";
import { canonicalRequest } from "./canonical-request.ts";
import { endConnection } from "./end-connection.ts";
import type { CanonicalRequest } from "./canonical-request.ts";
import { canonicalPeer } from "./client-ip.ts";
import type { TrustedProxies } from "./client-ip.ts";
import { connectionClient } from "./connection-client.ts";
import type { ConnectionClient } from "./connection-client.ts";
import type { FactSources, FoundToken } from "./request-facts.ts";
import { baseFacts, factsNow, findToken, verifyTokenInto } from "./request-facts.ts";
import {
  CHALLENGE_PATH,
  LOGIN_PATH,
  rawResponse,
  sendDeny,
  sendError,
  sendRedirect,
  wwwAuthenticate,
  errorJson,
} from "./respond.ts";
import { serveWellKnown } from "./well-known.ts";
import { handleEngineFlow, isFlowCandidate } from "../session/engine-flows.ts";
import {
  RETRY_AFTER_SECONDS,
  STATE_UNAVAILABLE,
  refusedForStore,
} from "../state-store/fail-closed.ts";
import type { SharedStateStore } from "../state-store/store.ts";
import type { EngineFlows } from "../session/engine-flows.ts";
import { noteCause, noteDecision } from "../ops/request-record.ts";
import { internalError } from "../ops/request-observer.ts";
import type { BusyReason, GateEntrant } from "../ops/tunnel-gate.ts";
import type { TunnelGates } from "../ops/tunnel-gate.ts";
import { noteUpgradeCause, noteUpgradeDecision, noteUpgradeStatus } from "../ops/upgrade-record.ts";
import type { ShadowHook } from "../shadow/shadow-rollout.ts";

/** What the pipeline reads on every request. */
export interface PipelineDeps extends FactSources {
  state(): ServingState;
  /** The challenge and login flows under `/.well-known/rstream/`; null serves none (404). */
  readonly flows: EngineFlows | null;
  readonly tokens: TokenBackend | null;
  readonly trustedProxies: TrustedProxies | null;
  readonly maxBodyBytes: number;
  readonly upgradeTimeoutMs: number;
  readonly log: Logger;
  readonly metrics: RuntimeMetrics;
  /** Per-tunnel admission to the upstream (docs/operations.md); absent: no cap. */
  readonly gates?: TunnelGates;
  /** The shared store (S-M1); null: none (tests of the pipeline alone). */
  readonly store?: SharedStateStore | null;
  /** Shadow rollout (docs/shadow.md); absent: off, at the cost of one property read. */
  readonly shadow?: ShadowHook;
}

/** A request whose route and facts are known: the unit every later step works on. */
interface Routed {
  readonly req: IncomingMessage;
  /** The request as decided and forwarded (S-R4). */
  readonly request: CanonicalRequest;
  readonly route: TunnelRoute;
  readonly client: ConnectionClient;
  readonly facts: RequestFacts;
}

/**
 * A routed request, its facts gathered but for the token still to check (`found`). One object
 * per request carries it through every step (HOT PATH: where a routing result, a pending-facts
 * record, a started record and a routed record were built before, issue #20).
 */
class RoutedRequest implements Routed {
  readonly req: IncomingMessage;
  readonly request: CanonicalRequest;
  readonly route: TunnelRoute;
  readonly client: ConnectionClient;
  /** Complete once the token is known (`factsNow`, `verifyTokenInto` set it in place). */
  readonly facts: RequestFacts;
  readonly found: FoundToken | null;

  constructor(
    req: IncomingMessage,
    request: CanonicalRequest,
    route: TunnelRoute,
    client: ConnectionClient,
    facts: RequestFacts,
    found: FoundToken | null,
  ) {
    this.req = req;
    this.request = request;
    this.route = route;
    this.client = client;
    this.facts = facts;
    this.found = found;
  }
}

type Early = {
  readonly status: number;
  readonly reason: string;
  readonly policy?: "tls";
  readonly headers?: Readonly<Record<string, string>>;
};

const MISDIRECTED: Early = { status: 421, reason: "misdirected_request" };
const NO_ROUTE: Early = { status: 404, reason: "no_route" };
const TLS_REQUIRED: Early = { status: 403, reason: "policy_denied", policy: "tls" };

/** `OPTIONS *` names no resource: the engine answers it and nothing is decided or forwarded. */
const ASTERISK_ANSWER: Early = {
  status: 200,
  reason: "ok",
  headers: { allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" },
};

const FROM_HEADER = { fromHeader: true } as const;

/** The route of a host, or why it has none (no object built either way). */
function routeFor(
  state: ServingState,
  host: string,
  tls: TlsConnectionInfo | undefined,
): TunnelRoute | Early {
  // The certificate and the TLS policy were chosen by SNI: a different Host would bypass them.
  if (tls !== undefined && tls.sni !== host) return MISDIRECTED;
  const route = state.routes.get(host);
  if (route === undefined || (tls !== undefined && route.tls === null)) return NO_ROUTE;
  // Fail closed: a tunnel whose TLS policy asks for more than TLS 1.2 is not served in clear.
  if (tls === undefined && route.requiresTls) return TLS_REQUIRED;
  return route;
}

function begin(req: IncomingMessage, deps: PipelineDeps): RoutedRequest | Early {
  // S-R1…S-R4, S-R15…S-R20: the one reading of the request; nothing below looks at req.url.
  const request = canonicalRequest(
    // SAFETY: Node's server sets `method` on every request it emits
    { method: req.method as string, target: req.url ?? "", rawHeaders: req.rawHeaders },
    FROM_HEADER,
  );
  if ("status" in request) return request;
  const state = deps.state();
  const host = request.hostname;
  const tls = tlsInfoOf(req.socket);
  const route = routeFor(state, host, tls);
  if ("status" in route) {
    // Shadow rollout: the candidate may serve what the running policy refused here.
    deps.shadow?.compareUnrouted(req, request, deps);
    return route;
  }
  if (request.path === "*") return ASTERISK_ANSWER;
  const client = connectionClient(
    req.socket,
    request.headers.forwardedFor,
    deps.trustedProxies,
    state.generation,
    deps.geo,
  );
  return new RoutedRequest(
    req,
    request,
    route,
    client,
    baseFacts(request, host, client, route, tls, deps),
    route.tunnel.auth.token ? findToken(request) : null,
  );
}

/** The `request` listener for the HTTP and HTTPS servers. */
export function createRequestHandler(
  deps: PipelineDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = begin(req, deps);
    if ("status" in started) {
      if (started.status === 200) {
        res.writeHead(200, { ...started.headers, "content-length": 0 });
        res.end();
        return;
      }
      noteDecision(res, null, "deny", "route", started.reason);
      logEarlyDeny(req, started, deps);
      sendError(res, started.status, started.reason, started.policy ?? null, acceptsHtml(req));
      return;
    }
    // HOT PATH: no token, or a kept verdict, decides at once with no callback built.
    if (factsNow(started.facts, started.found, deps.tokens) !== null) {
      act(started, res, deps);
      return;
    }
    verifyTokenInto(started.facts, started.found, deps.tokens).then(
      () => act(started, res, deps),
      (error: unknown) => {
        noteDecision(res, started.route.label, "", "token", "");
        internalError(res, deps.log, deps.metrics.traffic, "token_verification_threw", error);
      },
    );
  };
}

function act(r: Routed, res: ServerResponse, deps: PipelineDeps): void {
  const decision = decide(r, deps);
  if (decision === null) {
    noteCause(res, "decision_threw");
    deps.metrics.traffic.internalErrors.labels("decision_threw").inc();
    sendError(res, 500, "internal_error", null, r.facts.acceptsHtml);
    return;
  }
  if (refusedForStore(decision, deps.store ?? null)) {
    deps.metrics.countRequest("deny", STATE_UNAVAILABLE);
    sendError(res, 503, STATE_UNAVAILABLE, null, r.facts.acceptsHtml, {
      "retry-after": RETRY_AFTER_SECONDS,
    });
    return;
  }
  deps.metrics.countRequest(decision.outcome, decision.reason);
  noteDecision(res, r.route.label, decision.outcome, decision.stage, decision.reason);
  switch (decision.outcome) {
    case "forward":
      forward(r, res, deps);
      return;
    case "respond":
      serveWellKnown(r.req, res, decision, r.facts, r.route.tunnel, deps);
      return;
    case "challenge":
      sendRedirect(res, CHALLENGE_PATH, r.request.target);
      return;
    case "login":
      sendRedirect(res, LOGIN_PATH, r.request.target);
      return;
    case "deny":
      // The decision knows S-W1/S-W2 only; the challenge and login pages are the flows'.
      if (deps.flows !== null && isFlowCandidate(decision)) {
        if (handleEngineFlow(r.req, res, r.facts, r.request.target, r.route.tunnel, deps.flows))
          return;
      }
      logDeny(r, decision, deps);
      sendDeny(
        res,
        decision,
        r.facts.acceptsHtml,
        r.facts.token !== null,
        r.facts.path,
        r.facts.token?.detail ?? null,
      );
      return;
  }
}

/** Runs the compiled decision; a throw is a bug in Rampart, answered 500 and logged. */
function decide(r: Routed, deps: PipelineDeps): Decision | null {
  try {
    const decision = r.route.policy.request(r.facts);
    // Shadow rollout: the candidate decides too and never acts (it cannot throw).
    deps.shadow?.compare(r.route, r.facts, decision, r.req.socket);
    return decision;
  } catch (error) {
    deps.log.error(
      { err: error, tunnel: r.route.label },
      "decision function threw (a bug in rampart)",
    );
    return null;
  }
}

function forward(r: Routed, res: ServerResponse, deps: PipelineDeps): void {
  const upstream = r.route.upstream;
  if (upstream === null) {
    deps.metrics.upstreamFailures.labels("unreachable").inc();
    sendError(res, 502, "no_upstream", null, r.facts.acceptsHtml);
    return;
  }
  const headers = upstreamRequestHeaders(
    r.request.headers,
    forwardContext(r, false, upstream.host),
  );
  const forwarding = new Forwarding(r, res, deps, upstream, headers);
  const cancel = enterTunnelGate(r, deps, forwarding);
  if (cancel !== null) res.once("close", cancel);
}

/**
 * One forward: admitted by the tunnel gate, handed to the upstream, told how it ended. HOT
 * PATH: one object where the admission, refusal and completion closures were built before.
 */
class Forwarding implements GateEntrant, ForwardListener {
  readonly #r: Routed;
  readonly #res: ServerResponse;
  readonly #deps: PipelineDeps;
  readonly #upstream: Upstream;
  readonly #headers: string[];
  #release: () => void = NO_RELEASE;

  constructor(
    r: Routed,
    res: ServerResponse,
    deps: PipelineDeps,
    upstream: Upstream,
    headers: string[],
  ) {
    this.#r = r;
    this.#res = res;
    this.#deps = deps;
    this.#upstream = upstream;
    this.#headers = headers;
  }

  start(release: () => void): void {
    this.#release = release;
    const r = this.#r;
    forwardRequest(
      r.req,
      this.#res,
      this.#upstream,
      r.request.target,
      this.#headers,
      this.#deps.maxBodyBytes,
      this,
    );
  }

  busy(reason: BusyReason): void {
    countRejection(this.#r, this.#deps, reason);
    noteCause(this.#res, `tunnel_${reason}`);
    sendError(this.#res, 503, "tunnel_busy", null, this.#r.facts.acceptsHtml, {
      "retry-after": "1",
    });
  }

  forwarded(failure: ForwardFailure | null, error?: unknown): void {
    this.#release();
    if (failure === null) return;
    noteForwardFailure(this.#r, failure, error, this.#deps);
    if (failure !== "aborted") noteCause(this.#res, `upstream_${failure}`);
  }
}

const NO_RELEASE = (): void => undefined;

/**
 * Starts `entrant` once the tunnel has a free slot (at once when no caps are set). Past its
 * slots and queue, counts the rejection and tells `entrant` it is busy. Returns what cancels
 * a queued wait, or null when nothing waits.
 */
function enterTunnelGate(r: Routed, deps: PipelineDeps, entrant: GateEntrant): (() => void) | null {
  if (deps.gates === undefined) {
    entrant.start(NO_RELEASE);
    return null;
  }
  return deps.gates.enter(r.route.label, entrant);
}

/** Counts a request the tunnel gate refused. */
function countRejection(r: Routed, deps: PipelineDeps, reason: BusyReason): void {
  deps.metrics.traffic.tunnelRejections
    .labels(deps.metrics.traffic.tunnelLabel(r.route.label), reason)
    .inc();
}

function forwardContext(r: Routed, upgrade: boolean, upstreamHost: string) {
  return {
    forwardedFor: r.client.forwardedFor,
    proto: r.facts.secure ? ("https" as const) : ("http" as const),
    host: r.request.host,
    upstreamHost,
    dropAuthorization:
      r.facts.token?.source === "header" && !r.route.tunnel.auth.forwardAuthorization,
    upgrade,
  };
}

function noteForwardFailure(
  r: Routed,
  failure: ForwardFailure,
  error: unknown,
  deps: PipelineDeps,
): void {
  // A client that went away is counted and logged by the request observer, never as an
  // upstream failure.
  if (failure === "aborted") return;
  deps.metrics.upstreamFailures.labels(failure).inc();
  const detail = (error as { code?: string } | undefined)?.code ?? null;
  deps.log.warn(
    { tunnel: r.route.label, failure, detail, method: r.facts.method, path: r.facts.path },
    "forward failed",
  );
}

/** One decision log line per denied request (never a token or cookie value). */
function logDeny(r: Routed, decision: Decision, deps: PipelineDeps): void {
  deps.log.info(
    {
      tunnel: r.route.label,
      stage: decision.stage,
      rule: decision.rule,
      reason: decision.reason,
      policy: decision.policy,
      status: decision.status,
      method: r.facts.method,
      host: r.facts.host,
      path: r.facts.path,
      clientIp: r.facts.clientIp,
      country: r.facts.country,
      tokenSource: r.facts.token?.source ?? null,
      // Why the backend refused the token (S-T1: an unknown key, a boundary over its limits …).
      tokenDetail: r.facts.token?.detail ?? null,
    },
    "request denied",
  );
}

/** The decision log line of a request refused before any tunnel decided (routing, 421, TLS). */
function logEarlyDeny(req: IncomingMessage, early: Early, deps: PipelineDeps): void {
  deps.metrics.countRequest("deny", early.reason);
  const url = req.url ?? "";
  const q = url.indexOf("?");
  deps.log.info(
    {
      stage: "route",
      rule: "route",
      reason: early.reason,
      policy: early.policy ?? null,
      status: early.status,
      method: req.method,
      host: req.headers.host ?? null,
      path: q < 0 ? url : url.slice(0, q),
      peer: canonicalPeer(req.socket.remoteAddress),
    },
    "request denied",
  );
}

/** The `upgrade` listener: the same pipeline, then a spliced connection instead of a response. */
export function createUpgradeHandler(
  deps: PipelineDeps,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on("error", () => socket.destroy());
    const started = begin(req, deps);
    if ("status" in started) {
      // An upgrade is never answered 200 (`OPTIONS *` cannot be an upgrade either way).
      const status = started.status === 200 ? 400 : started.status;
      const reason = started.status === 200 ? "bad_request_target" : started.reason;
      logEarlyDeny(req, { ...started, status, reason }, deps);
      noteUpgradeDecision(req, null, "deny", "route", reason);
      refuseUpgrade(req, socket, status, errorJson(reason, started.policy ?? null));
      return;
    }
    if (factsNow(started.facts, started.found, deps.tokens) !== null) {
      actUpgrade(started, socket, head, deps);
      return;
    }
    verifyTokenInto(started.facts, started.found, deps.tokens).then(
      () => actUpgrade(started, socket, head, deps),
      (error: unknown) => {
        deps.metrics.traffic.internalErrors.labels("token_verification_threw").inc();
        deps.log.error(
          { err: error, cause: "token_verification_threw", tunnel: started.route.label },
          "internal error; answered 500",
        );
        noteUpgradeDecision(req, started.route.label, "", "token", "");
        noteUpgradeCause(req, "token_verification_threw");
        refuseUpgrade(req, socket, 500, errorJson("internal_error", null));
      },
    );
  };
}

function actUpgrade(r: Routed, socket: Duplex, head: Buffer, deps: PipelineDeps): void {
  const decision = decide(r, deps);
  if (decision === null) {
    noteUpgradeDecision(r.req, r.route.label, "", "", "");
    noteUpgradeCause(r.req, "decision_threw");
    refuseUpgrade(r.req, socket, 500, errorJson("internal_error", null));
    return;
  }
  if (refusedForStore(decision, deps.store ?? null)) {
    deps.metrics.countRequest("deny", STATE_UNAVAILABLE);
    refuseUpgrade(r.req, socket, 503, errorJson(STATE_UNAVAILABLE, null));
    return;
  }
  deps.metrics.countRequest(decision.outcome, decision.reason);
  noteUpgradeDecision(r.req, r.route.label, decision.outcome, decision.stage, decision.reason);
  if (decision.outcome !== "forward") {
    // An upgrade cannot follow a redirect or be answered by an engine page (S-C4): refuse it.
    const status = decision.outcome === "deny" ? decision.status : 403;
    const reason =
      decision.outcome === "deny"
        ? decision.reason
        : decision.outcome === "respond"
          ? "not_allowed"
          : `${decision.outcome}_required`;
    if (decision.outcome === "deny") logDeny(r, decision, deps);
    const challenge =
      decision.outcome === "deny" ? wwwAuthenticate(decision, r.facts.token !== null) : null;
    refuseUpgrade(
      r.req,
      socket,
      status,
      errorJson(reason, decision.outcome === "deny" ? decision.policy : null),
      challenge === null ? {} : { "www-authenticate": challenge },
    );
    return;
  }
  const upstream = r.route.upstream;
  if (upstream === null) {
    refuseUpgrade(r.req, socket, 502, errorJson("no_upstream", null));
    return;
  }
  // S-R16: only a WebSocket handshake reaches this point (canonicalRequest refused the rest).
  const headers = upstreamRequestHeaders(r.request.headers, forwardContext(r, true, upstream.host));
  const open = (release: () => void): void => {
    // An open WebSocket holds its tunnel slot until its connection closes (issue #18).
    socket.once("close", release);
    forwardUpgrade(
      r.req,
      socket,
      head,
      upstream,
      r.request.target,
      headers,
      deps.upgradeTimeoutMs,
      (failure, status) => {
        noteUpgradeStatus(r.req, status);
        if (failure === null) return;
        noteUpgradeCause(r.req, `upstream_${failure}`);
        noteForwardFailure(r, failure, undefined, deps);
      },
    );
  };
  const cancel = enterTunnelGate(r, deps, {
    start: open,
    busy: (reason) => {
      countRejection(r, deps, reason);
      noteUpgradeCause(r.req, `tunnel_${reason}`);
      refuseUpgrade(r.req, socket, 503, errorJson("tunnel_busy", null), { "retry-after": "1" });
    },
  });
  if (cancel !== null) socket.once("close", cancel);
}

/** Answers an upgrade the engine refuses, noting the status for its access-log line. */
function refuseUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  status: number,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  noteUpgradeStatus(req, status);
  endConnection(socket, rawResponse(status, body, headers));
}

function acceptsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept !== undefined && accept.includes("text/html");
}
