/**
 * Admission of one stream connection (S-P1): the connection facts from the socket and GeoIP,
 * the compiled connection decision, and a log line and metric for a refusal. The caller closes
 * a refused connection before a byte reaches the upstream.
 */
import type { Logger } from "pino";
import type { HandshakeDecision } from "../../ir/decision.ts";
import type { ConnectionFacts } from "../../ir/facts.ts";
import type { CountryLookup } from "../geoip.ts";
import { canonicalPeer } from "../http/client-ip.ts";
import type { RuntimeMetrics } from "../ops/metrics.ts";
import type { ServingState } from "../state.ts";
import type { RelayBounds } from "./relay.ts";
import type { StreamRoute } from "./routes.ts";
import type { ShadowHook } from "../shadow/shadow-rollout.ts";

/** What the stream listeners read. */
export interface StreamDeps {
  state(): ServingState;
  readonly geo: CountryLookup;
  readonly log: Logger;
  readonly metrics: RuntimeMetrics;
  readonly bounds: RelayBounds;
  /** Shadow rollout (docs/shadow.md): compares handshakes and connections; absent: off. */
  readonly shadow?: ShadowHook;
}

/**
 * Decides a connection to `route`; logs and counts a refusal. Never throws. `where` (the
 * `tcp` port's option or the server name) and the TLS `socket` are for the shadow candidate.
 */
export function admitConnection(
  route: StreamRoute,
  remoteAddress: string | undefined,
  clientCredential: string | null,
  deps: StreamDeps,
  where: string,
  socket: object | null,
): HandshakeDecision | null {
  const clientIp = canonicalPeer(remoteAddress);
  const facts: ConnectionFacts = {
    clientIp,
    country: route.needsCountry ? deps.geo.country(clientIp) : null,
    clientCredential,
  };
  let decision: HandshakeDecision;
  try {
    decision = route.compiled.connection(facts);
  } catch (error) {
    deps.log.error(
      { err: error, tunnel: route.label },
      "decision function threw (a bug in rampart)",
    );
    deps.metrics.streamConnections.labels(route.kind, "error").inc();
    return null;
  }
  // Shadow rollout: the candidate decides the connection too and never acts.
  deps.shadow?.compareConnection(route.kind, where, route, facts, decision, socket);
  if (decision.allow) {
    deps.metrics.streamConnections.labels(route.kind, "relayed").inc();
    return decision;
  }
  deps.metrics.streamConnections.labels(route.kind, "refused").inc();
  deps.log.info(
    {
      tunnel: route.label,
      kind: route.kind,
      rule: decision.rule,
      policy: decision.policy,
      clientIp,
      country: facts.country,
      reason: decision.message,
    },
    "stream connection refused",
  );
  return decision;
}
