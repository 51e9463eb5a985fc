/**
 * Control-plane decisions in words, for `rampart explain --action` and `rampart token
 * inspect`: the verdict, the rule that decided, and for a refusal the nearest change to the
 * token that would allow it (each failed condition with its JSON Pointer in the claims).
 */
import type { ControlDecision, ListDecision } from "../bounds/control-verdicts.ts";
import type { EffectiveTunnel } from "../bounds/effective.ts";
import type { GrantFailure } from "../bounds/grant-refusal.ts";
import { grantRefusal } from "../bounds/grant-refusal.ts";
import { projectRecord, TUNNEL_FIELDS, tunnelRecord } from "../bounds/tunnel-fields.ts";
import { ownerStanding, ownershipFailure } from "../bounds/ownership.ts";
import type { TokenFacts } from "../ir/facts.ts";
import type { GrantIr } from "../ir/types.ts";

/** The verdict's first line: `create: allowed by grant:t1`. */
export function verdictLine(decision: ControlDecision): string {
  const outcome = decision.allow ? "allowed" : `refused (${decision.status} ${decision.reason})`;
  return `${decision.action}: ${outcome} by ${decision.rule}`;
}

/** The failed conditions, one per line pair: what failed, and the change that fixes it. */
export function failureLines(failures: readonly GrantFailure[], indent = "  "): string[] {
  if (failures.length === 0) return [];
  const head =
    failures.length === 1 ? "nearest change:" : "nearest change (all of these are needed):";
  return [
    `${indent}${head}`,
    ...failures.flatMap((f) => [
      `${indent}  - ${f.pointer}: ${f.message}`,
      `${indent}    ${f.change}`,
    ]),
  ];
}

/** `create` or `watch` (or a refused `list`) as text. */
export function renderControlDecision(decision: ControlDecision): string {
  return [verdictLine(decision), `  ${decision.message}`, ...failureLines(decision.failures)].join(
    "\n",
  );
}

function fieldsText(fields: readonly string[]): string {
  return fields === TUNNEL_FIELDS || fields.length === TUNNEL_FIELDS.length
    ? "every field"
    : fields.length === 0
      ? "no field"
      : fields.join(", ");
}

/**
 * A tunnel hidden from `list`, and why: the grant's nearest change for it or, when the grant
 * would show it, the owner's standing in its project (S-T8).
 */
export function hiddenTunnelWhy(
  grant: GrantIr,
  tunnel: EffectiveTunnel,
  token: TokenFacts | null = null,
): readonly GrantFailure[] {
  const failures = grantRefusal(grant, "list", tunnel);
  if (failures.length > 0 || token === null) return failures;
  const standing = ownerStanding(tunnel.auth.members, token, tunnel.projectId);
  return [ownershipFailure(standing, token, tunnel.projectId)];
}

/** `list` as text: visible tunnels with their fields and values, hidden ones with why. */
export function renderListDecision(
  decision: ListDecision,
  grant: GrantIr | null,
  tunnels: readonly EffectiveTunnel[],
  token: TokenFacts | null = null,
): string {
  if (!decision.allow) return renderControlDecision(decision);
  const lines = [
    verdictLine(decision),
    `  ${decision.visible.length} of ${tunnels.length} tunnels visible`,
  ];
  for (const v of decision.visible) {
    lines.push(`  ${v.tunnel.id}: ${fieldsText(v.fields)}`);
    lines.push(`    ${JSON.stringify(projectRecord(tunnelRecord(v.tunnel), v.fields))}`);
  }
  const shown = new Set(decision.visible.map((v) => v.tunnel));
  for (const tunnel of tunnels) {
    if (shown.has(tunnel) || grant === null) continue;
    lines.push(`  ${tunnel.id}: hidden`);
    lines.push(...failureLines(hiddenTunnelWhy(grant, tunnel, token), "    "));
  }
  return lines.join("\n");
}

/** `list` as JSON: the verdict, then each visible tunnel's projected record. */
export function listDecisionJson(decision: ListDecision): unknown {
  const { visible, ...verdict } = decision;
  return {
    ...verdict,
    visible: visible.map((v) => ({
      id: v.tunnel.id,
      fields: v.fields,
      record: projectRecord(tunnelRecord(v.tunnel), v.fields),
    })),
  };
}
