/**
 * The candidate's own reading of a client certificate (mTLS): verified against the
 * candidate tunnel's CA and mapped to the candidate policy's credentials. The certificate is
 * there only when the running tunnel asked for one; a candidate that asks where the running
 * tunnel does not cannot be judged (the client was never asked), so that is left uncompared.
 *
 * Where both tunnels trust the same CA bytes, OpenSSL's verdict (`authorized`) is reused, so
 * an unchanged CA can never disagree with itself. Only a changed CA is checked here: each
 * certificate of the chain the client sent must be in its validity period and signed by the
 * next, up to a certificate of the candidate's CA file.
 */
import { X509Certificate } from "node:crypto";
import type { DetailedPeerCertificate, TLSSocket } from "node:tls";
import type { CredentialIr } from "../../ir/types.ts";
import { credentialForCertificate } from "../tls/mtls.ts";
import type { TunnelTls } from "../tls/contexts.ts";

/** What the candidate makes of the client certificate of one connection. */
export interface CertificateReading {
  readonly verified: boolean;
  readonly credential: string | null;
}

/**
 * The candidate cannot judge this connection: the client was not asked for a certificate
 * the candidate would ask for (or, once kept on a socket, the candidate would not have
 * terminated the connection at all).
 */
export const NOT_JUDGED = "not-judged";

const NONE: CertificateReading = Object.freeze({ verified: false, credential: null });
/** Chains longer than this are not followed (a client sends its own intermediates). */
const MAX_CHAIN = 8;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
const parsedCas = new WeakMap<Buffer, readonly X509Certificate[]>();

/** The candidate's reading, given the running tunnel's TLS setup and OpenSSL's verdict. */
export function candidateCertificateReading(
  socket: TLSSocket,
  running: TunnelTls,
  runningVerified: boolean,
  candidate: TunnelTls,
  credentials: readonly CredentialIr[],
): CertificateReading | typeof NOT_JUDGED {
  if (!candidate.requestCert || candidate.ca === undefined) return NONE;
  if (!running.requestCert || running.ca === undefined) return NOT_JUDGED;
  const verified = running.ca.equals(candidate.ca)
    ? runningVerified
    : chainsToCa(socket.getPeerCertificate(true), authorities(candidate.ca), new Date());
  if (!verified) return NONE;
  return {
    verified,
    credential: credentialForCertificate(socket.getPeerCertificate(), credentials),
  };
}

/** The certificates of a PEM CA file, parsed once per file contents. */
function authorities(ca: Buffer): readonly X509Certificate[] {
  let parsed = parsedCas.get(ca);
  if (parsed === undefined) {
    parsed = [...ca.toString("latin1").matchAll(PEM_CERTIFICATE)].flatMap((m) => {
      try {
        return [new X509Certificate(m[0])];
      } catch {
        return [];
      }
    });
    parsedCas.set(ca, parsed);
  }
  return parsed;
}

function current(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
}

/** True when the presented chain leads, by valid signatures, to one of `cas`. */
export function chainsToCa(
  presented: DetailedPeerCertificate | null,
  cas: readonly X509Certificate[],
  now: Date,
): boolean {
  let link: DetailedPeerCertificate | null = presented;
  for (let depth = 0; depth < MAX_CHAIN && link?.raw !== undefined; depth++) {
    const cert = new X509Certificate(link.raw);
    if (!current(cert, now)) return false;
    const ca = cas.find((c) => cert.checkIssued(c) && cert.verify(c.publicKey));
    if (ca !== undefined) return current(ca, now);
    const next: DetailedPeerCertificate | undefined = link.issuerCertificate;
    // The end of what the client sent (a self-issued certificate names itself as issuer).
    if (next === undefined || next === link || next.raw.equals(link.raw)) return false;
    const issuer = new X509Certificate(next.raw);
    if (!issuer.ca || !cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
    link = next;
  }
  return false;
}

/**
 * The candidate's reading of a connection's certificate, kept on the TLS socket for the
 * requests and the relay that follow (a symbol: an HTTP/2 request's socket forwards it).
 */
const READING = Symbol("rampart.shadowReading");
type WithReading = { [READING]?: CertificateReading | typeof NOT_JUDGED };

export function keepReading(socket: object, reading: CertificateReading | typeof NOT_JUDGED): void {
  (socket as WithReading)[READING] = reading;
}

/** What the candidate read at the handshake; undefined for plain connections (or none yet). */
export function readingOf(socket: object): CertificateReading | typeof NOT_JUDGED | undefined {
  return (socket as WithReading)[READING];
}
