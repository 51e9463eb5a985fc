/**
 * The compiler's entry point: an effective policy → decision functions (closure compilation;
 * BENCHMARKS.md records why closures rather than generated source). Tunnels are compiled
 * eagerly (matchers and constant decisions), token grants lazily on first use.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import { handshakeUnknownSniVerdict } from "../bounds/handshake-verdicts.ts";
import { isHttpFamily } from "../bounds/protocol.ts";
import { noRouteVerdict } from "../bounds/verdicts.ts";
import type { CompiledPolicy, CompiledTunnel } from "./engine.ts";
import { GrantCache } from "./grants/grant-cache.ts";
import { compileHostRouter } from "./matchers/host-router.ts";
import { compileTunnelHandshake } from "./tunnel/handshake.ts";
import { compileTunnelRequest } from "./tunnel/request.ts";

/** Options for `compilePolicy`. */
export interface CompileOptions {
  /** Token grants kept compiled per policy (per LRU generation). */
  readonly tokenGrantCacheSize?: number;
}

function compileTunnel(tunnel: EffectiveTunnel, grants: GrantCache): CompiledTunnel {
  return { tunnel, request: compileTunnelRequest(tunnel, grants), handshake: compileTunnelHandshake(tunnel) };
}

/** Compiles an effective policy into routing and per-tunnel decision functions. */
export function compilePolicy(policy: EffectivePolicy, options: CompileOptions = {}): CompiledPolicy {
  const grants = new GrantCache(policy, options.tokenGrantCacheSize);
  const compiled = policy.tunnels.map((t) => compileTunnel(t, grants));
  // Private tunnels are never reachable through a public host (S-X1); HTTP requests only
  // reach HTTP-family tunnels, while any published tunnel can answer a TLS server name.
  const published = compiled.filter((c) => c.tunnel.publish);
  const byServerName = compileHostRouter(published.map((c) => [c.tunnel.hosts, c] as const));
  const byHttpHost = compileHostRouter(
    published.filter((c) => isHttpFamily(c.tunnel.protocol)).map((c) => [c.tunnel.hosts, c] as const),
  );
  const noRoute = Object.freeze(noRouteVerdict());
  const unknownSni = Object.freeze(handshakeUnknownSniVerdict());
  return {
    policy,
    route: (host) => byServerName.route(host.toLowerCase()),
    request(facts) {
      const tunnel = byHttpHost.route(facts.host.toLowerCase());
      return tunnel === null ? noRoute : tunnel.request(facts);
    },
    handshake(facts) {
      const tunnel = byServerName.route(facts.sni.toLowerCase());
      return tunnel === null ? unknownSni : tunnel.handshake(facts);
    },
  };
}
