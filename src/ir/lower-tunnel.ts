/** Lowering of tunnels (SPEC section 1, S-D5 property names). */
import type { TunnelDoc } from "../syntax/model.ts";
import type { LowerContext } from "./lower-context.ts";
import { at, propertySpans, sortedUnique } from "./lower-context.ts";
import { lowerEdgeProperties } from "./lower-project.ts";
import { lowerHosts } from "./lower-values.ts";
import type { SessionAllowIr, TunnelIr } from "./types.ts";

function lowerSessionAllow(doc: TunnelDoc["rstream_auth_allow"]): SessionAllowIr | null {
  if (doc === undefined) return null;
  // E-mail addresses and domains compare case-insensitively; group names are kept as written.
  return {
    emails: sortedUnique((doc.emails ?? []).map((e) => e.toLowerCase())),
    domains: sortedUnique((doc.domains ?? []).map((d) => d.toLowerCase())),
    groups: sortedUnique(doc.groups ?? []),
  };
}

/** Lowers a tunnel; it is published unless `publish: false`. */
export function lowerTunnel(doc: TunnelDoc, pointer: string, ctx: LowerContext): TunnelIr {
  return {
    id: doc.id,
    name: doc.name ?? null,
    labels: Object.fromEntries(
      Object.entries(doc.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
    protocol: doc.protocol,
    hosts: lowerHosts(doc.hostname, at(pointer, "hostname"), ctx),
    publish: doc.publish ?? true,
    upstream: doc.upstream ?? null,
    tokenAuth: doc.token_auth ?? null,
    rstreamAuth: doc.rstream_auth ?? null,
    mtls: doc.mtls_auth === undefined ? null : { ca: doc.mtls_auth.ca },
    challenge: doc.challenge_mode ?? null,
    forwardAuthorization: doc.forward_authorization ?? null,
    sessionAllow: lowerSessionAllow(doc.rstream_auth_allow),
    ...lowerEdgeProperties(doc, pointer, ctx),
    spans: propertySpans(doc, pointer, ctx),
    origin: ctx.span(pointer),
  };
}
