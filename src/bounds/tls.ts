/**
 * The effective TLS of a tunnel: stored minimum, post-quantum and ECH combined (S-A5…S-A7).
 * `required` PQ or ECH raise the minimum the runtime enforces to 1.3 without touching the
 * stored minimum. Tunnels whose TLS the engine does not terminate are exempt; DTLS (1.2 only)
 * cannot satisfy anything that needs 1.3.
 */
import type { ProjectIr, TunnelIr } from "../ir/types.ts";
import type { EffectiveTls, RuleRef } from "./effective.ts";
import type { Incompatible } from "./incompatible.ts";
import { intersectEch } from "./kinds/ech.ts";
import { DEFAULT_POST_QUANTUM, intersectPostQuantum } from "./kinds/post-quantum.ts";
import { DEFAULT_TLS_MIN, intersectTlsMin } from "./kinds/tls-version.ts";
import { isTls12Only, terminatesTls } from "./protocol.ts";
import { tunnelRule } from "./rules.ts";

function exempt(tunnel: TunnelIr): EffectiveTls {
  const rule = tunnelRule(tunnel, "protocol");
  return {
    terminated: false,
    storedMin: DEFAULT_TLS_MIN,
    runtimeMin: DEFAULT_TLS_MIN,
    postQuantum: DEFAULT_POST_QUANTUM,
    ech: "off",
    minRule: rule,
    postQuantumRule: rule,
    echRule: rule,
  };
}

/** The rule that made the runtime minimum 1.3, if any (PQ and ECH before the stored minimum). */
export function runtimeMinRule(tls: EffectiveTls): RuleRef {
  if (tls.postQuantum.mode === "required") return tls.postQuantumRule;
  if (tls.ech === "required") return tls.echRule;
  return tls.minRule;
}

function describeRequirement(tls: EffectiveTls): string {
  if (tls.postQuantum.mode === "required") return "post-quantum `required` (TLS 1.3 only)";
  if (tls.ech === "required") return "ECH `required` (TLS 1.3 only)";
  return "a minimum of TLS 1.3";
}

function combinedTls(project: ProjectIr, tunnel: TunnelIr): EffectiveTls {
  const min = intersectTlsMin(project, tunnel);
  const pq = intersectPostQuantum(project, tunnel);
  const ech = intersectEch(project, tunnel);
  const raised = pq.value.mode === "required" || ech.mode === "required";
  return {
    terminated: true,
    storedMin: min.min,
    runtimeMin: raised ? "1.3" : min.min,
    postQuantum: pq.value,
    ech: ech.mode,
    minRule: min.rule,
    postQuantumRule: pq.rule,
    echRule: ech.rule,
  };
}

/**
 * The effective TLS of a terminated tunnel that sets none of the three itself: the project's
 * (or the defaults), with project and default rules only, so one object per project serves
 * every such tunnel (most of a large policy) instead of one each for the collector to copy.
 */
const projectOnlyTls = new WeakMap<ProjectIr, EffectiveTls>();

function setsNoTls(tunnel: TunnelIr): boolean {
  return tunnel.tlsMin === null && tunnel.postQuantum === null && tunnel.ech === null;
}

/** Project TLS settings ∩ tunnel TLS settings. */
export function intersectTls(project: ProjectIr, tunnel: TunnelIr): EffectiveTls | Incompatible {
  if (!terminatesTls(tunnel.protocol)) return exempt(tunnel);
  let tls: EffectiveTls;
  if (setsNoTls(tunnel)) {
    const shared = projectOnlyTls.get(project);
    tls = shared ?? combinedTls(project, tunnel);
    if (shared === undefined) projectOnlyTls.set(project, tls);
  } else {
    tls = combinedTls(project, tunnel);
  }
  if (isTls12Only(tunnel.protocol) && tls.runtimeMin === "1.3") {
    return {
      kind: "dtls-cannot-satisfy",
      tunnelId: tunnel.id,
      path: ["protocol"],
      left: { ...runtimeMinRule(tls), describe: describeRequirement(tls) },
      right: { ...tunnelRule(tunnel, "protocol"), describe: "protocol `dtls` (DTLS 1.2)" },
    };
  }
  return tls;
}
