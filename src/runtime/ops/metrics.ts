/**
 * Prometheus metrics (prom-client) in a registry of their own, so several runtimes in one
 * process (tests) do not collide. Label children are cached: the hot path does one Map read.
 */
import { DeferredCounter } from "./deferred-counter.ts";
import type { CountSlot } from "./deferred-counter.ts";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { TrafficMetrics } from "./traffic-metrics.ts";

/** The runtime's metrics and the registry the admin listener serves. */
export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly #requests: DeferredCounter<"outcome" | "reason">;
  /**
   * By outcome, then reason: both are the decision's own string constants, whose hashes V8
   * keeps, so a count is two Map reads (a joined key would be a new string to build, flatten
   * and hash per request).
   */
  readonly #slots = new Map<string, Map<string, CountSlot>>();
  readonly upstreamFailures: Counter<"kind">;
  readonly handshakesRefused: Counter<"reason">;
  readonly reloads: Counter<"result">;
  readonly generation: Gauge;
  readonly tunnelsServed: Gauge;
  readonly geoipLookupErrors: Counter;
  /** Stream tunnel connections (tls, passthrough, tcp) by kind and outcome (S-P1). */
  readonly streamConnections: Counter<"kind" | "outcome">;
  /** 1 per tunnel of the policy that is not served, with the code saying why (S-P2). */
  readonly tunnelsNotServed: Gauge<"tunnel" | "protocol" | "code">;
  /** Durations, per-tunnel counts and the pressure metrics (docs/operations.md). */
  readonly traffic: TrafficMetrics;

  constructor(defaultMetrics = true, maxTunnelLabels = 100) {
    const registers = [this.registry];
    this.#requests = new DeferredCounter({
      name: "rampart_requests_total",
      help: "Requests decided, by outcome and reason",
      labelNames: ["outcome", "reason"],
      registers,
    });
    this.upstreamFailures = new Counter({
      name: "rampart_upstream_failures_total",
      help: "Forwards that failed, by kind (timeout, unreachable, body_too_large); client aborts are rampart_client_aborts_total",
      labelNames: ["kind"],
      registers,
    });
    this.handshakesRefused = new Counter({
      name: "rampart_tls_handshakes_refused_total",
      help: "TLS connections refused before HTTP, by reason",
      labelNames: ["reason"],
      registers,
    });
    this.reloads = new Counter({
      name: "rampart_reloads_total",
      help: "Policy loads, by result (ok, failed)",
      labelNames: ["result"],
      registers,
    });
    this.generation = new Gauge({
      name: "rampart_policy_generation",
      help: "Serving policy generation",
      registers,
    });
    this.tunnelsServed = new Gauge({
      name: "rampart_tunnels_served",
      help: "Tunnels currently served",
      registers,
    });
    this.geoipLookupErrors = new Counter({
      name: "rampart_geoip_lookup_errors_total",
      help: "GeoIP lookups that hit corrupt data (answered as unknown country)",
      registers,
    });
    this.streamConnections = new Counter({
      name: "rampart_stream_connections_total",
      help: "Connections to tls, tls-passthrough and tcp tunnels, by kind and outcome",
      labelNames: ["kind", "outcome"],
      registers,
    });
    this.tunnelsNotServed = new Gauge({
      name: "rampart_tunnel_not_served",
      help: "Tunnels of the loaded policy that are not served (1 each), with the code saying why",
      labelNames: ["tunnel", "protocol", "code"],
      registers,
    });
    this.traffic = new TrafficMetrics(this.registry, maxTunnelLabels);
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one decided request. HOT PATH. */
  countRequest(outcome: string, reason: string): void {
    let byReason = this.#slots.get(outcome);
    if (byReason === undefined) this.#slots.set(outcome, (byReason = new Map()));
    let slot = byReason.get(reason);
    if (slot === undefined) {
      slot = this.#requests.slot({ outcome, reason });
      byReason.set(reason, slot);
    }
    slot.n++;
  }
}
