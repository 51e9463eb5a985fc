/**
 * RP8005: a grant whose trusted-IP or country filter is broader than every tunnel it names.
 * Such a filter (`trusted_ips = [...]`: "tunnels whose allowed addresses lie within") is
 * meant to keep a token to locked-down tunnels; when it is wider than all the tunnels the
 * rest of the filter selects, a future tunnel opened to the extra addresses would silently
 * become reachable with the token. The help gives the tightest filter that keeps today's
 * tunnels.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { ipSetCovers, normalizeIpSet } from "../../ir/ip.ts";
import type { ActionIr, FilterIr, GrantIr, GrantNodeIr } from "../../ir/types.ts";
import { filterMatches } from "../../bounds/tunnel-filter.ts";
import type { LintContext, LintRule } from "../rule.ts";
import { spanPart } from "../rule.ts";

function actions(node: GrantNodeIr): ActionIr[] {
  if (node.kind !== "leaf") return node.children.flatMap(actions);
  return [node.connect, node.list].filter((a): a is ActionIr => a !== null);
}

/** The top-level conjuncts of a filter. */
function conjuncts(filter: FilterIr): FilterIr[] {
  return filter.kind === "and" ? filter.children.flatMap(conjuncts) : [filter];
}

function named(tunnels: readonly EffectiveTunnel[], rest: readonly FilterIr[]): EffectiveTunnel[] {
  const selector: FilterIr = { kind: "and", children: rest };
  return rest.length === 0 ? [] : tunnels.filter((t) => filterMatches(selector, t));
}

function ipFinding(
  grant: GrantIr,
  action: ActionIr,
  clause: Extract<FilterIr, { kind: "ips" }>,
  tunnels: EffectiveTunnel[],
): Diagnostic | null {
  if (tunnels.some((t) => t.allowedIps === null)) return null;
  const union = normalizeIpSet(tunnels.flatMap((t) => t.allowedIps?.ranges ?? []));
  if (ipSetCovers(union, clause.within)) return null;
  const ids = tunnels.map((t) => `\`${t.id}\``).join(", ");
  return {
    code: "RP8005",
    severity: "warning",
    message: `grant \`${grant.name}\` accepts tunnels whose trusted IPs lie within ${clause.within.ranges.map((r) => `\`${r.cidr}\``).join(", ")}, wider than every tunnel it names (${ids})`,
    ...spanPart(clause.within.origin ?? action.origin ?? grant.origin),
    help: `narrow the filter to ${union.ranges.map((r) => `\`${r.cidr}\``).join(", ")}, so that a tunnel opened to more addresses is not reachable with this grant by accident`,
  };
}

function countryFinding(
  grant: GrantIr,
  action: ActionIr,
  clause: Extract<FilterIr, { kind: "countries" }>,
  tunnels: EffectiveTunnel[],
): Diagnostic | null {
  if (tunnels.some((t) => t.allowedCountries === null)) return null;
  const union = new Set(tunnels.flatMap((t) => t.allowedCountries?.codes ?? []));
  const extra = clause.within.codes.filter((c) => !union.has(c));
  if (extra.length === 0) return null;
  return {
    code: "RP8005",
    severity: "warning",
    message: `grant \`${grant.name}\` accepts tunnels open to ${extra.map((c) => `\`${c}\``).join(", ")}, which no tunnel it names allows`,
    ...spanPart(clause.within.origin ?? action.origin ?? grant.origin),
    help: `narrow the filter to ${[...union]
      .sort()
      .map((c) => `\`${c}\``)
      .join(", ")}`,
  };
}

function check({ policy, ir }: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const grant of ir.grants) {
    for (const action of grant.resources === null ? [] : actions(grant.resources)) {
      if (action.filter === null) continue;
      const parts = conjuncts(action.filter);
      for (const clause of parts) {
        if (clause.kind !== "ips" && clause.kind !== "countries") continue;
        const tunnels = named(
          policy.tunnels,
          parts.filter((p) => p !== clause && p.kind !== "ips" && p.kind !== "countries"),
        );
        if (tunnels.length === 0) continue;
        const finding =
          clause.kind === "ips"
            ? ipFinding(grant, action, clause, tunnels)
            : countryFinding(grant, action, clause, tunnels);
        if (finding !== null) out.push(finding);
      }
    }
  }
  return out;
}

export const grantWiderThanTunnels: LintRule = { code: "RP8005", check };
