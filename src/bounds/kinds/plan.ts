/**
 * Plan gating (SPEC S-A2, S-A3, S-A4): trusted IPs and GeoIP are pro and enterprise features,
 * and so is the `forbidden` public-access policy. A setting the plan lacks is an error, never
 * silently ignored.
 */
import type { ProjectIr, TunnelIr } from "../../ir/types.ts";
import type { Incompatible, IncompatibleSide } from "../incompatible.ts";
import { projectRule, tunnelRule } from "../rules.ts";

function planSide(project: ProjectIr): IncompatibleSide {
  return { ...projectRule(project, "plan"), describe: `the \`${project.plan}\` plan` };
}

function gate(
  project: ProjectIr,
  tunnelId: string | null,
  right: IncompatibleSide,
  path: string,
): Incompatible {
  return { kind: "plan-feature", tunnelId, path: [path], left: planSide(project), right };
}

/** Project settings that its own plan does not include. */
export function checkProjectPlan(project: ProjectIr): Incompatible[] {
  if (project.plan !== "basic") return [];
  const out: Incompatible[] = [];
  if (project.trustedIps !== null && project.trustedIps.ranges.length > 0) {
    out.push(
      gate(
        project,
        null,
        { ...projectRule(project, "trusted_ips"), describe: "trusted IPs" },
        "trusted_ips",
      ),
    );
  }
  if (project.countries !== null && project.countries.codes.length > 0) {
    out.push(
      gate(project, null, { ...projectRule(project, "geo_ip"), describe: "GeoIP" }, "geo_ip"),
    );
  }
  if (project.publicAccess === "forbidden") {
    out.push(
      gate(
        project,
        null,
        { ...projectRule(project, "public_access"), describe: "public access `forbidden`" },
        "public_access",
      ),
    );
  }
  return out;
}

/** No conflict (shared: every tunnel of a plan above basic has none). */
const NO_CONFLICTS: readonly Incompatible[] = [];

/** Tunnel settings that the project's plan does not include. */
export function checkTunnelPlan(project: ProjectIr, tunnel: TunnelIr): readonly Incompatible[] {
  if (project.plan !== "basic") return NO_CONFLICTS;
  const out: Incompatible[] = [];
  if (tunnel.trustedIps !== null && tunnel.trustedIps.ranges.length > 0) {
    out.push(
      gate(
        project,
        tunnel.id,
        { ...tunnelRule(tunnel, "trusted_ips"), describe: "trusted IPs" },
        "trusted_ips",
      ),
    );
  }
  if (tunnel.countries !== null && tunnel.countries.codes.length > 0) {
    out.push(
      gate(project, tunnel.id, { ...tunnelRule(tunnel, "geo_ip"), describe: "GeoIP" }, "geo_ip"),
    );
  }
  return out;
}
