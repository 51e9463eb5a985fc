/**
 * RP8003: a tunnel trusted IP or country that the project bound removes or narrows (S-A1,
 * S-A3, S-A4). The effective policy is the intersection, so the part outside the project
 * never admits anyone; the diagnostic says what is left and points at the project rule.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { Span } from "../../diagnostics/span.ts";
import { intersectIpSets, ipSetCovers } from "../../ir/ip.ts";
import type { ProjectIr, TunnelIr } from "../../ir/types.ts";
import type { LintContext, LintRule } from "../rule.ts";
import { labelsPart, spanPart } from "../rule.ts";

function projectLabel(
  project: ProjectIr,
  key: string,
  what: string,
): { span: Span | undefined; message: string } {
  return {
    span: project.spans[key],
    message: `project rule \`project.${key}\` allows only ${what}`,
  };
}

function ipFindings(project: ProjectIr, tunnel: TunnelIr): Diagnostic[] {
  const bound = project.trustedIps;
  if (bound === null || tunnel.trustedIps === null) return [];
  const allowed = bound.ranges.map((r) => r.cidr).join(", ");
  return tunnel.trustedIps.ranges.flatMap((range): Diagnostic[] => {
    // An entry covering the whole bound filters nothing: RP8002 says so.
    if (ipSetCovers({ ranges: [range] }, bound)) return [];
    const kept = intersectIpSets({ ranges: [range] }, bound).ranges;
    if (kept.length === 1 && kept[0]?.cidr === range.cidr) return [];
    const what =
      kept.length === 0
        ? "is removed entirely"
        : `is narrowed to ${kept.map((r) => `\`${r.cidr}\``).join(", ")}`;
    return [
      {
        code: "RP8003",
        severity: "warning",
        message: `trusted IP \`${range.cidr}\` of tunnel \`${tunnel.id}\` ${what} by the project bound`,
        ...spanPart(range.origin ?? tunnel.spans["trusted_ips"]),
        ...labelsPart([projectLabel(project, "trusted_ips", allowed)]),
        help:
          kept.length === 0
            ? "remove the entry: no client in it can pass the project's list"
            : `write ${kept.map((r) => `\`${r.cidr}\``).join(", ")} so the tunnel says what it actually allows`,
      },
    ];
  });
}

function countryFindings(project: ProjectIr, tunnel: TunnelIr): Diagnostic[] {
  const bound = project.countries;
  if (bound === null || tunnel.countries === null) return [];
  const removed = tunnel.countries.codes.filter((c) => !bound.codes.includes(c));
  if (removed.length === 0) return [];
  return [
    {
      code: "RP8003",
      severity: "warning",
      message: `${removed.length === 1 ? "country" : "countries"} ${removed.map((c) => `\`${c}\``).join(", ")} of tunnel \`${tunnel.id}\` ${removed.length === 1 ? "is" : "are"} removed by the project bound`,
      ...spanPart(tunnel.spans["geo_ip"] ?? tunnel.countries.origin),
      ...labelsPart([projectLabel(project, "geo_ip", bound.codes.join(", "))]),
      help: "remove them from the tunnel's geo_ip, or add them to the project's if they should be allowed",
    },
  ];
}

function check({ ir }: LintContext): Diagnostic[] {
  return ir.tunnels.flatMap((t) => [
    ...ipFindings(ir.project, t),
    ...countryFindings(ir.project, t),
  ]);
}

export const narrowedByProject: LintRule = { code: "RP8003", check };
