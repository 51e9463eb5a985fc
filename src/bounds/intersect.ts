/**
 * The bounds stage driver (SPEC S-A1…S-A8): each tunnel request ∩ the project bounds, kind by
 * kind (one file per kind under `kinds/`), plan gating, defaults, and grants reduced along
 * their parent chains. Every conflict is collected as an `Incompatible` value and turned into
 * a diagnostic in `incompatible.ts`; the stage fails if any is an error.
 */
import { DiagnosticBag } from "../diagnostics/bag.ts";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import type { CredentialIr, PolicyIr, ProjectIr, TunnelIr } from "../ir/types.ts";
import { hostsAreUnique, markHostsUnique } from "../ir/unique-hosts.ts";
import type { EffectivePolicy, EffectiveTunnel } from "./effective.ts";
import { effectiveGrants } from "./grants.ts";
import type { Incompatible } from "./incompatible.ts";
import { incompatibleToDiagnostic, isIncompatible } from "./incompatible.ts";
import { intersectAuth } from "./kinds/auth.ts";
import { challengeOn, challengeRule } from "./kinds/challenge.ts";
import { intersectCountries } from "./kinds/country.ts";
import { checkDuplicateHosts } from "./kinds/host.ts";
import { intersectTrustedIps } from "./kinds/ip.ts";
import { checkProjectPlan, checkTunnelPlan } from "./kinds/plan.ts";
import { beginCiting, endCiting } from "./rules.ts";
import { intersectTls } from "./tls.ts";

/** One tunnel request ∩ the project bounds, or every conflict found. */
export function effectiveTunnel(
  project: ProjectIr,
  tunnel: TunnelIr,
): EffectiveTunnel | Incompatible[] {
  beginCiting(tunnel);
  try {
    return intersectTunnel(project, tunnel);
  } finally {
    endCiting();
  }
}

function intersectTunnel(project: ProjectIr, tunnel: TunnelIr): EffectiveTunnel | Incompatible[] {
  const ips = intersectTrustedIps(project, tunnel);
  const countries = intersectCountries(project, tunnel);
  const tls = intersectTls(project, tunnel);
  const auth = intersectAuth(project, tunnel);
  const planConflicts = checkTunnelPlan(project, tunnel);
  if (
    planConflicts.length > 0 ||
    isIncompatible(ips) ||
    isIncompatible(countries) ||
    isIncompatible(tls) ||
    isIncompatible(auth)
  ) {
    return [...planConflicts, ...[ips, countries, tls, auth].filter(isIncompatible)];
  }
  return {
    projectId: project.id,
    workspace: project.workspace,
    plan: project.plan,
    id: tunnel.id,
    name: tunnel.name,
    labels: tunnel.labels,
    protocol: tunnel.protocol,
    hosts: tunnel.hosts,
    publish: tunnel.publish,
    upstream: tunnel.upstream,
    ipRules: ips.ipRules,
    allowedIps: ips.allowedIps,
    countryRules: countries.countryRules,
    allowedCountries: countries.allowedCountries,
    tls,
    auth,
    challenge: challengeOn(tunnel),
    challengeRule: challengeRule(tunnel),
    origin: tunnel.origin ?? null,
  };
}

function unknownCredentialGrant(credential: CredentialIr): Diagnostic {
  return {
    code: "RP4204",
    severity: "error",
    message: `credential \`${credential.name}\` maps to grant \`${credential.grant}\`, which is not defined`,
    ...(credential.origin !== undefined ? { span: credential.origin } : {}),
    help: "define the grant or point the credential at an existing one",
  };
}

/** Computes the effective policy of a lowered policy file. Never throws on bad input. */
export function computeEffective(ir: PolicyIr): Outcome<EffectivePolicy> {
  const bag = new DiagnosticBag();
  // Lowering has checked hosts of its own lists (`unique-hosts.ts`): no host there is in two
  // tunnels, so none is in two published ones either.
  const uniqueHosts = hostsAreUnique(ir.tunnels);
  const conflicts: Incompatible[] = [
    ...checkProjectPlan(ir.project),
    ...(uniqueHosts ? [] : checkDuplicateHosts(ir.tunnels)),
  ];
  const tunnels: EffectiveTunnel[] = [];
  for (let t = 0; t < ir.tunnels.length; t++) {
    const result = effectiveTunnel(ir.project, ir.tunnels[t] as TunnelIr);
    if (Array.isArray(result)) conflicts.push(...result);
    else tunnels.push(result);
  }
  // Effective tunnels keep their tunnel's hosts, and are some of those tunnels.
  if (uniqueHosts) markHostsUnique(tunnels);
  for (const conflict of conflicts) bag.add(incompatibleToDiagnostic(conflict));
  const grants = effectiveGrants(ir.grants);
  bag.addAll(grants.diagnostics);
  for (const credential of ir.credentials) {
    if (
      grants.grants[credential.grant] === undefined &&
      !ir.grants.some((g) => g.name === credential.grant)
    ) {
      bag.add(unknownCredentialGrant(credential));
    }
  }
  return bag.finish({
    source: ir.source,
    projectId: ir.project.id,
    workspace: ir.project.workspace,
    plan: ir.project.plan,
    publicAccess: ir.project.publicAccess,
    tunnels,
    grants: grants.grants,
    credentials: ir.credentials,
    tests: ir.tests,
  });
}
