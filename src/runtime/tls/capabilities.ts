/**
 * What this process's TLS stack can do, probed once. A tunnel that requires a capability
 * missing here is refused at load (DESIGN principle 5: never a silent downgrade).
 */
import { createSecureContext } from "node:tls";
import { HYBRID_GROUPS } from "./groups.ts";

/** TLS features the runtime may rely on. */
export interface TlsCapabilities {
  /** The OpenSSL version string, for messages. */
  readonly openssl: string;
  /** Hybrid ML-KEM groups are available (OpenSSL ≥ 3.5). */
  readonly postQuantum: boolean;
  /** Encrypted Client Hello can be served. Node's TLS has no ECH API. */
  readonly ech: boolean;
}

let probed: TlsCapabilities | undefined;

/** Probes the linked OpenSSL once: a context with every hybrid group either builds or not. */
export function detectTlsCapabilities(): TlsCapabilities {
  if (probed !== undefined) return probed;
  let postQuantum: boolean;
  try {
    createSecureContext({ ecdhCurve: HYBRID_GROUPS.join(":") });
    postQuantum = true;
  } catch {
    postQuantum = false;
  }
  probed = { openssl: process.versions.openssl ?? "unknown", postQuantum, ech: false };
  return probed;
}
