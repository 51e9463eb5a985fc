/**
 * Host → tunnel routing. Exact hosts live in one Map; a wildcard `*.example.com` matches
 * exactly one more label (`a.example.com`, not `example.com` nor `a.b.example.com`) and
 * lives in a second Map keyed by its suffix, so a lookup is at most two Map reads. Exact
 * hosts win over wildcards; between equal hosts the first tunnel listed wins.
 */

/**
 * A host in lower case. HOT PATH: most hosts arrive in lower case already, and one scan costs
 * less than `toLowerCase`, which copies; anything beyond ASCII goes to `toLowerCase`.
 */
export function lowerCaseHost(host: string): string {
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c >= 128) return host.toLowerCase();
  }
  return host;
}

/** Routes a lower-case host (no port) to a value. */
export interface HostRouter<T> {
  route(host: string): T | null;
}

/** Builds a router from `[hosts, value]` pairs, in priority order. */
export function compileHostRouter<T>(
  entries: Iterable<readonly [readonly string[], T]>,
): HostRouter<T> {
  const exact = new Map<string, T>();
  const wildcard = new Map<string, T>();
  for (const [hosts, value] of entries) {
    for (const host of hosts) {
      if (host.startsWith("*.")) {
        const suffix = host.slice(2);
        if (!wildcard.has(suffix)) wildcard.set(suffix, value);
      } else if (!exact.has(host)) {
        exact.set(host, value);
      }
    }
  }
  return {
    route(host: string): T | null {
      const hit = exact.get(host);
      if (hit !== undefined) return hit;
      if (wildcard.size === 0) return null;
      const dot = host.indexOf(".");
      if (dot <= 0) return null;
      return wildcard.get(host.slice(dot + 1)) ?? null;
    },
  };
}
