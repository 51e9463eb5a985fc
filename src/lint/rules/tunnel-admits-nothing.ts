/**
 * RP8001: a published HTTP tunnel whose effective policy forwards no request from any real
 * client. Usually a restriction that went empty without anyone writing "deny all", such as
 * a trusted-IP list of loopback or multicast addresses. Tunnels whose own lists were written empty (an explicit deny-all)
 * are left alone.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { isHttpFamily } from "../../bounds/protocol.ts";
import { findForwardedRequest, ReachabilitySpace } from "../../analysis/admits.ts";
import type { TunnelIr } from "../../ir/types.ts";
import type { LintContext, LintRule } from "../rule.ts";
import { labelsPart, spanPart } from "../rule.ts";

function writtenAsDenyAll(tunnel: TunnelIr | undefined): boolean {
  return tunnel?.trustedIps?.ranges.length === 0 || tunnel?.countries?.codes.length === 0;
}

function check({ policy, ir }: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  let reach: ReachabilitySpace | null = null;
  const written = new Map(ir.tunnels.map((t) => [t.id, t]));
  for (const tunnel of policy.tunnels) {
    if (!tunnel.publish || !isHttpFamily(tunnel.protocol) || tunnel.hosts.length === 0) continue;
    if (writtenAsDenyAll(written.get(tunnel.id))) continue;
    reach ??= new ReachabilitySpace(policy);
    const result = findForwardedRequest(policy, tunnel, reach);
    if (result.kind === "forwards") continue;
    const rules = [...new Set(result.denials.map((d) => d.rule))];
    out.push({
      code: "RP8001",
      severity: "warning",
      message: `tunnel \`${tunnel.id}\` forwards no request from any client`,
      ...spanPart(tunnel.origin),
      ...labelsPart(
        result.denials
          .slice(0, 5)
          .map((d) => ({ span: d.origin, message: `refuses: ${d.message}` })),
      ),
      help:
        rules.length > 0
          ? `every request is refused by ${rules.map((r) => `\`${r}\``).join(", ")}; widen one of them, or write the tunnel as private if it should not be reachable`
          : "check the tunnel's hosts and protocol",
    });
  }
  return out;
}

export const tunnelAdmitsNothing: LintRule = { code: "RP8001", check };
