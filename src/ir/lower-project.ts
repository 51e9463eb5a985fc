/** Lowering of the project: its identity, plan and bounds (SPEC section 4). */
import type { ProjectDoc, TunnelDoc } from "../syntax/model.ts";
import type { LowerContext, SpanScope } from "./lower-context.ts";
import { propertySpans, sortedUnique, spansAt } from "./lower-context.ts";
import { memberKey } from "./members.ts";
import { lowerCountryList, lowerIpList } from "./lower-values.ts";
import type { EdgePropertiesIr, ProjectIr, ProjectMembersIr } from "./types.ts";

/**
 * The edge properties a project bounds and a tunnel requests; `null` where the file is silent.
 * `scope` holds the spans of `doc`.
 */
export function lowerEdgeProperties(
  doc: ProjectDoc | TunnelDoc,
  ctx: LowerContext,
  scope: SpanScope,
): EdgePropertiesIr {
  // An absent list lowers to `null`; checked here so that no scope is made for it.
  const ips = doc.trusted_ips;
  const countries = doc.geo_ip;
  return {
    trustedIps: ips === undefined ? null : lowerIpList(ips, ctx, scope.at("trusted_ips")),
    countries: countries === undefined ? null : lowerCountryList(countries, ctx, scope, "geo_ip"),
    tlsMin: doc.tls_min_version ?? null,
    postQuantum:
      doc.post_quantum === undefined
        ? null
        : { mode: doc.post_quantum.mode, fips: doc.post_quantum.fips ?? false },
    ech: doc.ech ?? null,
  };
}

/** The project's members (S-T8); `null` when the file names none. */
function lowerMembers(doc: ProjectDoc["members"]): ProjectMembersIr | null {
  if (doc === undefined) return null;
  return {
    users: sortedUnique((doc.users ?? []).map(memberKey)),
    clients: sortedUnique(doc.clients ?? []),
  };
}

/** Lowers the project; public access defaults to `allowed` (SPEC S-A2). */
export function lowerProject(doc: ProjectDoc, pointer: string, ctx: LowerContext): ProjectIr {
  const scope = spansAt(ctx, pointer);
  const spans = propertySpans(doc, scope);
  return {
    id: doc.id,
    name: doc.name ?? null,
    workspace: doc.workspace ?? null,
    plan: doc.plan,
    publicAccess: doc.public_access ?? "allowed",
    members: lowerMembers(doc.members),
    ...lowerEdgeProperties(doc, ctx, scope),
    spans,
  };
}
