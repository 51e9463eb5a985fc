/**
 * The serving state: everything one policy generation needs to answer requests — hosts to
 * tunnels, each tunnel's TLS setup and upstream. Built off to the side and swapped in with one
 * assignment, so a request sees exactly one generation from start to end.
 */
import { dirname, resolve } from "node:path";
import type { CompiledPolicy } from "../compile/engine.ts";
import type { EffectiveTunnel } from "../bounds/effective.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { CredentialIr } from "../ir/types.ts";
import { duplicateHost, noUpstream } from "./diagnostics.ts";
import { HostIndex } from "./host-index.ts";
import type { LoadedCertificate } from "./tls/certificates.ts";
import type { TlsCapabilities } from "./tls/capabilities.ts";
import { HTTP_ALPN, buildTunnelTls } from "./tls/contexts.ts";
import type { SessionTickets } from "./tls/session-tickets.ts";
import type { TunnelTls } from "./tls/contexts.ts";
import type { Upstream, UpstreamPools } from "./forward/upstreams.ts";
import { buildStreamRoutes } from "./stream/routes.ts";
import type { NotServed, StreamRoutes } from "./stream/routes.ts";

/** One served tunnel with what the pipeline needs. */
export interface TunnelRoute {
  /** The policy whose `request`/`handshake` decide for this tunnel (they route by host). */
  readonly policy: CompiledPolicy;
  readonly tunnel: EffectiveTunnel;
  /** The tunnel's name for logs (its name, else its id). */
  readonly label: string;
  readonly tls: TunnelTls | null;
  readonly upstream: Upstream | null;
  /** mTLS credentials of the tunnel's policy. */
  readonly credentials: readonly CredentialIr[];
  /** Whether a decision can read the country (GeoIP is looked up only then). */
  readonly needsCountry: boolean;
  /**
   * The tunnel's TLS policy demands more than "TLS 1.2 or newer, any group" (a 1.3 minimum,
   * required PQ or ECH): the plain-HTTP listener refuses it rather than serve it without TLS.
   */
  readonly requiresTls: boolean;
}

/** One policy generation, immutable once built. */
export interface ServingState {
  readonly generation: number;
  readonly policies: readonly CompiledPolicy[];
  readonly routes: HostIndex<TunnelRoute>;
  /** `tls`, `tls-passthrough` and `tcp` tunnels (S-P1). */
  readonly streams: StreamRoutes;
  /** Every tunnel of the policy not served, with why (S-P2). */
  readonly notServed: readonly NotServed[];
  readonly tunnels: number;
}

/** Inputs that stay the same across generations. */
export interface StateInputs {
  /** Whether an HTTPS listener exists (a missing certificate matters only then). */
  readonly https: boolean;
  /** Send every tunnel to this upstream instead of its own (example mode). */
  readonly upstreamOverride: string | null;
  readonly certificates: readonly LoadedCertificate[];
  readonly capabilities: TlsCapabilities;
  readonly pools: UpstreamPools;
  /** The `tunnel` of every `tcp` port option. */
  readonly tcpPortTunnels?: readonly string[];
  /** Session resumption of the TLS terminators; absent: Node's defaults. */
  readonly tlsSessions?: SessionTickets;
}

/** An empty state (before the first load). */
export function emptyState(): ServingState {
  return {
    generation: 0,
    policies: [],
    routes: new HostIndex(),
    streams: { bySni: new HostIndex(), byPortOption: new Map() },
    notServed: [],
    tunnels: 0,
  };
}

/**
 * Builds a generation. Tunnels that cannot be served safely (a missing capability, an
 * unreadable CA) are left out with an error diagnostic; the others serve.
 */
export function buildServingState(
  policies: readonly CompiledPolicy[],
  inputs: StateInputs,
  generation: number,
  diagnostics: Diagnostic[],
): ServingState {
  const routes = new HostIndex<TunnelRoute>();
  const notServed: NotServed[] = [];
  const streams = buildStreamRoutes(
    policies,
    { ...inputs, tcpPortTunnels: inputs.tcpPortTunnels ?? [] },
    diagnostics,
    notServed,
  );
  let tunnels = new Set([...streams.bySni.values(), ...streams.byPortOption.values()]).size;
  for (const policy of policies) {
    for (const tunnel of policy.policy.tunnels) {
      // Only published HTTP tunnels have hosts the engine answers for (S-X1).
      if (tunnel.protocol !== "http" || !tunnel.publish) continue;
      const before = diagnostics.length;
      const route = buildRoute(policy, tunnel, inputs, diagnostics);
      if (route === null) {
        const why = diagnostics.slice(before).find((d) => d.severity === "error");
        notServed.push({
          tunnel: tunnel.name ?? tunnel.id,
          protocol: tunnel.protocol,
          code: why?.code ?? "refused",
          reason: why?.message ?? "refused at load",
        });
        continue;
      }
      tunnels++;
      for (const host of tunnel.hosts) {
        const existing = routes.add(host, route);
        if (existing !== undefined)
          diagnostics.push(duplicateHost(host, existing.label, route.label));
      }
    }
  }
  return { generation, policies, routes, streams, notServed, tunnels };
}

function buildRoute(
  policy: CompiledPolicy,
  tunnel: EffectiveTunnel,
  inputs: StateInputs,
  diagnostics: Diagnostic[],
): TunnelRoute | null {
  const label = tunnel.name ?? tunnel.id;
  // A relative mTLS CA path is read from the policy file's directory.
  const base = dirname(policy.policy.source);
  const mtls = tunnel.auth.mtls === null ? null : { ca: resolve(base, tunnel.auth.mtls.ca) };
  const withCa = mtls === null ? tunnel : { ...tunnel, auth: { ...tunnel.auth, mtls } };
  const tls = buildTunnelTls(
    withCa,
    inputs.certificates,
    inputs.capabilities,
    inputs.https,
    diagnostics,
    HTTP_ALPN,
    inputs.tlsSessions ?? null,
  );
  if (tls.kind === "refused") return null;
  const upstreamUrl = inputs.upstreamOverride ?? tunnel.upstream;
  const upstream = inputs.pools.upstreamFor(upstreamUrl);
  if (upstream === null)
    diagnostics.push({ ...noUpstream(label, upstreamUrl), severity: "warning" });
  const t = tunnel.tls;
  return {
    policy,
    tunnel,
    label,
    tls: tls.kind === "tls" ? tls.tls : null,
    upstream,
    credentials: policy.policy.credentials,
    needsCountry: tunnel.countryRules.length > 0,
    requiresTls:
      t.terminated &&
      (t.runtimeMin === "1.3" || t.postQuantum.mode === "required" || t.ech === "required"),
  };
}
