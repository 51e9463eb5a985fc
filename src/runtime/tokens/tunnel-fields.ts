/**
 * The tunnel fields a token can name (S-T4, PLATFORM-FORMATS §6): the fields its filters can
 * constrain, and the inventory fields a `list.select` can pick. Both sets are closed: a name
 * outside them makes the token invalid rather than silently unrestricted.
 */
import { BOOLEAN_FIELDS, STRING_FIELDS } from "../../ir/filter-fields.ts";

/** A filter field's kind of value, as the claims schema checks it. */
export type FilterFieldKind = "string" | "boolean" | "labels" | "list";

/**
 * Filter fields and the kind of value each takes: the IR's string and boolean fields (so the
 * schema never accepts a field the lowering drops, nor refuses one it decides), labels and
 * the two lists.
 */
export const TUNNEL_FILTER_FIELDS: Readonly<Record<string, FilterFieldKind>> = {
  ...Object.fromEntries(STRING_FIELDS.map((f) => [f, "string"])),
  ...Object.fromEntries(BOOLEAN_FIELDS.map((f) => [f, "boolean"])),
  labels: "labels",
  trusted_ips: "list",
  geo_ip: "list",
};

/**
 * The other fields of the platform's tunnel object (PLATFORM-FORMATS §3.1, §6.1) that a
 * filter may name, and the kind of value each takes. Rampart's tunnels declare none of them
 * (`plan` is the project's plan here, whose names the platform's inventory does not share),
 * so a filter naming one can never be decided: it is accepted and matches nothing (S-T4).
 */
export const UNDECIDABLE_FILTER_FIELDS = {
  host: "string",
  mtls_cacert_pem: "string",
  creation_date: "string",
  cluster_id: "string",
  plan: "string",
  provider: "string",
  region: "string",
  http_use_tls: "boolean",
  upstream_tls: "boolean",
  datagram_guaranteed_delivery: "boolean",
  allow_cross_region_routing: "boolean",
  tls_alpns: "list",
  tls_ciphers: "list",
  port: "port",
} as const satisfies Record<string, "string" | "boolean" | "list" | "port">;

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
