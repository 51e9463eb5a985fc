/**
 * Maps a verified client certificate to a credential of the policy (S-H6), by subject CN or
 * SHA-256 fingerprint. Only certificates that chained to the tunnel's CA are considered.
 */
import type { PeerCertificate } from "node:tls";
import type { CredentialIr } from "../../ir/types.ts";

/** The credential a verified certificate maps to, or null. Fingerprints match without colons. */
export function credentialForCertificate(
  cert: PeerCertificate | null,
  credentials: readonly CredentialIr[],
): string | null {
  if (cert === null || cert.fingerprint256 === undefined) return null;
  const fingerprint = cert.fingerprint256.replaceAll(":", "").toUpperCase();
  const cn = subjectCommonName(cert);
  for (const credential of credentials) {
    if (credential.fingerprint256 !== null && credential.fingerprint256 === fingerprint) {
      return credential.name;
    }
    if (credential.subjectCn !== null && cn !== null && credential.subjectCn === cn) {
      return credential.name;
    }
  }
  return null;
}

function subjectCommonName(cert: PeerCertificate): string | null {
  const cn: unknown = cert.subject?.CN;
  if (typeof cn === "string") return cn;
  // Several CN attributes: ambiguous, so it matches no credential by name.
  return null;
}
