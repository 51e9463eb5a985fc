/**
 * An independent statement of "this request passed every layer" (S-O3), written from the SPEC
 * rather than from the interpreter's control flow, for the law that nothing is forwarded
 * without it. It reuses only the leaf checks (address in set, grant evaluation).
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import { isHttpFamily } from "../bounds/protocol.ts";
import { compareTls } from "../bounds/kinds/tls-version.ts";
import { MEMBER, OUTSIDER, ownerStanding } from "../bounds/ownership.ts";
import { grantConnects, grantConnectsNamed } from "../interpret/grant-allows.ts";
import { hostMatches } from "../interpret/route.ts";
import type { RequestFacts } from "../ir/facts.ts";
import { ipInSet } from "../ir/ip.ts";
import { normalizePath } from "../ir/path.ts";

function served(policy: EffectivePolicy, host: string): EffectiveTunnel | null {
  const published = policy.tunnels.filter((t) => t.publish && isHttpFamily(t.protocol));
  return (
    published.find((t) => t.hosts.includes(host)) ??
    published.find((t) => t.hosts.some((h) => hostMatches(h, host))) ??
    null
  );
}

function tokenAuthorizes(tunnel: EffectiveTunnel, facts: RequestFacts): boolean {
  const t = facts.token;
  if (!tunnel.auth.token || t === null || t.status !== "valid" || t.grant === null) return false;
  // S-T8: the owner belongs to the project, or (nobody says) the boundary names it.
  const standing = ownerStanding(tunnel.auth.members, t, tunnel.projectId);
  if (standing === OUTSIDER) return false;
  const named = standing === MEMBER || grantConnectsNamed(t.grant, tunnel, facts);
  return named && grantConnects(t.grant, tunnel, facts);
}

function credentialAuthorizes(
  policy: EffectivePolicy,
  tunnel: EffectiveTunnel,
  facts: RequestFacts,
): boolean {
  if (tunnel.auth.mtls === null || facts.clientCredential === null) return false;
  const credential = policy.credentials.find((c) => c.name === facts.clientCredential);
  const grant = credential === undefined ? undefined : policy.grants[credential.grant];
  return grant !== undefined && grantConnects(grant, tunnel, facts);
}

function sessionAuthorizes(tunnel: EffectiveTunnel, facts: RequestFacts): boolean {
  const s = facts.session;
  if (!tunnel.auth.rstreamAuth || s === null) return false;
  const allow = tunnel.auth.sessionAllow;
  if (allow === null || allow.emails.length + allow.domains.length + allow.groups.length === 0)
    return true;
  const email = s.email?.toLowerCase() ?? "";
  return (
    allow.emails.some((e) => e.toLowerCase() === email) ||
    allow.domains.some((d) => email.endsWith(`@${d.toLowerCase()}`)) ||
    s.groups.some((g) => allow.groups.includes(g))
  );
}

function isEnginePath(path: string): boolean {
  const n = normalizePath(path);
  return [path, n.ok ? n.path : path].some((p) => p.startsWith("/.well-known/rstream/"));
}

/** Whether a request satisfies routing, edge access, challenge and authentication. */
export function passesEveryLayer(policy: EffectivePolicy, facts: RequestFacts): boolean {
  const tunnel = served(policy, facts.host);
  if (tunnel === null) return false;
  if (!tunnel.ipRules.every((r) => ipInSet(facts.clientIp, r.set))) return false;
  if (
    !tunnel.countryRules.every((r) => facts.country !== null && r.set.codes.includes(facts.country))
  )
    return false;
  if (
    tunnel.tls.terminated &&
    facts.tlsVersion !== null &&
    compareTls(facts.tlsVersion, tunnel.tls.runtimeMin) < 0
  )
    return false;
  if (isEnginePath(facts.path)) return false;
  const token = tokenAuthorizes(tunnel, facts);
  if (tunnel.challenge && facts.challengeCookie !== "valid" && !token) return false;
  const auth = tunnel.auth;
  if (!auth.token && !auth.rstreamAuth && auth.mtls === null) return true;
  return token || credentialAuthorizes(policy, tunnel, facts) || sessionAuthorizes(tunnel, facts);
}
