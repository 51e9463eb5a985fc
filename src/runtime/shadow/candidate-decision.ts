/**
 * The candidate's decision for a request the running policy routed and decided. The facts are
 * the running route's; where the candidate's tunnel reads more than that route gathered, the
 * missing fact is filled in (the country) or the request is left uncompared (a token the
 * running tunnel never looked for), never guessed.
 */
import { noRouteVerdict, plainHttpDeniedVerdict } from "../../bounds/verdicts.ts";
import type { Decision } from "../../ir/decision.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import type { CountryLookup } from "../geoip.ts";
import type { ServingState, TunnelRoute } from "../state.ts";

/** The candidate cannot be asked fairly about this request (docs/shadow.md says when). */
export const NOT_COMPARED = null;

const NO_ROUTE: Decision = Object.freeze(noRouteVerdict());

/**
 * Decides `facts` with the candidate as the pipeline would if the candidate were serving:
 * routing first (no tunnel, or none on this listener, is the pipeline's 404; a tunnel that
 * demands more than TLS 1.2 refuses plain HTTP), then the tunnel's compiled decision.
 */
export function decideCandidate(
  candidate: ServingState,
  running: TunnelRoute,
  facts: RequestFacts,
  geo: CountryLookup,
): Decision | typeof NOT_COMPARED {
  const route = candidate.routes.get(facts.host);
  if (route === undefined || (facts.secure && route.tls === null)) return NO_ROUTE;
  if (!facts.secure && route.requiresTls) {
    return plainHttpDeniedVerdict(route.tunnel.tls.minRule, route.tunnel.tls.runtimeMin);
  }
  // The running tunnel does not read tokens, so none was looked for or verified.
  if (route.tunnel.auth.token && !running.tunnel.auth.token) return NOT_COMPARED;
  // GeoIP is looked up only for tunnels that read the country: the candidate's may.
  const seen =
    route.needsCountry && !running.needsCountry
      ? { ...facts, country: geo.country(facts.clientIp) }
      : facts;
  return route.policy.request(seen);
}
