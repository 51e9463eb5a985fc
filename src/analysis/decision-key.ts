/**
 * What counts as "the same decision" for analyses: what the client observes (outcome, status,
 * reason, policy kind, engine endpoint, how it was authenticated). The rule id, its span and
 * the message are explanation, not behaviour: moving a rule in the file changes none of them.
 */
import type { Decision } from "../ir/decision.ts";

/** A comparable key of a decision's observable behaviour. */
export function decisionKey(d: Decision): string {
  return [
    d.outcome,
    d.status,
    d.reason,
    d.policy ?? "",
    d.endpoint ?? "",
    d.identity?.method ?? "",
  ].join("|");
}

/** Whether the request reaches the upstream. */
export function isForwarded(d: Decision): boolean {
  return d.outcome === "forward";
}

/** A short phrase for a decision: `forwarded`, `denied 403 (policy_denied: ip)`. */
export function describeDecision(d: Decision): string {
  switch (d.outcome) {
    case "forward":
      return d.identity === null
        ? "forwarded"
        : `forwarded (authenticated by ${d.identity.method})`;
    case "respond":
      return `answered by the engine (${d.endpoint ?? "endpoint"}, ${d.status})`;
    case "challenge":
      return `sent to the challenge (${d.status})`;
    case "login":
      return `sent to log in (${d.status})`;
    case "deny":
      return `denied ${d.status} (${d.reason}${d.policy !== null ? `: ${d.policy}` : ""})`;
  }
}
