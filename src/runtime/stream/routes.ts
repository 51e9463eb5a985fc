/**
 * The stream tunnels of one policy generation (S-P1): `tls` and `tls-passthrough` by SNI on the
 * TLS listener, `tcp` by the port the options give them. Also the list of tunnels this runtime
 * does not serve, with why (S-P2): `serve` logs it at every load and exports it as a metric.
 */
import { dirname, resolve } from "node:path";
import type { CompiledPolicy, CompiledTunnel } from "../../compile/engine.ts";
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { CredentialIr, Protocol } from "../../ir/types.ts";
import {
  noTlsListener,
  protocolUnsupported,
  streamUpstreamInvalid,
  tcpPortMissing,
  tcpPortUnknownTunnel,
} from "../diagnostics.ts";
import { HostIndex } from "../host-index.ts";
import type { LoadedCertificate } from "../tls/certificates.ts";
import type { TlsCapabilities } from "../tls/capabilities.ts";
import { buildTunnelTls } from "../tls/contexts.ts";
import { preferLargeReads } from "../tls/large-reads.ts";
import type { SessionTickets } from "../tls/session-tickets.ts";
import type { TunnelTls } from "../tls/contexts.ts";
import { parseStreamUpstream } from "./upstream-address.ts";
import type { StreamUpstream } from "./upstream-address.ts";

/** A served stream tunnel. */
export interface StreamRoute {
  readonly kind: "tls" | "passthrough" | "tcp";
  readonly label: string;
  readonly tunnel: EffectiveTunnel;
  readonly compiled: CompiledTunnel;
  readonly upstream: StreamUpstream;
  /** The TLS terminators of a `tls` tunnel; null for passthrough and tcp. */
  readonly tls: TunnelTls | null;
  readonly credentials: readonly CredentialIr[];
  /** Whether a decision reads the country (GeoIP is looked up only then). */
  readonly needsCountry: boolean;
}

/** A tunnel of the policy that this runtime does not serve, and why (S-P2). */
export interface NotServed {
  readonly tunnel: string;
  readonly protocol: Protocol;
  /** The diagnostic code that refused it, or `private` (reached only by rstream clients). */
  readonly code: string;
  readonly reason: string;
}

export interface StreamRoutes {
  readonly bySni: HostIndex<StreamRoute>;
  /** `tcp` tunnels by the option naming them (the tunnel's id or name as written there). */
  readonly byPortOption: ReadonlyMap<string, StreamRoute>;
}

/** Inputs that stay the same across generations. */
export interface StreamInputs {
  readonly https: boolean;
  readonly certificates: readonly LoadedCertificate[];
  readonly capabilities: TlsCapabilities;
  /** The `tunnel` of every `tcp` port option. */
  readonly tcpPortTunnels: readonly string[];
  /** Session resumption of `tls` tunnels' terminators; absent: Node's defaults. */
  readonly tlsSessions?: SessionTickets;
}

const labelOf = (t: EffectiveTunnel): string => t.name ?? t.id;

/** Pushes a refusal both as a diagnostic and into the not-served list. */
function refuse(
  tunnel: EffectiveTunnel,
  diagnostic: Diagnostic,
  diagnostics: Diagnostic[],
  notServed: NotServed[],
): null {
  diagnostics.push(diagnostic);
  notServed.push({
    tunnel: labelOf(tunnel),
    protocol: tunnel.protocol,
    code: diagnostic.code,
    reason: diagnostic.message,
  });
  return null;
}

/**
 * Builds the stream routes and notes every tunnel not served: private ones, protocols Node
 * cannot serve (dtls, quic), stream tunnels without a listener, port or usable upstream.
 */
export function buildStreamRoutes(
  policies: readonly CompiledPolicy[],
  inputs: StreamInputs,
  diagnostics: Diagnostic[],
  notServed: NotServed[],
): StreamRoutes {
  const bySni = new HostIndex<StreamRoute>();
  const byPortOption = new Map<string, StreamRoute>();
  for (const policy of policies) {
    for (const tunnel of policy.policy.tunnels) {
      if (!tunnel.publish) {
        notServed.push({
          tunnel: labelOf(tunnel),
          protocol: tunnel.protocol,
          code: "private",
          reason: "a private tunnel is reached only by rstream clients, never through the edge",
        });
        continue;
      }
      if (tunnel.protocol === "dtls" || tunnel.protocol === "quic") {
        refuse(
          tunnel,
          protocolUnsupported(labelOf(tunnel), tunnel.protocol),
          diagnostics,
          notServed,
        );
        continue;
      }
      if (tunnel.protocol === "http") continue;
      const route = buildStreamRoute(policy, tunnel, inputs, diagnostics, notServed);
      if (route === null) continue;
      if (route.kind === "tcp") {
        for (const name of inputs.tcpPortTunnels) {
          if (name === tunnel.id || name === tunnel.name) byPortOption.set(name, route);
        }
      } else {
        for (const host of tunnel.hosts) bySni.add(host, route);
      }
    }
  }
  for (const name of inputs.tcpPortTunnels) {
    if (!byPortOption.has(name)) diagnostics.push(tcpPortUnknownTunnel(name));
  }
  return { bySni, byPortOption };
}

function buildStreamRoute(
  policy: CompiledPolicy,
  tunnel: EffectiveTunnel,
  inputs: StreamInputs,
  diagnostics: Diagnostic[],
  notServed: NotServed[],
): StreamRoute | null {
  const label = labelOf(tunnel);
  const kind =
    tunnel.protocol === "tcp" ? "tcp" : tunnel.protocol === "tls" ? "tls" : "passthrough";
  if (kind === "tcp" && !inputs.tcpPortTunnels.some((n) => n === tunnel.id || n === tunnel.name))
    return refuse(tunnel, tcpPortMissing(label), diagnostics, notServed);
  if (kind !== "tcp" && !inputs.https)
    return refuse(tunnel, noTlsListener(label, tunnel.protocol), diagnostics, notServed);
  const upstream = parseStreamUpstream(tunnel.upstream);
  if (upstream === null)
    return refuse(tunnel, streamUpstreamInvalid(label, tunnel.upstream), diagnostics, notServed);
  const compiled = policy.tunnelById(tunnel.id);
  if (compiled === null) return null;
  let tls: TunnelTls | null = null;
  if (kind === "tls") {
    // A relative mTLS CA path is read from the policy file's directory.
    const base = dirname(policy.policy.source);
    const mtls = tunnel.auth.mtls === null ? null : { ca: resolve(base, tunnel.auth.mtls.ca) };
    const withCa = mtls === null ? tunnel : { ...tunnel, auth: { ...tunnel.auth, mtls } };
    const before = diagnostics.length;
    // A terminated stream carries no ALPN of ours: the upstream protocol is the tunnel's own.
    const built = buildTunnelTls(
      withCa,
      inputs.certificates,
      inputs.capabilities,
      true,
      diagnostics,
      [],
      inputs.tlsSessions ?? null,
    );
    const refusal = diagnostics.slice(before).find((d) => d.severity === "error");
    if (built.kind !== "tls" || built.tls.terminators.values().length === 0) {
      if (refusal !== undefined)
        notServed.push({
          tunnel: label,
          protocol: tunnel.protocol,
          code: refusal.code,
          reason: refusal.message,
        });
      return null;
    }
    tls = built.tls;
    for (const terminator of tls.terminators.values()) preferLargeReads(terminator);
  }
  return {
    kind,
    label,
    tunnel,
    compiled,
    upstream,
    tls,
    credentials: policy.policy.credentials,
    needsCountry: tunnel.countryRules.length > 0,
  };
}
