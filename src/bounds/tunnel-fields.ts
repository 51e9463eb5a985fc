/**
 * The fields of a tunnel as the platform's list and watch APIs return them (PLATFORM-FORMATS
 * §6.1, inventory included), and the field sets a `list` grant reveals (S-T3 `list.select`).
 * Sets are sorted arrays of field names; a name the platform does not define selects nothing,
 * so every set is a subset of `TUNNEL_FIELDS`.
 */
import type { EffectiveTunnel } from "./effective.ts";
import { SERVING_TUNNEL_STATUS } from "./tunnel-filter.ts";

/** Every field a tunnel object can carry, sorted: what a `list` without `select` reveals. */
export const TUNNEL_FIELDS: readonly string[] = [
  "allow_cross_region_routing",
  "challenge_mode",
  "client_id",
  "cluster_id",
  "creation_date",
  "datagram_guaranteed_delivery",
  "geo_ip",
  "host",
  "hostname",
  "http_use_tls",
  "http_version",
  "id",
  "labels",
  "mtls_auth",
  "mtls_cacert_pem",
  "name",
  "plan",
  "port",
  "project_id",
  "protocol",
  "provider",
  "publish",
  "region",
  "rstream_auth",
  "status",
  "tls_alpns",
  "tls_ciphers",
  "tls_min_version",
  "tls_mode",
  "token_auth",
  "trusted_ips",
  "type",
  "upstream_tls",
  "user_id",
  "workspace_id",
];

const KNOWN_FIELDS: ReadonlySet<string> = new Set(TUNNEL_FIELDS);

/** The fields a `select` list reveals (`null`: every field), sorted and known. */
export function selectedFields(select: readonly string[] | null): readonly string[] {
  if (select === null) return TUNNEL_FIELDS;
  return [...new Set(select.filter((f) => KNOWN_FIELDS.has(f)))].sort();
}

/** Fields in both sets (both sorted), sorted. */
export function intersectFields(a: readonly string[], b: readonly string[]): string[] {
  const keep = new Set(b);
  return a.filter((f) => keep.has(f));
}

/** Fields in either set (both sorted), sorted. */
export function unionFields(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/**
 * A policy tunnel as a platform tunnel object: the fields Rampart knows, with the platform's
 * names (S-D5). Edge lists are the effective ones (project ∩ tunnel); a declared tunnel is
 * served, so its status is `online`.
 */
export function tunnelRecord(tunnel: EffectiveTunnel): Record<string, unknown> {
  return {
    id: tunnel.id,
    name: tunnel.name,
    protocol: tunnel.protocol,
    publish: tunnel.publish,
    labels: { ...tunnel.labels },
    hostname: tunnel.hosts.length === 0 ? null : tunnel.hosts.join(","),
    status: SERVING_TUNNEL_STATUS,
    project_id: tunnel.projectId,
    workspace_id: tunnel.workspace,
    token_auth: tunnel.auth.token,
    rstream_auth: tunnel.auth.rstreamAuth,
    challenge_mode: tunnel.challenge,
    mtls_auth: tunnel.auth.mtls !== null,
    trusted_ips: tunnel.allowedIps?.ranges.map((r) => r.cidr) ?? null,
    geo_ip: tunnel.allowedCountries?.codes ?? null,
    tls_min_version: tunnel.tls.storedMin,
  };
}

/** The record keeping only `fields` (a control plane applies this to what it returns). */
export function projectRecord(
  record: Readonly<Record<string, unknown>>,
  fields: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (Object.hasOwn(record, field)) out[field] = record[field];
  return out;
}
