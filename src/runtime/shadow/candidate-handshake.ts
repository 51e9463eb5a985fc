/**
 * The candidate's decision for a TLS handshake of an HTTP tunnel, and the words of a
 * handshake disagreement. The facts are the running tunnel's: its CA verified the client
 * certificate and its credentials named it, so a candidate that changes those is judged on
 * the running tunnel's reading of the certificate (docs/shadow.md).
 */
import { decisionLine } from "../../analysis/diff/render-diff.ts";
import {
  handshakeRefusedDecision,
  handshakeUnknownSniVerdict,
} from "../../bounds/handshake-verdicts.ts";
import type { HandshakeDecision } from "../../ir/decision.ts";
import type { HandshakeFacts } from "../../ir/facts.ts";
import type { ServingState } from "../state.ts";

const UNKNOWN_SNI: HandshakeDecision = Object.freeze(handshakeUnknownSniVerdict());

/** The candidate's handshake decision: its tunnel for the server name, as the listener picks. */
export function decideCandidateHandshake(
  candidate: ServingState,
  facts: HandshakeFacts,
): HandshakeDecision {
  const route = candidate.routes.get(facts.sni);
  if (route === undefined || route.tls === null) return UNKNOWN_SNI;
  return route.policy.handshake(facts);
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
