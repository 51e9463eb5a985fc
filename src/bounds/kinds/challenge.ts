/**
 * Challenge mode (SPEC S-C1): a boolean tunnel property, meaningful for HTTP tunnels only;
 * off unless the tunnel turns it on.
 */
import type { TunnelIr } from "../../ir/types.ts";
import type { RuleRef } from "../effective.ts";
import { isHttpFamily } from "../protocol.ts";
import { tunnelRule } from "../rules.ts";

/** Whether the tunnel challenges clients, and the rule that says so. */
export function effectiveChallenge(tunnel: TunnelIr): {
  readonly on: boolean;
  readonly rule: RuleRef;
} {
  return {
    on: isHttpFamily(tunnel.protocol) && tunnel.challenge === true,
    rule: tunnelRule(tunnel, "challenge_mode"),
  };
}
