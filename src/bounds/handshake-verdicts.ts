/**
 * Handshake decision constructors shared by the interpreter and the compiler, and the
 * conversion of a refused handshake into a request `Decision` for policy tests.
 */
import type { Decision, HandshakeDecision } from "../ir/decision.ts";
import type { PolicyKind, TlsVersion } from "../ir/types.ts";
import type { EffectiveTunnel, RuleRef } from "./effective.ts";

function refuse(policy: PolicyKind | null, rule: RuleRef, message: string): HandshakeDecision {
  return { allow: false, policy, rule: rule.rule, origin: rule.origin, message };
}

/** The handshake meets every TLS requirement of the tunnel. */
export function handshakeAllowVerdict(tunnel: EffectiveTunnel): HandshakeDecision {
  return {
    allow: true,
    policy: null,
    rule: `tunnel:${tunnel.id}`,
    origin: tunnel.origin,
    message: `the handshake meets the TLS requirements of tunnel ${tunnel.id}`,
  };
}

/** Passthrough and TCP tunnels: TLS is the upstream's business (S-X1). */
export function handshakePassthroughVerdict(tunnel: EffectiveTunnel): HandshakeDecision {
  return {
    allow: true,
    policy: null,
    rule: `tunnel:${tunnel.id}.protocol`,
    origin: tunnel.origin,
    message: `tunnel ${tunnel.id} does not terminate TLS; the upstream checks it`,
  };
}

/** No published tunnel serves the SNI. */
export function handshakeUnknownSniVerdict(): HandshakeDecision {
  return refuse(
    null,
    { rule: "route", origin: null },
    "no published tunnel serves this server name",
  );
}

/** A TLS version below the runtime minimum (S-A5; raised to 1.3 by S-A6/S-A7 `required`). */
export function handshakeTlsVersionVerdict(rule: RuleRef, min: TlsVersion): HandshakeDecision {
  return refuse(
    "tls",
    rule,
    `the handshake uses a TLS version older than ${min}, the minimum set by ${rule.rule}`,
  );
}

/** A key-exchange group that the post-quantum setting does not accept (S-A6). */
export function handshakePostQuantumVerdict(rule: RuleRef, fips: boolean): HandshakeDecision {
  return refuse(
    "tls",
    rule,
    fips
      ? `${rule.rule} accepts only P-256 / P-384 based key exchange groups (FIPS)`
      : `${rule.rule} requires a post-quantum hybrid key exchange group`,
  );
}

/** A handshake without Encrypted Client Hello on a tunnel that requires it (S-A7). */
export function handshakeEchVerdict(rule: RuleRef): HandshakeDecision {
  return refuse("tls", rule, `${rule.rule} requires Encrypted Client Hello`);
}

/** No verified client certificate on a tunnel with mTLS (S-H6). */
export function handshakeMtlsVerdict(rule: RuleRef): HandshakeDecision {
  return refuse(
    "mtls",
    rule,
    `${rule.rule} requires a client certificate signed by the tunnel's CA`,
  );
}

/**
 * A refused handshake seen as a request decision (for policy tests and explain). At run time
 * the connection ends with a TLS alert and no HTTP response; the decision reports it as the
 * policy denial it is (`403 policy_denied`, S-D2), and an unknown server name as `404 no_route`.
 */
export function handshakeRefusedDecision(handshake: HandshakeDecision): Decision {
  return {
    outcome: "deny",
    status: handshake.policy === null ? 404 : 403,
    reason: handshake.policy === null ? "no_route" : "policy_denied",
    policy: handshake.policy,
    stage: "edge",
    rule: handshake.rule,
    origin: handshake.origin,
    message: handshake.message,
    identity: null,
    endpoint: null,
  };
}

/*
 * Connection decisions of stream tunnels (`tls`, `tls-passthrough`, `tcp`; S-P1). They have
 * the shape of a handshake decision: a stream connection is refused by closing it, never with
 * an HTTP answer.
 */

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
