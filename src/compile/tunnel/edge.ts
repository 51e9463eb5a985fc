/**
 * Layer 1 of a request (SPEC S-O1, S-A3…S-A5) compiled for one tunnel: every trusted-IP list
 * as a range table, every GeoIP list as a country table, and the runtime TLS minimum. The
 * client address is parsed once, and only when a list applies. Denials are built once.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import { runtimeMinRule } from "../../bounds/tls.ts";
import {
  geoDeniedVerdict,
  ipDeniedVerdict,
  plainHttpDeniedVerdict,
  tlsDeniedVerdict,
} from "../../bounds/verdicts.ts";
import type { Decision } from "../../ir/decision.ts";
import type { RequestFacts } from "../../ir/facts.ts";
import { newAddressScratch, parseAddressInto } from "../matchers/address.ts";
import { compileCountrySet, containsCountry } from "../matchers/country-table.ts";
import type { CountryTable } from "../matchers/country-table.ts";
import { compileIpSet, containsAddress } from "../matchers/ip-ranges.ts";
import type { IpRangeTable } from "../matchers/ip-ranges.ts";
import { referenceSlowParser } from "../matchers/slow-address.ts";

/** The edge layer: a denial, or null to go on. */
export type EdgeCheck = (facts: RequestFacts) => Decision | null;

// Decisions are synchronous and never re-entered, so one scratch area serves every tunnel.
const scratch = newAddressScratch();

/** Compiles the edge layer of a tunnel. */
export function compileEdge(tunnel: EffectiveTunnel): EdgeCheck {
  const ips: { table: IpRangeTable; deny: Decision }[] = tunnel.ipRules.map((rule) => ({
    table: compileIpSet(rule.set),
    deny: Object.freeze(ipDeniedVerdict(rule)),
  }));
  const countries: { table: CountryTable; deny: Decision }[] = tunnel.countryRules.map((rule) => ({
    table: compileCountrySet(rule.set),
    deny: Object.freeze(geoDeniedVerdict(rule)),
  }));
  const tls = tunnel.tls;
  // Only two versions exist, so "below the runtime minimum" is "1.2 when 1.3 is required".
  const tlsDeny =
    tls.terminated && tls.runtimeMin === "1.3"
      ? Object.freeze(tlsDeniedVerdict(runtimeMinRule(tls), "1.3"))
      : null;
  // Plain HTTP cannot meet a TLS 1.3 minimum either: serve's HTTP listener refuses it.
  const plainDeny =
    tlsDeny === null ? null : Object.freeze(plainHttpDeniedVerdict(runtimeMinRule(tls), "1.3"));
  if (ips.length === 0 && countries.length === 0 && tlsDeny === null) return () => null;
  return (facts) => {
    if (ips.length > 0) {
      const family = parseAddressInto(facts.clientIp, scratch, referenceSlowParser);
      for (let i = 0; i < ips.length; i++) {
        const check = ips[i] as { table: IpRangeTable; deny: Decision };
        if (!containsAddress(check.table, family, scratch)) return check.deny;
      }
    }
    for (let i = 0; i < countries.length; i++) {
      const check = countries[i] as { table: CountryTable; deny: Decision };
      if (!containsCountry(check.table, facts.country)) return check.deny;
    }
    if (tlsDeny !== null && facts.tlsVersion === "1.2") return tlsDeny;
    if (plainDeny !== null && !facts.secure) return plainDeny;
    return null;
  };
}
