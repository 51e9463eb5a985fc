/**
 * RP8002: a tunnel trusted-IP list that the project's list already implies. When one tunnel
 * entry covers every address the project allows, the tunnel list filters nothing (the
 * effective list is the project's), which usually means the author expected it to do more.
 * Entries covered by another entry of the *same* list are reported when lowering (RP30xx).
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { IpRange } from "../../ir/types.ts";
import { ProjectIpBound } from "../project-ip-bound.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";
import { spanOf } from "../../ir/lazy-spans.ts";

const messages = {
  filtersNothing: (cidr: string, tunnel: string) =>
    `trusted IP \`${cidr}\` of tunnel \`${tunnel}\` covers every address the project allows, so the tunnel list filters nothing`,
};

function check({ ir }: LintContext, report: Report<typeof messages>): Diagnostic[] {
  const project = ir.project.trustedIps;
  if (project === null || project.ranges.length === 0) return [];
  const out: Diagnostic[] = [];
  const bound = new ProjectIpBound(project);
  const covers = (range: IpRange): boolean => bound.coveredBy(range);
  // `forEach` and `find`, not `for … of`: no iterator result per tunnel and entry before the
  // loop is optimized.
  ir.tunnels.forEach((tunnel) => {
    const range = tunnel.trustedIps?.ranges.find(covers);
    if (range === undefined) return;
    out.push(
      report("filtersNothing", [range.cidr, tunnel.id], {
        span: range.origin ?? spanOf(tunnel.spans, "trusted_ips"),
        labels: [
          {
            span: spanOf(ir.project.spans, "trusted_ips") ?? project.origin,
            message: "the project already limits clients to these addresses",
          },
        ],
        help: "remove the tunnel's trusted_ips, or list the narrower ranges this tunnel should accept",
      }),
    );
  });
  return out;
}

export const redundantTrustedIp: LintRule = createRule({
  meta: {
    code: "RP8002",
    name: "lint/redundant-trusted-ip",
    description:
      "a tunnel trusted-IP entry covers the whole project bound, so the tunnel list filters nothing",
    defaultSeverity: "warning",
    messages,
  },
  check,
});
