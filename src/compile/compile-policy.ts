/**
 * The compiler's entry point: an effective policy → decision functions (closure compilation;
 * BENCHMARKS.md records why closures rather than generated source). Routing tables are built
 * at once; a tunnel's matchers and constant decisions on its first use (or at once with
 * `eager`); token grants on first use, kept in a bounded LRU.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import { handshakeUnknownSniVerdict } from "../bounds/handshake-verdicts.ts";
import { isHttpFamily } from "../bounds/protocol.ts";
import { noRouteVerdict } from "../bounds/verdicts.ts";
import type { CompiledPolicy, CompiledTunnel } from "./engine.ts";
import { GrantCache } from "./grants/grant-cache.ts";
import { compileHostRouter, lowerCaseHost } from "./matchers/host-router.ts";
import { compileTunnelConnection } from "./tunnel/connection.ts";
import type { ConnectionDecider } from "./tunnel/connection.ts";
import { compileTunnelHandshake } from "./tunnel/handshake.ts";
import type { HandshakeDecider } from "./tunnel/handshake.ts";
import { compileTunnelRequest } from "./tunnel/request.ts";
import type { RequestDecider } from "./tunnel/request.ts";

/** Options for `compilePolicy`. */
export interface CompileOptions {
  /** Token grants kept compiled per policy (per LRU generation). */
  readonly tokenGrantCacheSize?: number;
  /**
   * Compile every tunnel now (true) or on its first request or handshake (false, the default:
   * a runtime loading a large bundle serves its first requests sooner, and tunnels that get no
   * traffic cost only their routing entry).
   */
  readonly eager?: boolean;
}

function compileTunnel(tunnel: EffectiveTunnel, grants: GrantCache): CompiledTunnel {
  return {
    tunnel,
    request: compileTunnelRequest(tunnel, grants),
    handshake: compileTunnelHandshake(tunnel),
    connection: compileTunnelConnection(tunnel, grants),
  };
}

/** A tunnel whose decision functions are built on first use, then called directly. */
function lazyTunnel(tunnel: EffectiveTunnel, grants: GrantCache): CompiledTunnel {
  let request: RequestDecider | null = null;
  let handshake: HandshakeDecider | null = null;
  let connection: ConnectionDecider | null = null;
  return {
    tunnel,
    request: (facts) => (request ??= compileTunnelRequest(tunnel, grants))(facts),
    handshake: (facts) => (handshake ??= compileTunnelHandshake(tunnel))(facts),
    connection: (facts) => (connection ??= compileTunnelConnection(tunnel, grants))(facts),
  };
}

/** Compiles an effective policy into routing and per-tunnel decision functions. */
export function compilePolicy(
  policy: EffectivePolicy,
  options: CompileOptions = {},
): CompiledPolicy {
  const grants = new GrantCache(policy, options.tokenGrantCacheSize);
  const compiled = policy.tunnels.map((t) =>
    options.eager === true ? compileTunnel(t, grants) : lazyTunnel(t, grants),
  );
  // Private tunnels are never reachable through a public host (S-X1); HTTP requests only
  // reach HTTP-family tunnels, while any published tunnel can answer a TLS server name.
  const published = compiled.filter((c) => c.tunnel.publish);
  const byServerName = compileHostRouter(published.map((c) => [c.tunnel.hosts, c] as const));
  const byHttpHost = compileHostRouter(
    published
      .filter((c) => isHttpFamily(c.tunnel.protocol))
      .map((c) => [c.tunnel.hosts, c] as const),
  );
  const byId = new Map(compiled.map((c) => [c.tunnel.id, c] as const));
  const noRoute = Object.freeze(noRouteVerdict());
  const unknownSni = Object.freeze(handshakeUnknownSniVerdict());
  return {
    policy,
    route: (host) => byServerName.route(lowerCaseHost(host)),
    tunnelById: (id) => byId.get(id) ?? null,
    request(facts) {
      const tunnel = byHttpHost.route(lowerCaseHost(facts.host));
      return tunnel === null ? noRoute : tunnel.request(facts);
    },
    handshake(facts) {
      const tunnel = byServerName.route(lowerCaseHost(facts.sni));
      return tunnel === null ? unknownSni : tunnel.handshake(facts);
    },
  };
}
