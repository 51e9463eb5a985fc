/**
 * RP8002: a tunnel trusted-IP list that the project's list already implies. When one tunnel
 * entry covers every address the project allows, the tunnel list filters nothing (the
 * effective list is the project's), which usually means the author expected it to do more.
 * Entries covered by another entry of the *same* list are reported when lowering (RP30xx).
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { ProjectIpBound } from "../project-ip-bound.ts";
import type { LintContext, LintRule } from "../rule.ts";
import { labelsPart, spanPart } from "../rule.ts";

function check({ ir }: LintContext): Diagnostic[] {
  const project = ir.project.trustedIps;
  if (project === null || project.ranges.length === 0) return [];
  const out: Diagnostic[] = [];
  const bound = new ProjectIpBound(project);
  for (const tunnel of ir.tunnels) {
    if (tunnel.trustedIps === null) continue;
    for (const range of tunnel.trustedIps.ranges) {
      if (!bound.coveredBy(range)) continue;
      out.push({
        code: "RP8002",
        severity: "warning",
        message: `trusted IP \`${range.cidr}\` of tunnel \`${tunnel.id}\` covers every address the project allows, so the tunnel list filters nothing`,
        ...spanPart(range.origin ?? tunnel.spans["trusted_ips"]),
        ...labelsPart([
          {
            span: ir.project.spans["trusted_ips"] ?? project.origin,
            message: "the project already limits clients to these addresses",
          },
        ]),
        help: "remove the tunnel's trusted_ips, or list the narrower ranges this tunnel should accept",
      });
      break;
    }
  }
  return out;
}

export const redundantTrustedIp: LintRule = { code: "RP8002", check };
