/**
 * RP8003: a tunnel trusted IP or country that the project bound removes or narrows (S-A1,
 * S-A3, S-A4). The effective policy is the intersection, so the part outside the project
 * never admits anyone; the diagnostic says what is left and points at the project rule.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { Span } from "../../diagnostics/span.ts";
import { intersectIpSets } from "../../ir/ip.ts";
import type { ProjectIr, TunnelIr } from "../../ir/types.ts";
import { ProjectIpBound } from "../project-ip-bound.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";
import { spanOf } from "../../ir/lazy-spans.ts";

const messages = {
  trustedIpNarrowed: (cidr: string, tunnel: string, what: string) =>
    `trusted IP \`${cidr}\` of tunnel \`${tunnel}\` ${what} by the project bound`,
  countriesRemoved: (codes: readonly string[], tunnel: string) =>
    `${codes.length === 1 ? "country" : "countries"} ${codes.map((c) => `\`${c}\``).join(", ")} of tunnel \`${tunnel}\` ${codes.length === 1 ? "is" : "are"} removed by the project bound`,
};

type Reporter = Report<typeof messages>;

function projectLabel(
  project: ProjectIr,
  key: string,
  what: string,
): { span: Span | undefined; message: string } {
  return {
    span: spanOf(project.spans, key),
    message: `project rule \`project.${key}\` allows only ${what}`,
  };
}

/** Appends a finding for each tunnel entry that the project's list removes or narrows. */
function addIpFindings(
  project: ProjectIr,
  tunnel: TunnelIr,
  blocks: ProjectIpBound,
  out: Diagnostic[],
  report: Reporter,
): void {
  const bound = project.trustedIps;
  if (bound === null || tunnel.trustedIps === null) return;
  for (const range of tunnel.trustedIps.ranges) {
    // An entry covering the whole bound filters nothing: RP8002 says so. An entry inside
    // one bound block is kept whole. Only the rest are intersected exactly, for the message.
    if (blocks.keepsWhole(range) || blocks.coveredBy(range)) continue;
    const kept = intersectIpSets({ ranges: [range] }, bound).ranges;
    if (kept.length === 1 && kept[0]?.cidr === range.cidr) continue;
    const allowed = bound.ranges.map((r) => r.cidr).join(", ");
    const what =
      kept.length === 0
        ? "is removed entirely"
        : `is narrowed to ${kept.map((r) => `\`${r.cidr}\``).join(", ")}`;
    out.push(
      report("trustedIpNarrowed", [range.cidr, tunnel.id, what], {
        span: range.origin ?? spanOf(tunnel.spans, "trusted_ips"),
        labels: [projectLabel(project, "trusted_ips", allowed)],
        help:
          kept.length === 0
            ? "remove the entry: no client in it can pass the project's list"
            : `write ${kept.map((r) => `\`${r.cidr}\``).join(", ")} so the tunnel says what it actually allows`,
      }),
    );
  }
}

/**
 * Whether the bound names every code: most tunnels keep all their countries, and then no list
 * of removed ones (nor a closure, before the loop is optimized) is made.
 */
function keepsEvery(codes: readonly string[], bound: readonly string[]): boolean {
  for (let i = 0; i < codes.length; i++) {
    // SAFETY: i < codes.length, the loop's bound.
    if (!bound.includes(codes[i] as string)) return false;
  }
  return true;
}

/** The finding for the tunnel's countries that the project's list removes, if any. */
function countryFinding(project: ProjectIr, tunnel: TunnelIr, report: Reporter): Diagnostic | null {
  const bound = project.countries;
  if (bound === null || tunnel.countries === null) return null;
  const codes = tunnel.countries.codes;
  if (keepsEvery(codes, bound.codes)) return null;
  const removed = codes.filter((c) => !bound.codes.includes(c));
  return report("countriesRemoved", [removed, tunnel.id], {
    span: spanOf(tunnel.spans, "geo_ip") ?? tunnel.countries.origin,
    labels: [projectLabel(project, "geo_ip", bound.codes.join(", "))],
    help: "remove them from the tunnel's geo_ip, or add them to the project's if they should be allowed",
  });
}

function check({ ir }: LintContext, report: Reporter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const trusted = ir.project.trustedIps;
  const blocks = trusted === null ? null : new ProjectIpBound(trusted);
  // `forEach`, not `for … of`: no iterator result per tunnel before the loop is optimized.
  ir.tunnels.forEach((tunnel) => {
    if (blocks !== null) addIpFindings(ir.project, tunnel, blocks, out, report);
    const countries = countryFinding(ir.project, tunnel, report);
    if (countries !== null) out.push(countries);
  });
  return out;
}

export const narrowedByProject: LintRule = createRule({
  meta: {
    code: "RP8003",
    name: "lint/narrowed-by-project",
    description: "a tunnel's trusted IP or country is removed or narrowed by the project bound",
    defaultSeverity: "warning",
    messages,
  },
  check,
});
