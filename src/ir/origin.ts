/**
 * The tunnel origin as the client addressed it, and the same-origin test that the logout
 * endpoint applies to `Origin` and `Referer` (S-W2). One definition for the interpreter and
 * the compiler.
 */
import type { RequestFacts } from "./facts.ts";

/** The port of `url` as WHATWG URL reports it: `""` for the scheme's default port. */
function expectedPort(facts: RequestFacts): string {
  return facts.port === undefined || facts.port === null ? "" : String(facts.port);
}

/** Whether a header value (an absolute URL) names the tunnel origin: scheme, host and port. */
export function namesTunnelOrigin(header: string, facts: RequestFacts): boolean {
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    return false;
  }
  return (
    url.protocol === (facts.secure ? "https:" : "http:") &&
    url.hostname.toLowerCase() === facts.host &&
    url.port === expectedPort(facts)
  );
}

/** The port a `Host` header names, or `null` when it names none or the scheme's default. */
export function addressedPort(hostHeader: string | undefined, secure: boolean): number | null {
  if (hostHeader === undefined) return null;
  const colon = hostHeader.lastIndexOf(":");
  if (colon < 0 || hostHeader.endsWith("]")) return null;
  const port = Number(hostHeader.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return null;
  return port === (secure ? 443 : 80) ? null : port;
}
