/**
 * The candidate's decision for a stream connection (`tcp` at accept, `tls-passthrough` at the
 * ClientHello, `tls` after the handshake; S-P1), found as the running listener would find it
 * in the candidate: the `tcp` tunnel of the same port option, or the tunnel serving the server
 * name. A candidate that would serve the name another way (terminate what is passed through,
 * answer HTTP where a stream is relayed) decides at another step, so it is not compared here.
 */
import { decisionLine } from "../../analysis/diff/render-diff.ts";
import {
  handshakeRefusedDecision,
  handshakeUnknownSniVerdict,
} from "../../bounds/handshake-verdicts.ts";
import type { HandshakeDecision } from "../../ir/decision.ts";
import type { ConnectionFacts } from "../../ir/facts.ts";
import type { CountryLookup } from "../geoip.ts";
import type { ServingState } from "../state.ts";
import type { StreamRoute } from "../stream/routes.ts";
import { NOT_COMPARED } from "./candidate-decision.ts";

/** Where a stream connection arrived: a `tcp` port (by its option) or a server name. */
export type StreamPlace =
  | { readonly kind: "tcp"; readonly portOption: string }
  | { readonly kind: "passthrough" | "tls"; readonly sni: string };

export const UNKNOWN_SNI: HandshakeDecision = Object.freeze(handshakeUnknownSniVerdict());
/** No `tcp` tunnel of the policy is named by the port's option: the connection is closed. */
export const NO_TCP_TUNNEL: HandshakeDecision = Object.freeze({
  allow: false,
  policy: null,
  rule: "route",
  origin: null,
  message: "no tcp tunnel of the policy is served on this port",
});

/** The candidate's tunnel for `place`, or what else the candidate does there. */
function candidateRoute(
  candidate: ServingState,
  place: StreamPlace,
): StreamRoute | "none" | "elsewhere" {
  if (place.kind === "tcp") return candidate.streams.byPortOption.get(place.portOption) ?? "none";
  const stream = candidate.streams.bySni.get(place.sni);
  if (stream !== undefined) return stream.kind === place.kind ? stream : "elsewhere";
  return candidate.routes.get(place.sni)?.tls != null ? "elsewhere" : "none";
}

/**
 * The candidate's connection decision. `credential` is the candidate's own reading of the
 * client certificate (a `tls` tunnel), `runningNeedsCountry` whether `facts.country` was
 * looked up (else it is, for a candidate that reads it).
 */
export function decideCandidateConnection(
  candidate: ServingState,
  place: StreamPlace,
  facts: ConnectionFacts,
  runningNeedsCountry: boolean,
  credential: string | null,
  geo: CountryLookup,
): { decision: HandshakeDecision; label: string | null } | typeof NOT_COMPARED {
  const route = candidateRoute(candidate, place);
  if (route === "elsewhere") return NOT_COMPARED;
  if (route === "none")
    return { decision: place.kind === "tcp" ? NO_TCP_TUNNEL : UNKNOWN_SNI, label: null };
  const country =
    route.needsCountry && !runningNeedsCountry ? geo.country(facts.clientIp) : facts.country;
  const seen =
    country === facts.country && credential === facts.clientCredential
      ? facts
      : { ...facts, country, clientCredential: credential };
  return { decision: route.compiled.connection(seen), label: route.label };
}

/** A connection decision in diff's words: a refusal reads as the deny it answers. */
export function connectionLine(d: HandshakeDecision): string {
  return d.allow ? `relayed [${d.rule}]` : decisionLine(handshakeRefusedDecision(d));
}

/** A connection in one line: `tcp connection on port of \`db\` from 192.0.2.10 (NL)`. */
export function describeConnection(
  place: StreamPlace,
  facts: ConnectionFacts,
  country: string | null,
): string {
  const where =
    place.kind === "tcp"
      ? `tcp connection on the port of \`${place.portOption}\``
      : `${place.kind === "tls" ? "TLS" : "TLS passthrough"} connection for ${place.sni}`;
  const cert =
    facts.clientCredential === null ? "" : `, client certificate \`${facts.clientCredential}\``;
  return `${where} from ${facts.clientIp} (${country ?? "unknown country"}${cert})`;
}
