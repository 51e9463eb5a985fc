/** What each tunnel protocol means for edge policy (SPEC S-X1, S-A6, S-A7, S-D5). */
import type { Protocol } from "../ir/types.ts";

/**
 * Protocols whose traffic the engine sees as HTTP requests: only these get edge auth, challenge
 * mode and well-known endpoints. `quic` is counted as HTTP/3.
 */
export function isHttpFamily(protocol: Protocol): boolean {
  return protocol === "http" || protocol === "quic";
}

/** Whether the engine terminates TLS (passthrough and raw TCP leave TLS to the upstream). */
export function terminatesTls(protocol: Protocol): boolean {
  return protocol !== "tls-passthrough" && protocol !== "tcp";
}

/** DTLS is DTLS 1.2: it cannot meet a TLS 1.3 requirement. */
export function isTls12Only(protocol: Protocol): boolean {
  return protocol === "dtls";
}
