/**
 * RP8030: a published tunnel that `rampart serve` refuses at load because Node cannot serve it
 * with its full policy (S-P1, S-P2): a `dtls` or `quic` tunnel (Node has no DTLS or QUIC server)
 * and a terminated tunnel that prefers or requires Encrypted Client Hello (Node's TLS has no
 * ECH; served, a `preferred` tunnel would never offer it). Said before deployment, so that no
 * tunnel passes lint and is then silently not served.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { LintContext, LintRule, Report } from "../rule.ts";
import { createRule } from "../rule.ts";

const messages = {
  notServed: (tunnel: string, protocol: string, why: string, runtimeCode: string) =>
    `\`rampart serve\` cannot serve tunnel \`${tunnel}\` (${protocol}): ${why}; it is refused at load with ${runtimeCode}`,
};

/** Why the runtime refuses a tunnel, and the runtime code it refuses it with; null: served. */
function refusal(tunnel: EffectiveTunnel): { why: string; runtimeCode: string } | null {
  if (tunnel.protocol === "dtls") return { why: "Node has no DTLS server", runtimeCode: "RP6030" };
  if (tunnel.protocol === "quic")
    return { why: "Node has no QUIC (HTTP/3) server", runtimeCode: "RP6030" };
  if (tunnel.tls.terminated && tunnel.tls.ech !== "off")
    return {
      why: `it ${tunnel.tls.ech === "required" ? "requires" : "prefers"} Encrypted Client Hello, which Node's TLS cannot offer`,
      runtimeCode: tunnel.tls.ech === "required" ? "RP6004" : "RP6033",
    };
  return null;
}

function check({ policy }: LintContext, report: Report<typeof messages>): Diagnostic[] {
  const out: Diagnostic[] = [];
  // `forEach`, not `for … of`: no iterator result per tunnel before the loop is optimized.
  policy.tunnels.forEach((tunnel) => {
    if (!tunnel.publish) return;
    const refused = refusal(tunnel);
    if (refused === null) return;
    const ech = tunnel.protocol !== "dtls" && tunnel.protocol !== "quic";
    out.push(
      report("notServed", [tunnel.id, tunnel.protocol, refused.why, refused.runtimeCode], {
        span: tunnel.origin,
        labels: ech
          ? [{ span: tunnel.tls.echRule.origin, message: `ECH ${tunnel.tls.ech} here` }]
          : [],
        help: ech
          ? "set `ech` to `off` to serve it without ECH, or serve this tunnel from an ECH-capable edge"
          : "publish it as `tls` or `http` to serve it with Rampart, or serve it from an edge that speaks it",
      }),
    );
  });
  return out;
}

export const runtimeCannotServe: LintRule = createRule({
  meta: {
    code: "RP8030",
    name: "lint/runtime-cannot-serve",
    description:
      "a published tunnel that `rampart serve` cannot serve with its policy (dtls, quic, ECH preferred or required)",
    defaultSeverity: "warning",
    messages,
  },
  check,
});
