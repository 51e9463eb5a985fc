/**
 * The browser flows the engine serves itself under `/.well-known/rstream/` besides the
 * session and logout endpoints: the challenge (S-C2) and the rstream Auth login (S-H4).
 * The pipeline hands over a request whose decision found no such endpoint among S-W1/S-W2,
 * so edge access (S-O1) has already passed and nothing here is ever forwarded (S-O2).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { Decision } from "../../ir/decision.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import { createChallengeContext, handleChallengeEndpoint } from "../challenge/endpoint.ts";
import type { ChallengeContext } from "../challenge/endpoint.ts";
import { DEFAULT_CHALLENGE_OPTIONS } from "../challenge/options.ts";
import type { ResolvedChallengeOptions } from "../challenge/options.ts";
import { createSessionContext, handleSessionEndpoint } from "./endpoint.ts";
import type { SessionContext } from "./endpoint.ts";
import type { ResolvedRstreamAuthOptions } from "./options.ts";
import type { SharedStateStore } from "../state-store/store.ts";

/** Both flows' contexts, built once per runtime. */
export interface EngineFlows {
  readonly challenge: ChallengeContext;
  readonly session: SessionContext;
}

/** Builds the flows from the runtime options (`rstreamAuth` undefined: no IdP, S-H4). */
export function createEngineFlows(
  cookieKey: string,
  challenge: ResolvedChallengeOptions | undefined,
  rstreamAuth: ResolvedRstreamAuthOptions | undefined,
  log: Logger | null,
  store: SharedStateStore | null = null,
): EngineFlows {
  // With a shared store, a proof is redeemed once across the fleet (S-M1).
  const redeem =
    store === null
      ? undefined
      : async (key: string, expiresAt: number) => {
          const claimed = await store.claimOnce(key, expiresAt);
          if (claimed === "unavailable") store.metrics.refusals.labels("challenge").inc();
          return claimed;
        };
  return {
    challenge: createChallengeContext(cookieKey, challenge ?? DEFAULT_CHALLENGE_OPTIONS, redeem),
    session: createSessionContext(cookieKey, rstreamAuth, log),
  };
}

/** The decision found no S-W1/S-W2 endpoint at this well-known path: a flow may serve it. */
export function isFlowCandidate(decision: Decision): boolean {
  return (
    decision.stage === "well-known" && decision.outcome === "deny" && decision.reason === "no_route"
  );
}

/** Serves a flow endpoint; false when the path is none of them (the caller answers 404). */
export function handleEngineFlow(
  req: IncomingMessage,
  res: ServerResponse,
  facts: RequestFacts,
  url: string,
  tunnel: EffectiveTunnel,
  flows: EngineFlows,
): boolean {
  return (
    handleChallengeEndpoint(req, res, facts, url, tunnel.challenge, flows.challenge) ||
    handleSessionEndpoint(req, res, facts, url, tunnel, flows.session)
  );
}
