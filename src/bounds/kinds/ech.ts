/**
 * Encrypted Client Hello (SPEC S-A7): the stricter mode of project and tunnel wins. `required`
 * refuses handshakes without ECH and raises the runtime minimum to TLS 1.3.
 */
import type { FeatureMode, ProjectIr, TunnelIr } from "../../ir/types.ts";
import type { RuleRef } from "../effective.ts";
import { defaultRule, projectRule, tunnelRule } from "../rules.ts";
import { compareFeatureMode } from "./feature-mode.ts";

/** The stricter ECH mode and the rule that set it. */
export function intersectEch(
  project: ProjectIr,
  tunnel: TunnelIr,
): { readonly mode: FeatureMode; readonly rule: RuleRef } {
  const p = project.ech;
  const t = tunnel.ech;
  if (p === null && t === null) return { mode: "off", rule: defaultRule("ech", null) };
  if (t === null || (p !== null && compareFeatureMode(p, t) >= 0)) {
    return { mode: p ?? "off", rule: projectRule(project, "ech") };
  }
  return { mode: t, rule: tunnelRule(tunnel, "ech") };
}

/** Whether a handshake meets the ECH mode. */
export function echAdmits(mode: FeatureMode, echAccepted: boolean): boolean {
  return mode !== "required" || echAccepted;
}
