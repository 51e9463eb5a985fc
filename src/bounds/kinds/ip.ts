/**
 * Trusted IPs (SPEC S-A3): the project list and the tunnel list must both contain the client
 * address. The effective set is their exact CIDR intersection; both lists are kept as rules so
 * a deny can name the side that refused.
 */
import { intersectIpSets, ipInSet } from "../../ir/ip.ts";
import type { IpSet, ProjectIr, TunnelIr } from "../../ir/types.ts";
import type { IpRule } from "../effective.ts";
import type { Incompatible } from "../incompatible.ts";
import { listRules, projectRule, tunnelRule } from "../rules.ts";

/** The trusted-IP part of an effective tunnel. */
export interface IpBound {
  readonly ipRules: readonly IpRule[];
  readonly allowedIps: IpSet | null;
}

/** An empty list restricts nothing (the same as an absent one). */
function restricting(set: IpSet | null): IpSet | null {
  return set !== null && set.ranges.length > 0 ? set : null;
}

function describe(set: IpSet): string {
  const shown = set.ranges.slice(0, 3).map((r) => r.cidr);
  const more = set.ranges.length > 3 ? ` and ${set.ranges.length - 3} more` : "";
  return `trusted IPs ${shown.join(", ")}${more}`;
}

/**
 * The bound of a tunnel that writes no list of its own: the project's alone, the same for every
 * such tunnel, so one object per project (and list) instead of one per tunnel.
 */
const projectOnly = new WeakMap<ProjectIr, IpBound>();

function projectOnlyBound(project: ProjectIr, tunnel: TunnelIr, projectSet: IpSet | null): IpBound {
  const made = projectOnly.get(project);
  if (made !== undefined && made.allowedIps === projectSet) return made;
  const bound = {
    ipRules: listRules(project, tunnel, "trusted_ips", projectSet, null),
    allowedIps: projectSet,
  };
  projectOnly.set(project, bound);
  return bound;
}

/** Project trusted IPs ∩ tunnel trusted IPs; an empty result is incompatible. */
export function intersectTrustedIps(project: ProjectIr, tunnel: TunnelIr): IpBound | Incompatible {
  const projectSet = restricting(project.trustedIps);
  const tunnelSet = restricting(tunnel.trustedIps);
  if (tunnelSet === null) return projectOnlyBound(project, tunnel, projectSet);
  const ipRules = listRules(project, tunnel, "trusted_ips", projectSet, tunnelSet);
  if (projectSet === null) return { ipRules, allowedIps: tunnelSet };
  const allowedIps = intersectIpSets(projectSet, tunnelSet);
  if (allowedIps.ranges.length === 0) {
    return {
      kind: "empty-ip-intersection",
      tunnelId: tunnel.id,
      path: ["trusted_ips"],
      left: { ...projectRule(project, "trusted_ips"), describe: describe(projectSet) },
      right: { ...tunnelRule(tunnel, "trusted_ips"), describe: describe(tunnelSet) },
    };
  }
  return { ipRules, allowedIps };
}

/** The first rule whose list does not contain the client address, or `null` when all do. */
export function ipRuleRefusing(rules: readonly IpRule[], clientIp: string): IpRule | null {
  return rules.find((rule) => !ipInSet(clientIp, rule.set)) ?? null;
}
