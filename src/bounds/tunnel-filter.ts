/**
 * Tunnel filters (SPEC S-T4) evaluated against an effective tunnel: string fields, labels,
 * booleans, and trusted-IP / country sets (a tunnel matches when its effective set is inside
 * the filter's; a tunnel without such a restriction does not). A filter reads only tunnel
 * properties, never the request, so this one definition serves the interpreter, the
 * compiler (which decides filters once per grant and tunnel) and the lint rules.
 */
import type { EffectiveTunnel } from "./effective.ts";
import { ipSetCovers } from "../ir/ip.ts";
import { stringMatches } from "./kinds/string-match.ts";
import type { BooleanField, FilterIr, StringField } from "../ir/types.ts";

/** The status a tunnel that is receiving traffic has. */
export const SERVING_TUNNEL_STATUS = "online";

/**
 * The stream type each protocol implies (PLATFORM-FORMATS §6.2). An HTTP tunnel is a
 * bytestream or a datagram depending on its upstream HTTP version, which no policy declares:
 * undecidable, so no value (a filter on it fails closed).
 */
const TYPE_OF_PROTOCOL: Readonly<Record<EffectiveTunnel["protocol"], readonly string[]>> = {
  http: [],
  tls: ["bytestream"],
  "tls-passthrough": ["bytestream"],
  tcp: ["bytestream"],
  dtls: ["datagram"],
  quic: ["datagram"],
};

/** How a TLS tunnel's TLS is handled (PLATFORM-FORMATS §6.1 `tls_mode`); other tunnels have none. */
const TLS_MODE_OF_PROTOCOL: Readonly<Record<EffectiveTunnel["protocol"], readonly string[]>> = {
  http: [],
  tls: ["terminated"],
  "tls-passthrough": ["passthrough"],
  tcp: [],
  dtls: [],
  quic: [],
};

const NONE: readonly string[] = [];

/**
 * The values a string field has on a tunnel; a field matches when any value does. A field
 * the edge cannot know from the tunnel's declared properties (`http_version`, and who created
 * it: `client_id`, `user_id`) has no value, so a filter on it matches nothing (S-T4).
 */
export function stringFieldValues(tunnel: EffectiveTunnel, field: StringField): readonly string[] {
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
      return [SERVING_TUNNEL_STATUS];
    case "tls_min_version":
      return [tunnel.tls.storedMin];
    case "type":
      return TYPE_OF_PROTOCOL[tunnel.protocol];
    case "project_id":
      return [tunnel.projectId];
    case "workspace_id":
      return tunnel.workspace === null ? NONE : [tunnel.workspace];
    case "tls_mode":
      return TLS_MODE_OF_PROTOCOL[tunnel.protocol];
    case "http_version":
    case "client_id":
    case "user_id":
      return NONE;
  }
}

/** The value a boolean field has on a tunnel. */
export function booleanField(tunnel: EffectiveTunnel, field: BooleanField): boolean {
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
export function filterMatches(filter: FilterIr, tunnel: EffectiveTunnel): boolean {
  switch (filter.kind) {
    case "and":
      return filter.children.every((c) => filterMatches(c, tunnel));
    case "or":
      return filter.children.some((c) => filterMatches(c, tunnel));
    case "string":
      return stringFieldValues(tunnel, filter.field).some((v) => stringMatches(filter.match, v));
    case "label": {
      const value = tunnel.labels[filter.key];
      return (
        value !== undefined &&
        Object.hasOwn(tunnel.labels, filter.key) &&
        stringMatches(filter.match, value)
      );
    }
    case "boolean":
      return booleanField(tunnel, filter.field) === filter.value;
    case "ips":
      return tunnel.allowedIps !== null && ipSetCovers(filter.within, tunnel.allowedIps);
    case "countries": {
      const allowed = tunnel.allowedCountries;
      return allowed !== null && allowed.codes.every((c) => filter.within.codes.includes(c));
    }
    case "undeclared":
      return false;
  }
}
