/**
 * Routing by host (exact hosts first, then `*.` wildcards covering exactly one more label).
 * Only published tunnels are reachable through a public host; private tunnels never are (S-X1).
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import { isHttpFamily } from "../bounds/protocol.ts";

/** Whether a host pattern (`api.example.com` or `*.example.com`) covers a host. */
export function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith("*.")) return pattern === host;
  const suffix = pattern.slice(1);
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes(".");
}

function routeBy(
  policy: EffectivePolicy,
  host: string,
  eligible: (tunnel: EffectiveTunnel) => boolean,
): EffectiveTunnel | null {
  const name = host.toLowerCase();
  const candidates = policy.tunnels.filter((t) => t.publish && eligible(t));
  return (
    candidates.find((t) => t.hosts.includes(name)) ??
    candidates.find((t) => t.hosts.some((h) => h.startsWith("*.") && hostMatches(h, name))) ??
    null
  );
}

/** The published HTTP tunnel serving a request's host, or `null`. */
export function routeRequest(policy: EffectivePolicy, host: string): EffectiveTunnel | null {
  return routeBy(policy, host, (t) => isHttpFamily(t.protocol));
}

/** The published tunnel serving a TLS server name, whatever its protocol, or `null`. */
export function routeServerName(policy: EffectivePolicy, sni: string): EffectiveTunnel | null {
  return routeBy(policy, sni, () => true);
}
