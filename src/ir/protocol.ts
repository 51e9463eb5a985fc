/** What a tunnel protocol means for the options it may carry (SPEC S-X1, S-A6, S-A7, S-D5). */
import type { Protocol } from "./types.ts";

/**
 * Protocols whose traffic the engine sees as HTTP requests (`quic` is HTTP/3): only these
 * take token auth, rstream Auth, challenge mode and the `Authorization` forwarding setting.
 */
export function isHttpFamily(protocol: Protocol): boolean {
  return protocol === "http" || protocol === "quic";
}

/** DTLS is DTLS 1.2: it cannot satisfy a setting that needs TLS 1.3. */
export function isTls12Only(protocol: Protocol): boolean {
  return protocol === "dtls";
}
