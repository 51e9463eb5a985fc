/** Lowering of tunnels (SPEC section 1, S-D5 property names). */
import type { TunnelDoc } from "../syntax/model.ts";
import type { LowerContext, SpanScope } from "./lower-context.ts";
import { canonicalList, lowerCaseList, propertySpans, spansAt } from "./lower-context.ts";
import { lowerEdgeProperties } from "./lower-project.ts";
import { lowerHosts } from "./lower-values.ts";
import type { SessionAllowIr, TunnelIr } from "./types.ts";

/** An empty list, shared: IR lists are never changed. */
const NONE: readonly string[] = [];

function lowerSessionAllow(doc: TunnelDoc["rstream_auth_allow"]): SessionAllowIr | null {
  if (doc === undefined) return null;
  // E-mail addresses and domains compare case-insensitively; group names are kept as written.
  return {
    emails: doc.emails === undefined ? NONE : lowerCaseList(doc.emails),
    domains: doc.domains === undefined ? NONE : lowerCaseList(doc.domains),
    groups: doc.groups === undefined ? NONE : canonicalList(doc.groups),
  };
}

/** Labels with their keys in sorted order (the order `Object.entries` then sorting gives). */
function sortedLabels(labels: TunnelDoc["labels"]): Readonly<Record<string, string>> {
  if (labels === undefined) return {};
  let sorted = true;
  let previous: string | null = null;
  // `for … in` visits the keys in `Object.keys` order (these are plain data objects) and, on
  // objects of one shape, allocates no key list.
  for (const key in labels) {
    if (previous !== null && !(previous < key)) {
      sorted = false;
      break;
    }
    previous = key;
  }
  // HOT PATH: labels are usually written in order, and then the IR shares the document's
  // object (documents are never changed after parsing; a `__proto__` label is an own property
  // there, as `Object.fromEntries` makes it).
  if (sorted) return labels;
  return Object.fromEntries(
    Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** Lowers a tunnel; it is published unless `publish: false`. `scope` holds the spans at `pointer`. */
export function lowerTunnel(
  doc: TunnelDoc,
  pointer: string,
  ctx: LowerContext,
  scope: SpanScope = spansAt(ctx, pointer),
): TunnelIr {
  return lowerTunnelIn(doc, ctx, scope);
}

/** `lowerTunnel` of the tunnel whose spans `scope` holds. */
export function lowerTunnelIn(doc: TunnelDoc, ctx: LowerContext, scope: SpanScope): TunnelIr {
  const spans = propertySpans(doc, scope);
  // Hosts before the edge properties: that is the order their diagnostics are reported in.
  const hosts = doc.hostname === undefined ? NONE : lowerHosts(doc.hostname, ctx, scope);
  const edge = lowerEdgeProperties(doc, ctx, scope);
  // Fields are spelled out rather than spread from `edge`: a spread copies property by
  // property through a slow path, and this runs for every tunnel.
  return {
    id: doc.id,
    name: doc.name ?? null,
    labels: sortedLabels(doc.labels),
    protocol: doc.protocol,
    hosts,
    publish: doc.publish ?? true,
    upstream: doc.upstream ?? null,
    tokenAuth: doc.token_auth ?? null,
    rstreamAuth: doc.rstream_auth ?? null,
    mtls: doc.mtls_auth === undefined ? null : { ca: doc.mtls_auth.ca },
    challenge: doc.challenge_mode ?? null,
    forwardAuthorization: doc.forward_authorization ?? null,
    sessionAllow: lowerSessionAllow(doc.rstream_auth_allow),
    trustedIps: edge.trustedIps,
    countries: edge.countries,
    tlsMin: edge.tlsMin,
    postQuantum: edge.postQuantum,
    ech: edge.ech,
    spans,
    origin: scope.own(),
  };
}
