/** Lowering of the project: its identity, plan and bounds (SPEC section 4). */
import type { ProjectDoc, TunnelDoc } from "../syntax/model.ts";
import type { LowerContext } from "./lower-context.ts";
import { at, propertySpans } from "./lower-context.ts";
import { lowerCountryList, lowerIpList } from "./lower-values.ts";
import type { EdgePropertiesIr, ProjectIr } from "./types.ts";

/** The edge properties a project bounds and a tunnel requests; `null` where the file is silent. */
export function lowerEdgeProperties(
  doc: ProjectDoc | TunnelDoc,
  pointer: string,
  ctx: LowerContext,
): EdgePropertiesIr {
  return {
    trustedIps: lowerIpList(doc.trusted_ips, at(pointer, "trusted_ips"), ctx),
    countries: lowerCountryList(doc.geo_ip, at(pointer, "geo_ip"), ctx),
    tlsMin: doc.tls_min_version ?? null,
    postQuantum:
      doc.post_quantum === undefined
        ? null
        : { mode: doc.post_quantum.mode, fips: doc.post_quantum.fips ?? false },
    ech: doc.ech ?? null,
  };
}

/** Lowers the project; public access defaults to `allowed` (SPEC S-A2). */
export function lowerProject(doc: ProjectDoc, pointer: string, ctx: LowerContext): ProjectIr {
  return {
    id: doc.id,
    name: doc.name ?? null,
    workspace: doc.workspace ?? null,
    plan: doc.plan,
    publicAccess: doc.public_access ?? "allowed",
    ...lowerEdgeProperties(doc, pointer, ctx),
    spans: propertySpans(doc, pointer, ctx),
  };
}
