import type { CodeInfo, DiagnosticCode } from "../codes.ts";

/** Codes of the runtime stage: problems found while starting or reloading `rampart serve`. */
export const runtimeCodes: Readonly<Record<DiagnosticCode, CodeInfo>> = {
  RP6001: { slug: "runtime/invalid-option", summary: "a runtime option is missing or invalid" },
  RP6002: { slug: "runtime/unreadable-file", summary: "a file the runtime needs cannot be read" },
  RP6003: {
    slug: "runtime/invalid-certificate",
    summary: "a TLS certificate, key or CA cannot be used",
  },
  RP6004: {
    slug: "runtime/ech-unsupported",
    summary: "a tunnel requires Encrypted Client Hello, which this runtime cannot offer",
  },
  RP6005: {
    slug: "runtime/post-quantum-unsupported",
    summary: "a tunnel requires post-quantum key exchange, which this OpenSSL cannot offer",
  },
  RP6006: { slug: "runtime/no-certificate", summary: "a TLS tunnel has no certificate for a host" },
  RP6007: { slug: "runtime/invalid-geoip-database", summary: "the GeoIP database is corrupt" },
  RP6008: { slug: "runtime/duplicate-host", summary: "two loaded tunnels serve the same host" },
  RP6009: { slug: "runtime/policy-load-failed", summary: "the policy could not be (re)loaded" },
  RP6010: { slug: "runtime/listen-failed", summary: "a listener could not bind its address" },
  RP6011: { slug: "runtime/invalid-token-key", summary: "a token verification key is unusable" },
  RP6012: { slug: "runtime/no-upstream", summary: "an HTTP tunnel has no usable upstream URL" },
  RP6013: {
    slug: "runtime/token-widens-parent",
    summary: "a derived token would widen its parent's grants",
  },
  RP6014: { slug: "runtime/invalid-grant", summary: "a token grant cannot be minted" },
  RP6030: {
    slug: "runtime/protocol-unsupported",
    summary: "a tunnel's protocol (dtls, quic) cannot be served by this runtime",
  },
  RP6031: { slug: "runtime/tcp-port-missing", summary: "a published tcp tunnel has no port" },
  RP6032: {
    slug: "runtime/stream-upstream-invalid",
    summary: "a tls, tls-passthrough or tcp tunnel has no `tcp://host:port` upstream",
  },
  RP6033: {
    slug: "runtime/ech-preferred-unsupported",
    summary: "a tunnel prefers Encrypted Client Hello, which this runtime cannot offer",
  },
  RP6034: {
    slug: "runtime/tcp-port-unknown-tunnel",
    summary: "a tcp port option names no published tcp tunnel",
  },
  RP6035: {
    slug: "runtime/no-tls-listener",
    summary: "a tls or tls-passthrough tunnel has no TLS listener to be served on",
  },
  RP6040: {
    slug: "runtime/platform-extension",
    summary: "a token minted for the platform would need a Rampart extension",
  },
  RP6060: {
    slug: "runtime/shadow-candidate-failed",
    summary: "the shadow candidate could not be loaded; requests are not compared with it",
  },
  RP6070: {
    slug: "runtime/geoip-reload-failed",
    summary: "a GeoIP database re-open failed; the previous database keeps serving",
  },
};
