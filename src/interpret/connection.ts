/**
 * The reference interpreter for one connection to a stream tunnel (S-P1): every trusted-IP
 * list, every GeoIP list, then — for a terminated `tls` tunnel with mTLS — the client
 * certificate's registered credential and its grant's `connect` scope. A stream has no path
 * or method, so a grant restricted to paths or methods does not connect it (fail closed).
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import {
  connectionAllowVerdict,
  connectionCredentialScopeVerdict,
  connectionGeoVerdict,
  connectionIpVerdict,
  connectionNoCredentialVerdict,
} from "../bounds/handshake-verdicts.ts";
import { countryRuleRefusing } from "../bounds/kinds/country.ts";
import { ipRuleRefusing } from "../bounds/kinds/ip.ts";
import type { HandshakeDecision } from "../ir/decision.ts";
import type { ConnectionFacts } from "../ir/facts.ts";
import { grantRule } from "./credentials.ts";
import { grantAllows } from "./grant-allows.ts";

/** Decides one connection already routed to `tunnel` (by SNI, or by the port it arrived on). */
export function interpretConnection(
  policy: EffectivePolicy,
  tunnel: EffectiveTunnel,
  facts: ConnectionFacts,
): HandshakeDecision {
  const ipRule = ipRuleRefusing(tunnel.ipRules, facts.clientIp);
  if (ipRule !== null) return connectionIpVerdict(ipRule);
  const countryRule = countryRuleRefusing(tunnel.countryRules, facts.country);
  if (countryRule !== null) return connectionGeoVerdict(countryRule);
  if (!tunnel.tls.terminated || tunnel.auth.mtls === null) return connectionAllowVerdict(tunnel);
  const name = facts.clientCredential;
  const credential = name === null ? undefined : policy.credentials.find((c) => c.name === name);
  if (credential === undefined) return connectionNoCredentialVerdict(tunnel.auth.mtlsRule);
  const grant = Object.hasOwn(policy.grants, credential.grant)
    ? policy.grants[credential.grant]
    : undefined;
  if (grant === undefined) {
    return connectionCredentialScopeVerdict({
      rule: `credential:${credential.name}`,
      origin: credential.origin ?? null,
    });
  }
  const connects = grantAllows(
    grant,
    "connect",
    tunnel,
    tunnel.projectId,
    tunnel.workspace,
    null,
    null,
  );
  return connects
    ? connectionAllowVerdict(tunnel)
    : connectionCredentialScopeVerdict(grantRule(grant));
}
