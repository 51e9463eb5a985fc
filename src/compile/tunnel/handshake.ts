/**
 * The handshake decision of one tunnel (SPEC S-A5…S-A7, S-H6), compiled: the TLS version
 * against the runtime minimum, the post-quantum group, ECH, and a verified client certificate
 * where mTLS is on. Every outcome but the group check is a constant built once.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import {
  handshakeAllowVerdict,
  handshakeEchVerdict,
  handshakeMtlsVerdict,
  handshakePassthroughVerdict,
  handshakePostQuantumVerdict,
  handshakeTlsVersionVerdict,
} from "../../bounds/handshake-verdicts.ts";
import { echAdmits } from "../../bounds/kinds/ech.ts";
import { postQuantumAdmits } from "../../bounds/kinds/post-quantum.ts";
import { tlsVersionAdmits } from "../../bounds/kinds/tls-version.ts";
import { runtimeMinRule } from "../../bounds/tls.ts";
import type { HandshakeDecision } from "../../ir/decision.ts";
import type { HandshakeFacts } from "../../ir/facts.ts";

/** Decides a handshake already routed to the tunnel. */
export type HandshakeDecider = (facts: HandshakeFacts) => HandshakeDecision;

/** Compiles the handshake decision of a tunnel. */
export function compileTunnelHandshake(tunnel: EffectiveTunnel): HandshakeDecider {
  const tls = tunnel.tls;
  if (!tls.terminated) {
    const passthrough = Object.freeze(handshakePassthroughVerdict(tunnel));
    return () => passthrough;
  }
  // Cite the stored minimum when the version fails it, else the setting that raised it.
  const tooOld = Object.freeze(
    handshakeTlsVersionVerdict(
      tlsVersionAdmits("1.2", tls.storedMin) ? runtimeMinRule(tls) : tls.minRule,
      tls.runtimeMin,
    ),
  );
  const postQuantum = Object.freeze(
    handshakePostQuantumVerdict(tls.postQuantumRule, tls.postQuantum.fips),
  );
  const ech = Object.freeze(handshakeEchVerdict(tls.echRule));
  const mtls =
    tunnel.auth.mtls === null ? null : Object.freeze(handshakeMtlsVerdict(tunnel.auth.mtlsRule));
  const allow = Object.freeze(handshakeAllowVerdict(tunnel));
  return (facts) => {
    if (!tlsVersionAdmits(facts.version, tls.runtimeMin)) return tooOld;
    if (!postQuantumAdmits(tls.postQuantum, facts.group)) return postQuantum;
    if (!echAdmits(tls.ech, facts.ech)) return ech;
    if (mtls !== null && !facts.clientCertVerified) return mtls;
    return allow;
  };
}
