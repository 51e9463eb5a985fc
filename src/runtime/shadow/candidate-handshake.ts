/**
 * The candidate's decision for a TLS handshake, found as the listener finds the tunnel (a
 * `tls` stream tunnel, else an HTTP tunnel, by server name), and the words of a handshake
 * disagreement. The candidate reads the client certificate with its own CA and credentials
 * (candidate-certificate.ts); a candidate that would relay the name untouched
 * (`tls-passthrough`) or ask for a certificate the client was never asked for is not compared.
 */
import type { TLSSocket } from "node:tls";
import { decisionLine } from "../../analysis/diff/render-diff.ts";
import {
  handshakeRefusedDecision,
  handshakeUnknownSniVerdict,
} from "../../bounds/handshake-verdicts.ts";
import type { HandshakeDecision } from "../../ir/decision.ts";
import type { HandshakeFacts } from "../../ir/facts.ts";
import type { ServingState } from "../state.ts";
import type { TunnelTls } from "../tls/contexts.ts";
import { NOT_COMPARED } from "./candidate-decision.ts";
import { NOT_JUDGED, candidateCertificateReading } from "./candidate-certificate.ts";
import type { CertificateReading } from "./candidate-certificate.ts";

const UNKNOWN_SNI: HandshakeDecision = Object.freeze(handshakeUnknownSniVerdict());

/** The candidate's handshake decision and its reading of the client certificate. */
export interface CandidateHandshake {
  readonly decision: HandshakeDecision;
  /** Null when the candidate does not serve the name over TLS (nothing read). */
  readonly reading: CertificateReading | null;
}

/**
 * The candidate's handshake decision for `facts`, which the running tunnel (`running`, its
 * TLS setup) gathered on `socket`.
 */
export function decideCandidateHandshake(
  candidate: ServingState,
  facts: HandshakeFacts,
  running: TunnelTls,
  socket: TLSSocket,
): CandidateHandshake | typeof NOT_COMPARED {
  const stream = candidate.streams.bySni.get(facts.sni);
  if (stream?.kind === "passthrough") return NOT_COMPARED;
  const route = candidate.routes.get(facts.sni);
  const selected =
    stream?.tls != null
      ? { tls: stream.tls, credentials: stream.credentials, decider: stream.compiled }
      : route?.tls != null
        ? { tls: route.tls, credentials: route.credentials, decider: route.policy }
        : null;
  if (selected === null) return { decision: UNKNOWN_SNI, reading: null };
  const reading = candidateCertificateReading(
    socket,
    running,
    facts.clientCertVerified,
    selected.tls,
    selected.credentials,
  );
  if (reading === NOT_JUDGED) return NOT_COMPARED;
  const seen =
    reading.verified === facts.clientCertVerified && reading.credential === facts.clientCredential
      ? facts
      : { ...facts, clientCertVerified: reading.verified, clientCredential: reading.credential };
  return { decision: selected.decider.handshake(seen), reading };
}

/** A handshake decision in diff's words: a refusal reads as the deny it answers. */
export function handshakeLine(d: HandshakeDecision): string {
  return d.allow ? `handshake passes [${d.rule}]` : decisionLine(handshakeRefusedDecision(d));
}

/** A handshake in one line: `TLS 1.2 handshake for app.example.com (group x25519, …)`. */
export function describeHandshake(facts: HandshakeFacts): string {
  const parts = [`group ${facts.group ?? "unknown"}`];
  if (facts.ech) parts.push("ECH");
  if (facts.clientCredential !== null)
    parts.push(`client certificate \`${facts.clientCredential}\``);
  else if (facts.clientCertVerified) parts.push("a verified client certificate");
  return `TLS ${facts.version} handshake for ${facts.sni} (${parts.join(", ")})`;
}
