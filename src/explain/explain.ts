/**
 * `rampart explain`: decide one request (and its handshake, when TLS facts are given) with the
 * reference interpreter and render the decision with its trace.
 */
import type { EffectivePolicy } from "../bounds/effective.ts";
import { handshakeRefusedDecision } from "../bounds/handshake-verdicts.ts";
import type { SourceFile } from "../diagnostics/span.ts";
import { interpretHandshake } from "../interpret/handshake.ts";
import { interpretRequest } from "../interpret/request.ts";
import type { TraceStep } from "../interpret/trace.ts";
import type { Decision } from "../ir/decision.ts";
import type { HandshakeFacts, RequestFacts } from "../ir/facts.ts";
import { renderExplanation } from "./render-trace.ts";

/** A decision with the trace that led to it. */
export interface Explanation {
  readonly decision: Decision;
  readonly trace: readonly TraceStep[];
  /** The rendered text. */
  readonly text: string;
}

/** Decides `request` (after `handshake`, if given) and renders why. */
export function explainRequest(
  policy: EffectivePolicy,
  request: RequestFacts,
  handshake: HandshakeFacts | null,
  sources: ReadonlyMap<string, SourceFile>,
): Explanation {
  const shake = handshake === null ? null : interpretHandshake(policy, handshake);
  if (shake !== null && !shake.decision.allow) {
    const decision = handshakeRefusedDecision(shake.decision);
    return {
      decision,
      trace: shake.trace,
      text: renderExplanation(decision, shake.trace, sources),
    };
  }
  const { decision, trace: requestTrace } = interpretRequest(policy, request);
  const trace = [...(shake?.trace ?? []), ...requestTrace];
  return { decision, trace, text: renderExplanation(decision, trace, sources) };
}
