/**
 * Diagnostics of the runtime stage (RP6xxx), one named constructor per code, so every
 * start-up or reload problem reaches the operator as a stable code with a hint.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.ts";

/** RP6001: an option failed validation. */
export const invalidOption = (path: string, problem: string): Diagnostic => ({
  code: "RP6001",
  severity: "error",
  message: `option \`${path || "(root)"}\` ${problem}`,
  help: "check the `rampart serve` flags or the options passed to `startRuntime`",
});

/** RP6002: a file could not be read. */
export const unreadableFile = (what: string, path: string, reason: string): Diagnostic => ({
  code: "RP6002",
  severity: "error",
  message: `cannot read ${what} \`${path}\`: ${reason}`,
  help: "check that the path exists and that the runtime may read it",
});

/** RP6003: certificate, key or CA material that OpenSSL refused. */
export const invalidCertificate = (what: string, detail: string): Diagnostic => ({
  code: "RP6003",
  severity: "error",
  message: `${what} cannot be used: ${detail}`,
  help: "use PEM files; the key must match the certificate",
});

/** RP6004: a tunnel requires ECH (S-A7); Node's TLS has no ECH, so fail closed. */
export const echUnsupported = (tunnel: string): Diagnostic => ({
  code: "RP6004",
  severity: "error",
  message: `tunnel \`${tunnel}\` requires encrypted client hello, which this runtime cannot offer; it is not served`,
  help: "set `ech` to `off` to serve it without ECH, or serve this tunnel from an ECH-capable edge",
});

/** RP6005: a tunnel requires PQ key exchange on an OpenSSL without hybrid groups. */
export const postQuantumUnsupported = (tunnel: string, openssl: string): Diagnostic => ({
  code: "RP6005",
  severity: "error",
  message: `tunnel \`${tunnel}\` requires post-quantum key exchange, but OpenSSL ${openssl} has no hybrid groups; it is not served`,
  help: "run on Node 24 or newer (OpenSSL 3.5+), or set post-quantum to `preferred`",
});

/** RP6006: no configured certificate covers a host of a TLS tunnel. */
export const noCertificate = (tunnel: string, host: string): Diagnostic => ({
  code: "RP6006",
  severity: "error",
  message: `tunnel \`${tunnel}\` has no certificate for host \`${host}\`; it is not served over TLS`,
  help: "add a certificate whose hosts cover it (`--cert host=cert.pem,key.pem`)",
});

/** RP6007: the GeoIP database cannot be opened. */
export const invalidGeoIpDatabase = (path: string, detail: string): Diagnostic => ({
  code: "RP6007",
  severity: "error",
  message: `GeoIP database \`${path}\` is corrupt or unreadable: ${detail}`,
  help: "replace it with a valid MaxMind DB (.mmdb) file, or omit the option to use the embedded database",
});

/** RP6008: two tunnels claim the same host. */
export const duplicateHost = (host: string, first: string, second: string): Diagnostic => ({
  code: "RP6008",
  severity: "error",
  message: `host \`${host}\` is served by both tunnel \`${first}\` and tunnel \`${second}\`; \`${second}\` does not serve it`,
  help: "give every tunnel its own hosts",
});

/** RP6009: the load function produced no policies. */
export const policyLoadFailed = (detail: string): Diagnostic => ({
  code: "RP6009",
  severity: "error",
  message: `the policy could not be loaded: ${detail}`,
  help: "fix the diagnostics above; the previous policy keeps serving",
});

/** RP6010: a listener could not bind. */
export const listenFailed = (name: string, address: string, detail: string): Diagnostic => ({
  code: "RP6010",
  severity: "error",
  message: `the ${name} listener cannot bind \`${address}\`: ${detail}`,
  help: "choose a free port, or one this user may bind",
});

/** RP6011: a token verification key is unusable. */
export const invalidTokenKey = (what: string, detail: string): Diagnostic => ({
  code: "RP6011",
  severity: "error",
  message: `token key ${what} cannot be used: ${detail}`,
  help: "use a PEM/SPKI public key for EdDSA, ES256 or ES512, or a shared secret of 32 bytes or more",
});

/** RP6012: an HTTP tunnel without a usable upstream. */
export const noUpstream = (tunnel: string, upstream: string | null): Diagnostic => ({
  code: "RP6012",
  severity: "error",
  message:
    upstream === null
      ? `tunnel \`${tunnel}\` has no upstream; its allowed requests answer 502`
      : `tunnel \`${tunnel}\` has an unusable upstream \`${upstream}\`; its allowed requests answer 502`,
  help: "set `upstream` to an absolute http:// or https:// URL",
});

/** RP6013: `token mint --parent` asked for more than the parent has (S-H8). */
export const tokenWidensParent = (detail: string): Diagnostic => ({
  code: "RP6013",
  severity: "error",
  message: `the derived token would widen its parent: ${detail}`,
  help: "a derived token can only narrow its parent's grants and never outlive it",
});

/** RP6040: `token mint --platform` and a grant that needs one of Rampart's extensions. */
export const platformExtension = (uses: readonly string[]): Diagnostic => ({
  code: "RP6040",
  severity: "error",
  message: `the platform would not accept this token: ${uses.join("; ")}`,
  help: "these are Rampart extensions; mint without --platform for a Rampart engine, or narrow the grant with the platform's own forms (exact, oneof, regex paths)",
});

/** RP6014: a grant that cannot be minted. */
export const invalidGrant = (detail: string): Diagnostic => ({
  code: "RP6014",
  severity: "error",
  message: `the token cannot be minted: ${detail}`,
  help: "check the grant name, the lifetime and the token type",
});

/** RP6030: a tunnel protocol this runtime cannot serve with its policy (S-P1: dtls, quic). */
export const protocolUnsupported = (tunnel: string, protocol: string): Diagnostic => ({
  code: "RP6030",
  severity: "error",
  message: `tunnel \`${tunnel}\` uses protocol \`${protocol}\`, which this runtime cannot serve (Node has no ${protocol === "dtls" ? "DTLS" : "QUIC"} server); it is not served`,
  help: "serve this tunnel from an edge that speaks it, or publish it as `tls` or `http`",
});

/** RP6031: a published `tcp` tunnel that no `tcp` port option names. */
export const tcpPortMissing = (tunnel: string): Diagnostic => ({
  code: "RP6031",
  severity: "error",
  message: `tcp tunnel \`${tunnel}\` has no port: the policy names none and no \`--tcp\` option gives one; it is not served`,
  help: `publish it with \`--tcp ${tunnel}=127.0.0.1:PORT\` (option \`tcp: [{ tunnel, host, port }]\`)`,
});

/** RP6032: a stream tunnel whose upstream is not `tcp://host:port`. */
export const streamUpstreamInvalid = (tunnel: string, upstream: string | null): Diagnostic => ({
  code: "RP6032",
  severity: "error",
  message: `tunnel \`${tunnel}\` relays a byte stream, but its upstream ${upstream === null ? "is missing" : `\`${upstream}\` is not \`tcp://host:port\``}; it is not served`,
  help: "give tls, tls-passthrough and tcp tunnels an upstream such as `tcp://10.0.0.5:5432`",
});

/**
 * RP6033: a tunnel prefers ECH (S-A7) and Node's TLS cannot offer it. Served, it would never
 * offer ECH, less than its policy (S-P1), so it is refused like `required` (RP6004).
 */
export const echPreferredUnsupported = (tunnel: string): Diagnostic => ({
  code: "RP6033",
  severity: "error",
  message: `tunnel \`${tunnel}\` prefers encrypted client hello, which this runtime cannot offer; it is not served`,
  help: "set `ech` to `off` to serve it without ECH, or serve this tunnel from an ECH-capable edge",
});

/** RP6034: a `tcp` port option names a tunnel the policy does not publish as `tcp`. */
export const tcpPortUnknownTunnel = (tunnel: string): Diagnostic => ({
  code: "RP6034",
  severity: "warning",
  message: `the \`tcp\` option names tunnel \`${tunnel}\`, which the policy does not publish as a tcp tunnel; its port refuses every connection`,
  help: "name a published tcp tunnel by id or name, or remove the option",
});

/** RP6035: a `tls` or `tls-passthrough` tunnel, and no TLS listener to serve it on. */
export const noTlsListener = (tunnel: string, protocol: string): Diagnostic => ({
  code: "RP6035",
  severity: "error",
  message: `${protocol} tunnel \`${tunnel}\` is routed by SNI on the TLS listener, and none is configured; it is not served`,
  help: "start `rampart serve` with `--https ADDRESS`",
});

/** RP6060: the shadow candidate (`serve --shadow`) did not load; serving is not affected. */
export const shadowCandidateFailed = (source: string, detail: string): Diagnostic => ({
  code: "RP6060",
  severity: "warning",
  message: `shadow candidate \`${source}\` could not be loaded (${detail}); requests are not compared with it`,
  help: "fix the candidate and reload (SIGHUP); the running policy serves either way (docs/shadow.md)",
});

/** RP6070: a GeoIP database re-open (SIGHUP, file change) failed; the running one stays. */
export const geoIpReloadFailed = (path: string, detail: string): Diagnostic => ({
  code: "RP6070",
  severity: "warning",
  message: `GeoIP database \`${path}\` could not be re-opened (${detail}); the previous database keeps serving`,
  help: "replace the file with a valid MaxMind DB (.mmdb); it is re-opened on SIGHUP and when it changes",
});
