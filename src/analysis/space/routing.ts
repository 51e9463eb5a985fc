/**
 * Host routing as an index, with exactly the semantics of `routeRequest` (exact hosts first,
 * then `*.` wildcards for one more label; published HTTP-family tunnels only; the first
 * tunnel in file order wins), so that classifying every host of a 10,000-tunnel policy is
 * linear instead of quadratic.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../../bounds/effective.ts";
import { isHttpFamily } from "../../bounds/protocol.ts";

/** Whether the router serves `tunnel` at all: published, and of the HTTP family. */
export function isRouted(tunnel: EffectiveTunnel): boolean {
  return tunnel.publish && isHttpFamily(tunnel.protocol);
}

/** Routes hosts of one policy. */
export class RouteIndex {
  readonly #exact = new Map<string, EffectiveTunnel>();
  readonly #wildcard = new Map<string, EffectiveTunnel>();

  constructor(policy: EffectivePolicy) {
    // Indexed: runs once per policy, mostly before it is optimized, where `for … of`
    // allocates an iterator result per tunnel and per host.
    const tunnels = policy.tunnels;
    for (let i = 0; i < tunnels.length; i++) {
      // SAFETY: i < tunnels.length, the loop's bound.
      const t = tunnels[i] as EffectiveTunnel;
      if (!isRouted(t)) continue;
      const hosts = t.hosts;
      for (let j = 0; j < hosts.length; j++) {
        // SAFETY: j < hosts.length, the loop's bound.
        const h = hosts[j] as string;
        const wildcard = h.startsWith("*.");
        const map = wildcard ? this.#wildcard : this.#exact;
        const key = wildcard ? h.slice(1) : h;
        if (!map.has(key)) map.set(key, t);
      }
    }
  }

  /** The tunnel serving `host`, or `null`. */
  route(host: string): EffectiveTunnel | null {
    const name = isLowerAscii(host) ? host : host.toLowerCase();
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf(".");
    if (dot <= 0) return null;
    return this.#wildcard.get(name.slice(dot)) ?? null;
  }

  /** One concrete host per routing entry: each exact host, and an instance of each wildcard. */
  sampleHosts(): string[] {
    const instances = [...this.#wildcard.keys()].map((suffix) => {
      let n = 0;
      while (this.#exact.has(`any${n === 0 ? "" : n}${suffix}`)) n++;
      return `any${n === 0 ? "" : n}${suffix}`;
    });
    return [...this.#exact.keys(), ...instances];
  }
}

/**
 * Whether `toLowerCase` leaves `text` as it is because it is ASCII without capitals (every
 * host lowering writes): then the index is asked with the string itself, whose hash is known,
 * instead of a lower-cased copy that must be hashed and compared by content.
 */
function isLowerAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f || (code >= 0x41 && code <= 0x5a)) return false;
  }
  return true;
}
