/**
 * Challenge mode (SPEC S-C1): a boolean tunnel property, meaningful for HTTP tunnels only;
 * off unless the tunnel turns it on.
 */
import type { TunnelIr } from "../../ir/types.ts";
import type { RuleRef } from "../effective.ts";
import { isHttpFamily } from "../protocol.ts";
import { tunnelRule } from "../rules.ts";

/** Whether the tunnel challenges clients. */
export function challengeOn(tunnel: TunnelIr): boolean {
  return isHttpFamily(tunnel.protocol) && tunnel.challenge === true;
}

/** The rule that says whether the tunnel challenges clients (cited either way). */
export function challengeRule(tunnel: TunnelIr): RuleRef {
  return tunnelRule(tunnel, "challenge_mode");
}
