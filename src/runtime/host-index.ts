/**
 * Host lookup shared by routing and certificate selection: exact hosts first, then a `*.`
 * wildcard that stands for exactly one more label (as in TunnelIr.hosts).
 */
import { isValidHost } from "../ir/host-name.ts";

/** A lower-case host → value map with single-label wildcards. */
export class HostIndex<T> {
  readonly #exact = new Map<string, T>();
  readonly #wildcard = new Map<string, T>();

  /** Adds a host pattern; returns the value already there, if any (the caller reports it). */
  add(pattern: string, value: T): T | undefined {
    const host = pattern.toLowerCase();
    const map = host.startsWith("*.") ? this.#wildcard : this.#exact;
    const key = host.startsWith("*.") ? host.slice(2) : host;
    const existing = map.get(key);
    if (existing !== undefined) return existing;
    map.set(key, value);
    return undefined;
  }

  /** The value for a lower-case host without port, or undefined. */
  get(host: string): T | undefined {
    const exact = this.#exact.get(host);
    if (exact !== undefined) return exact;
    const dot = host.indexOf(".");
    // The wildcard's label is a DNS label: `evil#x.wild.test` (an SNI, say) is no host of it.
    if (dot < 0 || !isValidHost(host, 0, dot)) return undefined;
    return this.#wildcard.get(host.slice(dot + 1));
  }

  /** Every value, once per pattern. */
  values(): T[] {
    return [...this.#exact.values(), ...this.#wildcard.values()];
  }
}

/** True when a certificate host pattern covers a tunnel host pattern. */
export function certificateCovers(certHost: string, tunnelHost: string): boolean {
  const cert = certHost.toLowerCase();
  const host = tunnelHost.toLowerCase();
  if (cert === host) return true;
  if (!cert.startsWith("*.") || host.startsWith("*.")) return false;
  const dot = host.indexOf(".");
  return dot > 0 && host.slice(dot + 1) === cert.slice(2);
}

/**
 * The host a `Host` field names (or `:authority`, or a proxy's `X-Forwarded-Host`): lower case,
 * without its port and one trailing dot; an IPv6 literal stays bracketed. Null when the field is
 * not `host[:port]` (S-R8; RFC 9112 §3.2 answers 400): the host a DNS name or an IPv4 address
 * (the tunnel host rule, `isValidHost`, without `*`) or a bracketed IPv6 literal, the port 1 to
 * 5 digits up to 65535. So `web.test:@evil.example` is never routed by what precedes its `:`,
 * nor handed upstream as the `X-Forwarded-Host` of `web.test`.
 */
export function hostWithoutPort(header: string): string | null {
  // HOT PATH: the usual lower-case name without port or trailing dot is checked in one scan.
  if (isName(header)) return header;
  let end = header.length;
  if (header.charCodeAt(0) === 91 /* [ */) {
    const close = header.indexOf("]");
    if (close < 0 || !IPV6_LITERAL.test(header.slice(1, close))) return null;
    if (close + 1 < end && !isPortAt(header, close + 1)) return null;
    return header.slice(0, close + 1).toLowerCase();
  }
  const colon = header.lastIndexOf(":");
  if (colon >= 0) {
    if (!isPortAt(header, colon)) return null;
    end = colon;
  }
  if (header.charCodeAt(end - 1) === 46 /* . */) end--;
  const host = header.slice(0, end).toLowerCase();
  return isName(host) ? host : null;
}

/** What may stand between an IPv6 literal's brackets (the address is not routed, only refused). */
const IPV6_LITERAL = /^[0-9A-Fa-f:.]+$/;

/** A lower-case DNS name or IPv4 address, without the `*.` that only tunnel patterns carry. */
function isName(host: string): boolean {
  return host.charCodeAt(0) !== 42 /* * */ && isValidHost(host);
}

/** True when `header` from `colon` (a `:`) to its end is a port: 1 to 5 digits, at most 65535. */
function isPortAt(header: string, colon: number): boolean {
  const digits = header.length - colon - 1;
  if (header.charCodeAt(colon) !== 58 /* : */ || digits < 1 || digits > 5) return false;
  for (let i = colon + 1; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(header.slice(colon + 1)) <= 65535;
}
