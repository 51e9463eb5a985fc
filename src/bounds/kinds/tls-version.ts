/**
 * Minimum TLS version (SPEC S-A5): the stricter of project and tunnel wins; with neither set,
 * TLS 1.2 and 1.3 are both accepted.
 */
import type { ProjectIr, TlsVersion, TunnelIr } from "../../ir/types.ts";
import type { RuleRef } from "../effective.ts";
import { defaultRule, projectRule, tunnelRule } from "../rules.ts";

/** The minimum when no rule sets one. */
export const DEFAULT_TLS_MIN: TlsVersion = "1.2";

/** Orders versions: negative when `a` is older than `b`. */
export function compareTls(a: TlsVersion, b: TlsVersion): number {
  return Number(a) - Number(b);
}

/** The newer of two versions. */
export function stricterTls(a: TlsVersion, b: TlsVersion): TlsVersion {
  return compareTls(a, b) >= 0 ? a : b;
}

/** Whether a negotiated version meets a minimum. */
export function tlsVersionAdmits(version: TlsVersion, min: TlsVersion): boolean {
  return compareTls(version, min) >= 0;
}

/** The stored minimum and the rule that set it (the project on a tie: it is the bound). */
export function intersectTlsMin(
  project: ProjectIr,
  tunnel: TunnelIr,
): { readonly min: TlsVersion; readonly rule: RuleRef } {
  const p = project.tlsMin;
  const t = tunnel.tlsMin;
  if (p === null && t === null)
    return { min: DEFAULT_TLS_MIN, rule: defaultRule("tls_min_version", null) };
  if (t === null || (p !== null && compareTls(p, t) >= 0)) {
    return { min: p ?? DEFAULT_TLS_MIN, rule: projectRule(project, "tls_min_version") };
  }
  return { min: t, rule: tunnelRule(tunnel, "tls_min_version") };
}
