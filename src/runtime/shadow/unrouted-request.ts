/**
 * The candidate's decision for a request that the running policy refused before any tunnel
 * decided: a host it does not serve (404 `no_route`) or a tunnel that refuses plain HTTP
 * (403 `policy_denied: tls`). The candidate routes the request with its own hosts; where it
 * serves the host, the facts are gathered for its tunnel (cookies, the country, a token
 * verified by the same backend) and its decision is compared, so a candidate that adds or
 * removes a host shows on real traffic. A `421` (SNI and Host differ) and `OPTIONS *` are
 * answered the same by any policy (the first) or by no decision (the second): not compared.
 */
import type { IncomingMessage } from "node:http";
import { noRouteVerdict, plainHttpDeniedVerdict } from "../../bounds/verdicts.ts";
import type { Decision } from "../../ir/decision.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import type { CanonicalRequest } from "../http/canonical-request.ts";
import { canonicalPeer, clientAddress } from "../http/client-ip.ts";
import type { TrustedProxies } from "../http/client-ip.ts";
import { completeFacts, gatherFacts } from "../http/request-facts.ts";
import type { FactSources } from "../http/request-facts.ts";
import type { ServingState, TunnelRoute } from "../state.ts";
import { tlsInfoOf } from "../tls/listener.ts";
import type { TokenBackend } from "../tokens/backend.ts";
import { NOT_COMPARED } from "./candidate-decision.ts";

/** What the pipeline reads that the candidate's routing and facts need too. */
export interface UnroutedSources extends FactSources {
  state(): ServingState;
  readonly tokens: TokenBackend | null;
  readonly trustedProxies: TrustedProxies | null;
}

/** Both sides' decisions of an unrouted request, on the tunnel that one of them routes to. */
export interface UnroutedComparison {
  readonly label: string;
  readonly facts: RequestFacts;
  readonly running: Decision;
  readonly candidate: Decision;
}

/** Both sides refuse it before any tunnel, the same way. */
export const BOTH_UNROUTED = "both-unrouted";

export type UnroutedOutcome = UnroutedComparison | typeof BOTH_UNROUTED | typeof NOT_COMPARED;

const NO_ROUTE: Decision = Object.freeze(noRouteVerdict());

/** The refusal of a host's route before its tunnel decides, or null when it would decide. */
function earlyRefusal(route: TunnelRoute | undefined, secure: boolean): Decision | null {
  if (route === undefined || (secure && route.tls === null)) return NO_ROUTE;
  if (!secure && route.requiresTls)
    return plainHttpDeniedVerdict(route.tunnel.tls.minRule, route.tunnel.tls.runtimeMin);
  return null;
}

/**
 * Decides, with `candidate`, a request the running policy refused at routing, and calls
 * `done` once with the comparison (after the token's verification, when the candidate's
 * tunnel reads one). `fail` gets a verification that threw.
 */
export function decideUnrouted(
  candidate: ServingState,
  req: IncomingMessage,
  request: CanonicalRequest,
  sources: UnroutedSources,
  done: (outcome: UnroutedOutcome) => void,
  fail: (error: unknown) => void,
): void {
  const host = request.hostname;
  const tls = tlsInfoOf(req.socket);
  if ((tls !== undefined && tls.sni !== host) || request.path === "*") {
    done(NOT_COMPARED);
    return;
  }
  const secure = tls !== undefined;
  const runningRoute = sources.state().routes.get(host);
  const route = candidate.routes.get(host);
  // SAFETY: the running pipeline refused this request at routing, so it has a refusal.
  const running = earlyRefusal(runningRoute, secure) as Decision;
  const refused = earlyRefusal(route, secure);
  if (refused !== null && refused.status === running.status && refused.reason === running.reason) {
    done(BOTH_UNROUTED);
    return;
  }
  // SAFETY: one of the two routes exists, else both would be the same `no_route`.
  const gathering = (refused === null ? route : (route ?? runningRoute)) as TunnelRoute;
  const clientIp = clientAddress(
    canonicalPeer(req.socket.remoteAddress),
    request.headers.byName["x-forwarded-for"],
    sources.trustedProxies,
  );
  const pending = gatherFacts(request, host, clientIp, gathering, tls, sources);
  const decide = (facts: RequestFacts): void =>
    done({
      label: gathering.label,
      facts,
      running,
      candidate: refused ?? gathering.policy.request(facts),
    });
  // A candidate that refuses at routing never reads the token.
  if (refused !== null) decide(pending.base);
  else completeFacts(pending, sources.tokens, decide, fail);
}
