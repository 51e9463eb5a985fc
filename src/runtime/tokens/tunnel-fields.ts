/**
 * The tunnel fields a token can name (S-T4, PLATFORM-FORMATS §6): the fields its filters can
 * constrain, and the inventory fields a `list.select` can pick. Both sets are closed: a name
 * outside them makes the token invalid rather than silently unrestricted.
 */

/** Filter fields and the kind of value each takes. */
export const TUNNEL_FILTER_FIELDS = {
  id: "string",
  name: "string",
  type: "string",
  protocol: "string",
  hostname: "string",
  status: "string",
  tls_min_version: "string",
  http_version: "string",
  client_id: "string",
  user_id: "string",
  publish: "boolean",
  token_auth: "boolean",
  rstream_auth: "boolean",
  challenge_mode: "boolean",
  mtls_auth: "boolean",
  labels: "labels",
  trusted_ips: "list",
  geo_ip: "list",
} as const satisfies Record<string, "string" | "boolean" | "labels" | "list">;

/** Every field of the tunnel inventory object, which `list.select` may name. */
export const TUNNEL_INVENTORY_FIELDS: readonly string[] = [
  "id",
  "creation_date",
  "name",
  "type",
  "publish",
  "protocol",
  "labels",
  "geo_ip",
  "trusted_ips",
  "host",
  "tls_mode",
  "tls_alpns",
  "tls_min_version",
  "tls_ciphers",
  "mtls_auth",
  "mtls_cacert_pem",
  "http_version",
  "http_use_tls",
  "token_auth",
  "rstream_auth",
  "challenge_mode",
  "hostname",
  "port",
  "upstream_tls",
  "datagram_guaranteed_delivery",
  "allow_cross_region_routing",
  "client_id",
  "user_id",
  "workspace_id",
  "project_id",
  "cluster_id",
  "plan",
  "provider",
  "region",
  "status",
];
