/**
 * Tunnel filters (SPEC S-T4) decided once per (grant, tunnel) when a grant is compiled: a
 * filter reads only tunnel properties, never the request, so the hot path never sees it.
 * The same semantics as the reference interpreter (the differential tests hold them equal):
 * a string field matches when any of its values does; `status` of a served tunnel is
 * `online`; an IP or country filter matches a tunnel whose effective set lies inside it.
 */
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import { ipSetCovers } from "../../ir/ip.ts";
import { regexMatches } from "../../ir/path.ts";
import type { BooleanField, FilterIr, StringField, StringMatchIr } from "../../ir/types.ts";

/** The status of a tunnel that receives traffic: the only one a decision ever sees. */
const SERVING_STATUS = "online";

function stringMatches(match: StringMatchIr, value: string): boolean {
  switch (match.kind) {
    case "exact":
      return match.value === value;
    case "oneof":
      return match.values.includes(value);
    case "regex":
      return regexMatches(match.source, value);
  }
}

function stringValues(tunnel: EffectiveTunnel, field: StringField): readonly string[] {
  switch (field) {
    case "id":
      return [tunnel.id];
    case "name":
      return tunnel.name === null ? [] : [tunnel.name];
    case "protocol":
      return [tunnel.protocol];
    case "hostname":
      return tunnel.hosts;
    case "status":
      return [SERVING_STATUS];
    case "tls_min_version":
      return [tunnel.tls.storedMin];
  }
}

function booleanValue(tunnel: EffectiveTunnel, field: BooleanField): boolean {
  switch (field) {
    case "publish":
      return tunnel.publish;
    case "token_auth":
      return tunnel.auth.token;
    case "rstream_auth":
      return tunnel.auth.rstreamAuth;
    case "challenge_mode":
      return tunnel.challenge;
    case "mtls_auth":
      return tunnel.auth.mtls !== null;
  }
}

/** Whether a filter tree selects the tunnel. */
export function tunnelMatchesFilter(filter: FilterIr, tunnel: EffectiveTunnel): boolean {
  switch (filter.kind) {
    case "and":
      return filter.children.every((c) => tunnelMatchesFilter(c, tunnel));
    case "or":
      return filter.children.some((c) => tunnelMatchesFilter(c, tunnel));
    case "string":
      return stringValues(tunnel, filter.field).some((v) => stringMatches(filter.match, v));
    case "label":
      return (
        Object.hasOwn(tunnel.labels, filter.key) &&
        stringMatches(filter.match, tunnel.labels[filter.key] as string)
      );
    case "boolean":
      return booleanValue(tunnel, filter.field) === filter.value;
    case "ips":
      return tunnel.allowedIps !== null && ipSetCovers(filter.within, tunnel.allowedIps);
    case "countries": {
      const allowed = tunnel.allowedCountries;
      return allowed !== null && allowed.codes.every((c) => filter.within.codes.includes(c));
    }
  }
}
