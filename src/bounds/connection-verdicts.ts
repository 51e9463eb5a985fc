/**
 * Connection decision constructors for stream tunnels (`tls`, `tls-passthrough`, `tcp`; S-P1),
 * shared by the interpreter and the compiler. They have the shape of a handshake decision: a
 * stream connection is refused by closing it, never with an HTTP answer.
 */
import type { HandshakeDecision } from "../ir/decision.ts";
import type { EffectiveTunnel, RuleRef } from "./effective.ts";

function refuse(policy: HandshakeDecision["policy"], rule: RuleRef, message: string) {
  return { allow: false, policy, rule: rule.rule, origin: rule.origin, message };
}

/** The connection passes every edge rule of the tunnel. */
export function connectionAllowVerdict(tunnel: EffectiveTunnel): HandshakeDecision {
  return {
    allow: true,
    policy: null,
    rule: `tunnel:${tunnel.id}`,
    origin: tunnel.origin,
    message: `the connection meets the edge policy of tunnel ${tunnel.id}`,
  };
}

/** The client address is outside a trusted-IP list (S-A3). */
export function connectionIpVerdict(rule: RuleRef): HandshakeDecision {
  return refuse("ip", rule, `the client address is not in the trusted IPs of ${rule.rule}`);
}

/** The client's country is unknown or outside a GeoIP list (S-A4). */
export function connectionGeoVerdict(rule: RuleRef): HandshakeDecision {
  return refuse(
    "geo",
    rule,
    `the client's country is unknown or not in the countries of ${rule.rule}`,
  );
}

/** A verified certificate that maps to no registered credential (S-H6). */
export function connectionNoCredentialVerdict(rule: RuleRef): HandshakeDecision {
  return refuse(
    "mtls",
    rule,
    `${rule.rule} requires a client certificate registered as a credential of the policy`,
  );
}

/** A registered credential whose grant does not connect to this tunnel (S-H6, S-T3). */
export function connectionCredentialScopeVerdict(rule: RuleRef): HandshakeDecision {
  return refuse(
    "mtls",
    rule,
    `the client credential's grant ${rule.rule} does not connect to this tunnel`,
  );
}
