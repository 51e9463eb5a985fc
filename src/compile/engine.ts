/**
 * The interface between the compiler and a runtime: decision functions for a policy,
 * whether compiled just now or loaded from a bundle. A runtime depends on this and on
 * `loadBundle`, never on the parser or the interpreter.
 */
import type { EffectivePolicy, EffectiveTunnel } from "../bounds/effective.ts";
import type { Decision, HandshakeDecision } from "../ir/decision.ts";
import type { ConnectionFacts, HandshakeFacts, RequestFacts } from "../ir/facts.ts";

/** What the edge layer reads: only what a connection fixes (its client and its TLS). */
export type EdgeFacts = Pick<RequestFacts, "clientIp" | "country" | "tlsVersion" | "secure">;

/**
 * A connection's remembered edge verdict (issue #20): the tunnel and the edge facts it was
 * decided for, and the verdict (null: admitted). The runtime keeps one per connection; a
 * request with another tunnel or other edge facts decides again and replaces it.
 */
export interface EdgeMemo {
  tunnel: CompiledTunnel | null;
  clientIp: string;
  country: string | null;
  tlsVersion: EdgeFacts["tlsVersion"];
  secure: boolean;
  verdict: Decision | null;
}

/** An empty memo: the first request decides. */
export function newEdgeMemo(): EdgeMemo {
  return {
    tunnel: null,
    clientIp: "",
    country: null,
    tlsVersion: null,
    secure: false,
    verdict: null,
  };
}

/** The decisions of one tunnel. */
export interface CompiledTunnel {
  readonly tunnel: EffectiveTunnel;
  /** Called once per TLS handshake routed to this tunnel. */
  handshake(facts: HandshakeFacts): HandshakeDecision;
  /**
   * Layer 1 alone (S-O1, S-A3…S-A5): trusted IPs, GeoIP, the TLS version; a denial, or null
   * to go on. It reads only `EdgeFacts`, so a runtime may decide it once per connection.
   */
  edge(facts: EdgeFacts): Decision | null;
  /**
   * Called once per HTTP request routed to this tunnel (`facts.host` is one of its hosts).
   * `edge`, when given, is `edge(facts)` decided earlier and is not decided again.
   */
  request(facts: RequestFacts, edge?: Decision | null): Decision;
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
  /**
   * Routes by `facts.host` and decides; an unknown host is a `no_route` deny (404). With
   * `memo`, the edge verdict is taken from it when it was decided for the same tunnel, and
   * stored in it otherwise: the decision equals the one without.
   */
  request(facts: RequestFacts, memo?: EdgeMemo): Decision;
  /** Routes by `facts.sni` and decides; an unknown SNI is refused. */
  handshake(facts: HandshakeFacts): HandshakeDecision;
  /** The tunnel with this id (stream tunnels published on a port have no host), or null. */
  tunnelById(id: string): CompiledTunnel | null;
}
