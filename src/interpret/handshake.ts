/**
 * The reference interpreter for one TLS handshake (S-A5…S-A7, S-H6): route by SNI, then the
 * TLS version against the runtime minimum, the post-quantum group, ECH, and a verified client
 * certificate where mTLS is on. Passthrough and TCP tunnels are the upstream's business.
 */
import type { EffectivePolicy } from "../bounds/effective.ts";
import {
  handshakeAllowVerdict,
  handshakeEchVerdict,
  handshakeMtlsVerdict,
  handshakePassthroughVerdict,
  handshakePostQuantumVerdict,
  handshakeTlsVersionVerdict,
  handshakeUnknownSniVerdict,
} from "../bounds/handshake-verdicts.ts";
import { echAdmits } from "../bounds/kinds/ech.ts";
import { postQuantumAdmits } from "../bounds/kinds/post-quantum.ts";
import { tlsVersionAdmits } from "../bounds/kinds/tls-version.ts";
import { runtimeMinRule } from "../bounds/tls.ts";
import type { HandshakeDecision } from "../ir/decision.ts";
import type { HandshakeFacts } from "../ir/facts.ts";
import { routeServerName } from "./route.ts";
import { TraceLog } from "./trace.ts";
import type { TraceStep } from "./trace.ts";

function decideHandshake(
  policy: EffectivePolicy,
  facts: HandshakeFacts,
  log: TraceLog,
): HandshakeDecision {
  const tunnel = routeServerName(policy, facts.sni);
  if (tunnel === null) return handshakeUnknownSniVerdict();
  log.add(
    "handshake",
    "pass",
    `tunnel:${tunnel.id}`,
    tunnel.origin,
    `server name ${facts.sni} is served by tunnel ${tunnel.id}`,
  );
  const tls = tunnel.tls;
  if (!tls.terminated) return handshakePassthroughVerdict(tunnel);
  if (!tlsVersionAdmits(facts.version, tls.runtimeMin)) {
    // Cite the stored minimum when the version fails it, else the setting that raised it.
    const rule = tlsVersionAdmits(facts.version, tls.storedMin) ? runtimeMinRule(tls) : tls.minRule;
    return handshakeTlsVersionVerdict(rule, tls.runtimeMin);
  }
  log.add(
    "handshake",
    "pass",
    tls.minRule.rule,
    tls.minRule.origin,
    `TLS ${facts.version} meets the minimum ${tls.runtimeMin}`,
  );
  if (!postQuantumAdmits(tls.postQuantum, facts.group)) {
    return handshakePostQuantumVerdict(tls.postQuantumRule, tls.postQuantum.fips);
  }
  if (!echAdmits(tls.ech, facts.ech)) return handshakeEchVerdict(tls.echRule);
  if (tunnel.auth.mtls !== null && !facts.clientCertVerified)
    return handshakeMtlsVerdict(tunnel.auth.mtlsRule);
  return handshakeAllowVerdict(tunnel);
}

/** Decides one handshake and records the checks it went through. */
export function interpretHandshake(
  policy: EffectivePolicy,
  facts: HandshakeFacts,
): { readonly decision: HandshakeDecision; readonly trace: readonly TraceStep[] } {
  const log = new TraceLog();
  const decision = decideHandshake(policy, facts, log);
  log.add("handshake", "decide", decision.rule, decision.origin, decision.message);
  return { decision, trace: log.steps };
}
