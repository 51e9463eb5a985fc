/**
 * Post-quantum key exchange (SPEC S-A6): the stricter mode of project and tunnel wins and the
 * FIPS toggle is on when either side sets it. `required` accepts hybrid groups only; with FIPS,
 * only P-256 / P-384 hybrids (and, for `preferred`, the P-256 / P-384 classical fallbacks).
 */
import type { PostQuantumIr, ProjectIr, TunnelIr } from "../../ir/types.ts";
import type { RuleRef } from "../effective.ts";
import { defaultRule, projectRule, tunnelRule } from "../rules.ts";
import { compareFeatureMode } from "./feature-mode.ts";

/** Hybrid (classical + ML-KEM) groups, by OpenSSL name, lower case. */
const HYBRID_GROUPS: ReadonlySet<string> = new Set([
  "x25519mlkem768",
  "x448mlkem1024",
  "secp256r1mlkem768",
  "secp384r1mlkem1024",
]);

/** Hybrids built on NIST curves, acceptable under the FIPS toggle. */
const FIPS_HYBRID_GROUPS: ReadonlySet<string> = new Set([
  "secp256r1mlkem768",
  "secp384r1mlkem1024",
]);

/** Classical P-256 / P-384 groups under their common names: the FIPS fallbacks. */
const FIPS_CLASSICAL_GROUPS: ReadonlySet<string> = new Set([
  "p-256",
  "prime256v1",
  "secp256r1",
  "p-384",
  "secp384r1",
]);

/** The post-quantum setting applied when no rule sets one. */
export const DEFAULT_POST_QUANTUM: PostQuantumIr = { mode: "off", fips: false };

/** Whether a negotiated group is a classical + ML-KEM hybrid. */
export function isHybridGroup(group: string): boolean {
  return HYBRID_GROUPS.has(group.toLowerCase());
}

/** The stricter post-quantum setting and the rule that set its mode. */
export function intersectPostQuantum(
  project: ProjectIr,
  tunnel: TunnelIr,
): { readonly value: PostQuantumIr; readonly rule: RuleRef } {
  const p = project.postQuantum;
  const t = tunnel.postQuantum;
  if (p === null && t === null)
    return { value: DEFAULT_POST_QUANTUM, rule: defaultRule("post_quantum", null) };
  const fips = (p?.fips ?? false) || (t?.fips ?? false);
  if (t === null || (p !== null && compareFeatureMode(p.mode, t.mode) >= 0)) {
    return { value: { mode: p?.mode ?? "off", fips }, rule: projectRule(project, "post_quantum") };
  }
  return { value: { mode: t.mode, fips }, rule: tunnelRule(tunnel, "post_quantum") };
}

/**
 * Whether a handshake's group satisfies the setting. An unknown group (`null`) fails only
 * where a property of the group is required (`required`, or FIPS), so nothing is assumed.
 */
export function postQuantumAdmits(setting: PostQuantumIr, group: string | null): boolean {
  if (setting.mode === "off" && !setting.fips) return true;
  if (group === null) return setting.mode !== "required" && !setting.fips;
  const name = group.toLowerCase();
  if (setting.mode === "required") {
    return setting.fips ? FIPS_HYBRID_GROUPS.has(name) : HYBRID_GROUPS.has(name);
  }
  if (setting.fips) return FIPS_HYBRID_GROUPS.has(name) || FIPS_CLASSICAL_GROUPS.has(name);
  return true;
}
