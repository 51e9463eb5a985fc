/**
 * The connection decision of one stream tunnel (S-P1), compiled: trusted-IP range tables,
 * GeoIP country tables, and for a terminated `tls` tunnel with mTLS the credential's grant
 * scope. Refusals are constants built once. A grant's scope that still depends on a path or a
 * method is a function; a stream has neither, so only a scope that is plainly `true` connects.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import {
  connectionAllowVerdict,
  connectionCredentialScopeVerdict,
  connectionGeoVerdict,
  connectionIpVerdict,
  connectionNoCredentialVerdict,
} from "../../bounds/handshake-verdicts.ts";
import type { HandshakeDecision } from "../../ir/decision.ts";
import type { ConnectionFacts } from "../../ir/facts.ts";
import type { GrantCache } from "../grants/grant-cache.ts";
import { newAddressScratch, parseAddressInto } from "../matchers/address.ts";
import { compileCountrySet, containsCountry } from "../matchers/country-table.ts";
import type { CountryTable } from "../matchers/country-table.ts";
import { compileIpSet, containsAddress } from "../matchers/ip-ranges.ts";
import type { IpRangeTable } from "../matchers/ip-ranges.ts";
import { referenceSlowParser } from "../matchers/slow-address.ts";

/** Decides a connection already routed to the tunnel. */
export type ConnectionDecider = (facts: ConnectionFacts) => HandshakeDecision;

// Decisions are synchronous and never re-entered, so one scratch area serves every tunnel.
const scratch = newAddressScratch();

/** Compiles the connection decision of a tunnel. */
export function compileTunnelConnection(
  tunnel: EffectiveTunnel,
  grants: GrantCache,
): ConnectionDecider {
  const ips: { table: IpRangeTable; deny: HandshakeDecision }[] = tunnel.ipRules.map((rule) => ({
    table: compileIpSet(rule.set),
    deny: Object.freeze(connectionIpVerdict(rule)),
  }));
  const countries: { table: CountryTable; deny: HandshakeDecision }[] = tunnel.countryRules.map(
    (rule) => ({
      table: compileCountrySet(rule.set),
      deny: Object.freeze(connectionGeoVerdict(rule)),
    }),
  );
  const allow = Object.freeze(connectionAllowVerdict(tunnel));
  const mtls = tunnel.tls.terminated && tunnel.auth.mtls !== null;
  const noCredential = Object.freeze(connectionNoCredentialVerdict(tunnel.auth.mtlsRule));
  // Per credential name: the constant outcome, computed on first use.
  const byCredential = new Map<string, HandshakeDecision>();
  const credentialOutcome = (name: string | null): HandshakeDecision => {
    if (name === null) return noCredential;
    const known = byCredential.get(name);
    if (known !== undefined) return known;
    const found = grants.forCredential(name);
    if (found === null) return noCredential;
    const outcome =
      found.entry !== null && found.entry.grant.forTunnel(tunnel) === true
        ? allow
        : Object.freeze(connectionCredentialScopeVerdict(found.rule));
    byCredential.set(name, outcome);
    return outcome;
  };
  return (facts) => {
    if (ips.length > 0) {
      const family = parseAddressInto(facts.clientIp, scratch, referenceSlowParser);
      for (let i = 0; i < ips.length; i++) {
        const check = ips[i] as { table: IpRangeTable; deny: HandshakeDecision };
        if (!containsAddress(check.table, family, scratch)) return check.deny;
      }
    }
    for (let i = 0; i < countries.length; i++) {
      const check = countries[i] as { table: CountryTable; deny: HandshakeDecision };
      if (!containsCountry(check.table, facts.country)) return check.deny;
    }
    return mtls ? credentialOutcome(facts.clientCredential) : allow;
  };
}
