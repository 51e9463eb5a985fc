/**
 * One TLS setup per tunnel (S-A5, S-A6, S-A7, S-H6): minimum version, key-exchange groups,
 * client-certificate verification, and a SecureContext per served host. A tunnel whose
 * requirement this runtime cannot meet gets no setup at all, with a diagnostic.
 */
import { readFileSync } from "node:fs";
import { createServer as createTlsServer } from "node:tls";
import type { Server as TlsServer, TlsOptions as TlsServerOptions } from "node:tls";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { EffectiveTunnel } from "../../bounds/effective.ts";
import type { TlsVersion } from "../../ir/types.ts";
import {
  echPreferredUnsupported,
  echUnsupported,
  invalidCertificate,
  noCertificate,
  postQuantumUnsupported,
  unreadableFile,
} from "../diagnostics.ts";
import { HostIndex, certificateCovers } from "../host-index.ts";
import type { LoadedCertificate } from "./certificates.ts";
import { errorText } from "./certificates.ts";
import type { TlsCapabilities } from "./capabilities.ts";
import { groupsFor } from "./groups.ts";
import type { SessionTickets } from "./session-tickets.ts";
import { sessionContextFor } from "./session-tickets.ts";

/** How a tunnel's handshakes run. */
export interface TunnelTls {
  readonly minVersion: TlsVersion;
  /** Offered groups in preference order; null = OpenSSL's defaults. */
  readonly groups: readonly string[] | null;
  /** Ask for a client certificate and verify it against the tunnel's CA (mTLS). */
  readonly requestCert: boolean;
  /** The CA file's bytes when `requestCert` (a shadow candidate verifies against its own). */
  readonly ca: Buffer | undefined;
  /**
   * A TLS terminator per host pattern that a certificate covers: a `tls.Server` that never
   * listens; the listener hands it connections whose ClientHello named that host. It is a
   * server (not a bare SecureContext) so Node verifies client certificates as it does for
   * any TLS server and reports the result in `authorized`.
   */
  readonly terminators: HostIndex<TlsServer>;
}

/** What an HTTP tunnel's terminator offers in ALPN: HTTP/2 first, HTTP/1.1 kept (WebSocket). */
export const HTTP_ALPN: readonly string[] = ["h2", "http/1.1"];

/** The TLS verdict for one tunnel: served with `tls`, served over plain HTTP only, or refused. */
export type TunnelTlsResult =
  | { readonly kind: "tls"; readonly tls: TunnelTls }
  | { readonly kind: "plain" }
  | { readonly kind: "refused" };

/**
 * Builds a tunnel's TLS setup, pushing diagnostics for what it cannot serve. Capability
 * refusals apply even without an HTTPS listener: such a tunnel is not served at all.
 * `sessions` sets resumption (tickets on or off, the shared key); null: Node's defaults.
 */
export function buildTunnelTls(
  tunnel: EffectiveTunnel,
  certificates: readonly LoadedCertificate[],
  capabilities: TlsCapabilities,
  httpsListener: boolean,
  diagnostics: Diagnostic[],
  alpn: readonly string[] = HTTP_ALPN,
  sessions: SessionTickets | null = null,
): TunnelTlsResult {
  const name = tunnel.name ?? tunnel.id;
  if (!tunnel.tls.terminated) return { kind: "plain" };
  if (tunnel.tls.ech !== "off" && !capabilities.ech) {
    // Even `preferred` is refused: served, the tunnel would never offer ECH (S-P1).
    diagnostics.push(
      tunnel.tls.ech === "required" ? echUnsupported(name) : echPreferredUnsupported(name),
    );
    return { kind: "refused" };
  }
  const pq = tunnel.tls.postQuantum;
  if (pq.mode === "required" && !capabilities.postQuantum) {
    diagnostics.push(postQuantumUnsupported(name, capabilities.openssl));
    return { kind: "refused" };
  }
  // `preferred` allows the classical fallback, so without hybrids it degrades to classical.
  const groups =
    capabilities.postQuantum || pq.mode === "off"
      ? groupsFor(pq.mode, pq.fips)
      : groupsFor("off", pq.fips);
  let ca: Buffer | undefined;
  if (tunnel.auth.mtls !== null) {
    try {
      ca = readFileSync(tunnel.auth.mtls.ca);
    } catch (error) {
      diagnostics.push(unreadableFile("mTLS CA", tunnel.auth.mtls.ca, errorText(error)));
      return { kind: "refused" };
    }
  }
  const terminators = new HostIndex<TlsServer>();
  for (const host of tunnel.hosts) {
    const certificate = certificates.find((c) => c.hosts.some((h) => certificateCovers(h, host)));
    if (certificate === undefined) {
      if (httpsListener) diagnostics.push(noCertificate(name, host));
      continue;
    }
    try {
      const terminator = createTerminator(certificate, tunnel.tls.runtimeMin, groups, ca, alpn, {
        ...sessions?.contextOptions(),
        sessionIdContext: sessionContextFor(tunnel.id, host),
      });
      sessions?.track(terminator);
      terminators.add(host, terminator);
    } catch (error) {
      diagnostics.push(
        invalidCertificate(`certificate \`${certificate.certFile}\``, errorText(error)),
      );
    }
  }
  return {
    kind: "tls",
    tls: {
      minVersion: tunnel.tls.runtimeMin,
      groups,
      requestCert: ca !== undefined,
      ca,
      terminators,
    },
  };
}

function createTerminator(
  certificate: LoadedCertificate,
  min: TlsVersion,
  groups: readonly string[] | null,
  ca: Buffer | undefined,
  alpn: readonly string[],
  resumption: Pick<TlsServerOptions, "secureOptions" | "ticketKeys" | "sessionIdContext">,
): TlsServer {
  return createTlsServer({
    cert: certificate.cert,
    key: certificate.key,
    minVersion: min === "1.3" ? "TLSv1.3" : "TLSv1.2",
    maxVersion: "TLSv1.3",
    ...(groups === null ? {} : { ecdhCurve: groups.join(":") }),
    ...(ca === undefined ? {} : { ca }),
    requestCert: ca !== undefined,
    // Verification is read from `authorized` and judged by the compiled handshake decision,
    // so a refusal carries the tunnel's rule and reason.
    rejectUnauthorized: false,
    ...(alpn.length === 0 ? {} : { ALPNProtocols: [...alpn] }),
    handshakeTimeout: 10_000,
    ...resumption,
  });
}
