/**
 * RP8001: a published HTTP tunnel whose effective policy forwards no request from any real
 * client. Usually a restriction that went empty without anyone writing "deny all", such as
 * a trusted-IP list of multicast addresses. Loopback clients count: `serve` forwards them.
 * Tunnels whose own lists were written empty (an explicit deny-all) are left alone.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { PolicyReachability } from "../../analysis/admits.ts";
import { isRouted } from "../../analysis/space/routing.ts";
import type { TunnelIr } from "../../ir/types.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";

const messages = {
  forwardsNothing: (tunnel: string) => `tunnel \`${tunnel}\` forwards no request from any client`,
  refuses: (reason: string) => `refuses: ${reason}`,
};

function writtenAsDenyAll(tunnel: TunnelIr): boolean {
  return tunnel.trustedIps?.ranges.length === 0 || tunnel.countries?.codes.length === 0;
}

/** Ids whose written tunnel (the last one of that id, were ids repeated) is a deny-all. */
function idsWrittenAsDenyAll(tunnels: readonly TunnelIr[]): ReadonlySet<string> {
  const written = tunnels.filter(writtenAsDenyAll);
  // Usually none: then no id needs hashing at all.
  if (written.length === 0) return new Set();
  const candidates = new Set(written.map((t) => t.id));
  const ids = new Set<string>();
  for (const tunnel of tunnels) {
    if (!candidates.has(tunnel.id)) continue;
    if (writtenAsDenyAll(tunnel)) ids.add(tunnel.id);
    else ids.delete(tunnel.id);
  }
  return ids;
}

function check({ policy, ir }: LintContext, report: Report<typeof messages>): Diagnostic[] {
  const out: Diagnostic[] = [];
  let reach: PolicyReachability | null = null;
  const denyAll = idsWrittenAsDenyAll(ir.tunnels);
  // `forEach`, not `for … of`: no iterator result per tunnel before the loop is optimized.
  policy.tunnels.forEach((tunnel) => {
    if (!isRouted(tunnel) || tunnel.hosts.length === 0) return;
    if (denyAll.size > 0 && denyAll.has(tunnel.id)) return;
    reach ??= new PolicyReachability(policy);
    const denials = reach.refusals(tunnel);
    if (denials === null) return;
    const rules = [...new Set(denials.map((d) => d.rule))];
    out.push(
      report("forwardsNothing", [tunnel.id], {
        span: tunnel.origin,
        labels: denials
          .slice(0, 5)
          .map((d) => ({ span: d.origin, message: messages.refuses(d.message) })),
        help:
          rules.length > 0
            ? `every request is refused by ${rules.map((r) => `\`${r}\``).join(", ")}; widen one of them, or write the tunnel as private if it should not be reachable`
            : "check the tunnel's hosts and protocol",
      }),
    );
  });
  return out;
}

export const tunnelAdmitsNothing: LintRule = createRule({
  meta: {
    code: "RP8001",
    name: "lint/tunnel-admits-nothing",
    description: "a published tunnel's effective policy forwards no request at all",
    defaultSeverity: "warning",
    messages,
  },
  check,
});
