/**
 * The interface between the compiler and a runtime: decision functions for a policy,
 * whether compiled just now or loaded from a bundle. A runtime depends on this and on
 * `loadBundle`, never on the parser or the interpreter.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import type { Decision, HandshakeDecision } from "../ir/decision.ts";
import type { ConnectionFacts, HandshakeFacts, RequestFacts } from "../ir/facts.ts";

/** The decisions of one tunnel. */
export interface CompiledTunnel {
  readonly tunnel: EffectiveTunnel;
  /** Called once per TLS handshake routed to this tunnel. */
  handshake(facts: HandshakeFacts): HandshakeDecision;
  /** Called once per HTTP request routed to this tunnel (`facts.host` is one of its hosts). */
  request(facts: RequestFacts): Decision;
  /**
   * Called once per connection to a stream tunnel (`tls`, `tls-passthrough`, `tcp`; S-P1):
   * trusted IPs, GeoIP and, with mTLS on a terminated tunnel, the client credential.
   */
  connection(facts: ConnectionFacts): HandshakeDecision;
}

/** The decisions of one project's policy: routing by host, then the tunnel's decisions. */
export interface CompiledPolicy {
  readonly policy: EffectivePolicy;
  /** The tunnel serving a host (exact hosts first, then `*.` wildcards), or null. */
  route(host: string): CompiledTunnel | null;
  /** Routes by `facts.host` and decides; an unknown host is a `no_route` deny (404). */
  request(facts: RequestFacts): Decision;
  /** Routes by `facts.sni` and decides; an unknown SNI is refused. */
  handshake(facts: HandshakeFacts): HandshakeDecision;
  /** The tunnel with this id (stream tunnels published on a port have no host), or null. */
  tunnelById(id: string): CompiledTunnel | null;
}
