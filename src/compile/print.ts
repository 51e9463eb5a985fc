/**
 * `rampart compile --print`: what the compiled decision functions do, tunnel by tunnel, in
 * the order they do it. The compiler builds closures rather than source text, so this prints
 * the plan those closures run: routing, the merged range tables and country tables of the
 * edge layer, the TLS minimum, the challenge and the authentication chain. Deterministic, so
 * it can be diffed and kept as a golden.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import { isHttpFamily } from "../bounds/protocol.ts";
import { compileIpSet } from "./matchers/ip-ranges.ts";
import type { IpRangeTable } from "./matchers/ip-ranges.ts";

const SHOWN_RANGES = 8;

function v4Text(key: number): string {
  const value = (key ^ 0x80000000) >>> 0;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

function v6Text(words: Uint32Array, index: number): string {
  const groups: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = words[index * 4 + w] ?? 0;
    groups.push((word >>> 16).toString(16), (word & 0xffff).toString(16));
  }
  return groups.join(":");
}

/** The merged ranges of a table as `first–last` lines, the first few of each family. */
function describeTable(table: IpRangeTable): string[] {
  const lines: string[] = [];
  const v4 = table.v4Starts.length;
  const v6 = table.v6Starts.length / 4;
  for (let i = 0; i < Math.min(v4, SHOWN_RANGES); i++) {
    lines.push(`${v4Text(table.v4Starts[i] ?? 0)} – ${v4Text(table.v4Ends[i] ?? 0)}`);
  }
  if (v4 > SHOWN_RANGES) lines.push(`… ${v4 - SHOWN_RANGES} more IPv4 ranges`);
  for (let i = 0; i < Math.min(v6, SHOWN_RANGES); i++) {
    lines.push(`${v6Text(table.v6Starts, i)} – ${v6Text(table.v6Ends, i)}`);
  }
  if (v6 > SHOWN_RANGES) lines.push(`… ${v6 - SHOWN_RANGES} more IPv6 ranges`);
  return lines;
}

function authChain(tunnel: EffectiveTunnel): string {
  const auth = tunnel.auth;
  const steps = [
    auth.token ? `token (${auth.tokenRule.rule})` : null,
    auth.mtls !== null ? `mTLS credential (${auth.mtlsRule.rule})` : null,
    auth.rstreamAuth ? `rstream Auth session (${auth.rstreamAuthRule.rule})` : null,
  ].filter((s): s is string => s !== null);
  return steps.length === 0
    ? "none: forward"
    : `${steps.join(" → ")}; first that authorizes forwards`;
}

function printTunnel(tunnel: EffectiveTunnel): string[] {
  const reach = !tunnel.publish
    ? "private: never routed by host"
    : isHttpFamily(tunnel.protocol)
      ? "HTTP requests and TLS handshakes"
      : "TLS handshakes only";
  const lines = [
    `tunnel ${tunnel.id} (${tunnel.protocol}; ${reach})`,
    `  hosts: ${tunnel.hosts.join(", ") || "(none)"}`,
  ];
  for (const rule of tunnel.ipRules) {
    const table = compileIpSet(rule.set);
    lines.push(
      `  edge: client address in ${rule.rule}, ${rule.set.ranges.length} entries merged into ${table.v4Starts.length + table.v6Starts.length / 4} ranges (binary search)`,
    );
    for (const range of describeTable(table)) lines.push(`    ${range}`);
  }
  for (const rule of tunnel.countryRules)
    lines.push(`  edge: country in ${rule.rule}: ${rule.set.codes.join(" ")} (26×26 table)`);
  const tls = tunnel.tls;
  lines.push(
    tls.terminated
      ? `  tls: minimum ${tls.runtimeMin} (stored ${tls.storedMin}), post-quantum ${tls.postQuantum.mode}${tls.postQuantum.fips ? " (fips)" : ""}, ech ${tls.ech}`
      : "  tls: not terminated (the upstream checks it)",
  );
  lines.push("  well-known: /.well-known/rstream/{session,logout} answered by the engine");
  lines.push(
    `  challenge: ${tunnel.challenge ? `on (${tunnel.challengeRule.rule}); a valid cookie or an authorized token passes` : "off"}`,
  );
  lines.push(`  auth: ${authChain(tunnel)}`);
  return lines;
}

/** The compiled plan of a policy as text. */
export function printCompiled(policy: EffectivePolicy): string {
  const head = `policy ${policy.projectId} from ${policy.source}: ${policy.tunnels.length} tunnels, ${Object.keys(policy.grants).length} grants (compiled per token on first use)`;
  return [head, ...policy.tunnels.flatMap((t) => ["", ...printTunnel(t)])].join("\n") + "\n";
}
