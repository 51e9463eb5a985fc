/**
 * Whether the candidate's decision differs from the running one in what a client observes,
 * and how, in `rampart diff`'s categories: the same comparison as `decisionKey` (the rule id
 * and message are explanation, not behaviour), written field by field because it runs on
 * every request.
 */
import { isForwarded } from "../../analysis/decision-key.ts";
import type { ChangeKind } from "../../analysis/diff/types.ts";
import type { Decision } from "../../ir/decision.ts";

/** True when both decisions look the same to the client. HOT PATH: no allocation. */
export function sameBehaviour(a: Decision, b: Decision): boolean {
  return (
    a.outcome === b.outcome &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.policy === b.policy &&
    a.endpoint === b.endpoint &&
    (a.identity?.method ?? null) === (b.identity?.method ?? null)
  );
}

/** How the change from `running` to `candidate` reads in `rampart diff`'s words. */
export function disagreementKind(running: Decision, candidate: Decision): ChangeKind {
  if (!isForwarded(running) && isForwarded(candidate)) return "newly-allowed";
  if (isForwarded(running) && !isForwarded(candidate)) return "newly-denied";
  return "changed";
}
