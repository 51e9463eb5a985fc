/**
 * Host lookup shared by routing and certificate selection: exact hosts first, then a `*.`
 * wildcard that stands for exactly one more label (as in TunnelIr.hosts).
 */

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
    return dot < 0 ? undefined : this.#wildcard.get(host.slice(dot + 1));
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

/** The host of a `Host` header: lower case, port and trailing dot removed; IPv6 kept bracketed. */
export function hostWithoutPort(header: string): string {
  if (isPlainHost(header)) return header;
  let host = header;
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    host = end > 0 ? host.slice(0, end + 1) : host;
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0) host = host.slice(0, colon);
  }
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host.toLowerCase();
}

/**
 * True when `header` is already its own host: no upper-case letter, no `:` (port or IPv6),
 * no `[`, no non-ASCII character and no trailing dot. HOT PATH: one scan instead of
 * `lastIndexOf` (a call into V8's runtime) and `toLowerCase` (a new string every time).
 */
function isPlainHost(header: string): boolean {
  const n = header.length;
  if (n === 0 || header.charCodeAt(n - 1) === 46 /* . */) return false;
  for (let i = 0; i < n; i++) {
    const c = header.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c === 58 /* : */ || c === 91 /* [ */ || c >= 128) return false;
  }
  return true;
}
