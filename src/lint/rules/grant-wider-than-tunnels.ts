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
import type { ActionIr, FilterIr, GrantIr } from "../../ir/types.ts";
import { filterMatches } from "../../bounds/tunnel-filter.ts";
import { forEachGrantAction } from "../grant-actions.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";

const messages = {
  ipFilterWider: (grant: string, cidrs: string, tunnels: string) =>
    `grant \`${grant}\` accepts tunnels whose trusted IPs lie within ${cidrs}, wider than every tunnel it names (${tunnels})`,
  countryFilterWider: (grant: string, countries: string) =>
    `grant \`${grant}\` accepts tunnels open to ${countries}, which no tunnel it names allows`,
};

type Reporter = Report<typeof messages>;

/** The top-level conjuncts of a filter. */
function conjuncts(filter: FilterIr): FilterIr[] {
  return filter.kind === "and" ? filter.children.flatMap(conjuncts) : [filter];
}

/** Whether some top-level conjunct is a trusted-IP or country clause (most filters have none). */
function hasEdgeConjunct(filter: FilterIr): boolean {
  if (filter.kind === "and") return filter.children.some(hasEdgeConjunct);
  return filter.kind === "ips" || filter.kind === "countries";
}

/**
 * Tunnel positions by id and by name, so a filter that names tunnels (the common case) is
 * checked against those tunnels only, not against every tunnel of the policy per grant.
 */
class TunnelIndex {
  readonly tunnels: readonly EffectiveTunnel[];
  readonly #byField = new Map<"id" | "name", Map<string, number[]>>();

  constructor(tunnels: readonly EffectiveTunnel[]) {
    this.tunnels = tunnels;
  }

  /** Positions of the tunnels whose `field` is one of `values`, in policy order. */
  positions(field: "id" | "name", values: readonly string[]): number[] {
    let index = this.#byField.get(field);
    if (index === undefined) {
      index = new Map();
      this.tunnels.forEach((t, i) => {
        const key = field === "id" ? t.id : t.name;
        if (key !== null) index?.set(key, [...(index.get(key) ?? []), i]);
      });
      this.#byField.set(field, index);
    }
    const found = new Set(values.flatMap((v) => index.get(v) ?? []));
    return [...found].sort((a, b) => a - b);
  }
}

/** The tunnels an id or name conjunct can select (a superset of what the whole filter does). */
function candidates(index: TunnelIndex, rest: readonly FilterIr[]): readonly EffectiveTunnel[] {
  for (const clause of rest) {
    if (clause.kind !== "string" || (clause.field !== "id" && clause.field !== "name")) continue;
    if (clause.match.kind === "regex") continue;
    const values = clause.match.kind === "exact" ? [clause.match.value] : clause.match.values;
    return index.positions(clause.field, values).map((i) => index.tunnels[i] as EffectiveTunnel);
  }
  return index.tunnels;
}

function named(index: TunnelIndex, rest: readonly FilterIr[]): EffectiveTunnel[] {
  const selector: FilterIr = { kind: "and", children: rest };
  return rest.length === 0 ? [] : candidates(index, rest).filter((t) => filterMatches(selector, t));
}

function ipFinding(
  grant: GrantIr,
  action: ActionIr,
  clause: Extract<FilterIr, { kind: "ips" }>,
  tunnels: EffectiveTunnel[],
  report: Reporter,
): Diagnostic | null {
  if (tunnels.some((t) => t.allowedIps === null)) return null;
  const union = normalizeIpSet(tunnels.flatMap((t) => t.allowedIps?.ranges ?? []));
  if (ipSetCovers(union, clause.within)) return null;
  const ids = tunnels.map((t) => `\`${t.id}\``).join(", ");
  const cidrs = clause.within.ranges.map((r) => `\`${r.cidr}\``).join(", ");
  return report("ipFilterWider", [grant.name, cidrs, ids], {
    span: clause.within.origin ?? action.origin ?? grant.origin,
    help: `narrow the filter to ${union.ranges.map((r) => `\`${r.cidr}\``).join(", ")}, so that a tunnel opened to more addresses is not reachable with this grant by accident`,
  });
}

function countryFinding(
  grant: GrantIr,
  action: ActionIr,
  clause: Extract<FilterIr, { kind: "countries" }>,
  tunnels: EffectiveTunnel[],
  report: Reporter,
): Diagnostic | null {
  if (tunnels.some((t) => t.allowedCountries === null)) return null;
  const union = new Set(tunnels.flatMap((t) => t.allowedCountries?.codes ?? []));
  const extra = clause.within.codes.filter((c) => !union.has(c));
  if (extra.length === 0) return null;
  return report("countryFilterWider", [grant.name, extra.map((c) => `\`${c}\``).join(", ")], {
    span: clause.within.origin ?? action.origin ?? grant.origin,
    help: `narrow the filter to ${[...union]
      .sort()
      .map((c) => `\`${c}\``)
      .join(", ")}`,
  });
}

function check({ policy, ir }: LintContext, report: Reporter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const index = new TunnelIndex(policy.tunnels);
  forEachGrantAction(ir.grants, (grant, action, kind) => {
    // The rule checks the filters of connect and list actions only.
    if (kind === "create" || action.filter === null || !hasEdgeConjunct(action.filter)) return;
    const parts = conjuncts(action.filter);
    for (const clause of parts) {
      if (clause.kind !== "ips" && clause.kind !== "countries") continue;
      const tunnels = named(
        index,
        parts.filter((p) => p !== clause && p.kind !== "ips" && p.kind !== "countries"),
      );
      if (tunnels.length === 0) continue;
      const finding =
        clause.kind === "ips"
          ? ipFinding(grant, action, clause, tunnels, report)
          : countryFinding(grant, action, clause, tunnels, report);
      if (finding !== null) out.push(finding);
    }
  });
  return out;
}

export const grantWiderThanTunnels: LintRule = createRule({
  meta: {
    code: "RP8005",
    name: "lint/grant-wider-than-tunnels",
    description: "a grant's trusted-IP or country filter is wider than every tunnel it names",
    defaultSeverity: "warning",
    messages,
  },
  check,
});
