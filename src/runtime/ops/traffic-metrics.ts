/**
 * The metrics of traffic and of operating under pressure: a request-duration histogram,
 * per-tunnel decision counters, client aborts and timeouts, the connection cap, the tunnel
 * queues and the GeoIP database. Tunnel labels are bounded: the first `maxTunnels` tunnels
 * seen get their own label, the rest share `other`, so a policy of thousands of tunnels
 * cannot blow up the series count.
 */
import { Counter, Gauge } from "prom-client";
import { LocalHistogram } from "./local-histogram.ts";
import { DeferredCounter } from "./deferred-counter.ts";
import type { CountSlot } from "./deferred-counter.ts";
import type { Registry } from "prom-client";

/** Seconds; from a cache hit on loopback to a slow upstream. */
const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** The label a tunnel gets in metrics. */
export const OTHER_TUNNELS = "other";

export class TrafficMetrics {
  readonly #duration: LocalHistogram;
  readonly #tunnelRequests: DeferredCounter<"tunnel" | "outcome">;
  readonly #tunnelSlots = new Map<string, Map<string, CountSlot>>();
  readonly #labels = new Map<string, string>();
  readonly #maxTunnels: number;
  readonly clientAborts: Counter<"phase">;
  readonly clientTimeouts: Counter<"phase">;
  readonly connectionsRefused: Counter;
  readonly openConnections: Gauge;
  readonly tunnelRejections: Counter<"tunnel" | "reason">;
  readonly internalErrors: Counter<"cause">;
  readonly geoipBuildTime: Gauge;
  readonly geoipReloads: Counter<"result">;

  constructor(registry: Registry, maxTunnels: number) {
    const registers = [registry];
    this.#maxTunnels = maxTunnels;
    this.#duration = new LocalHistogram(
      {
        name: "rampart_request_duration_seconds",
        help: "Time from a request's head to the end of its response, by decision outcome",
        label: "outcome",
        buckets: DURATION_BUCKETS,
      },
      registry,
    );
    this.#tunnelRequests = new DeferredCounter({
      name: "rampart_tunnel_requests_total",
      help: `Requests decided per tunnel and outcome (tunnels past the label limit are "${OTHER_TUNNELS}")`,
      labelNames: ["tunnel", "outcome"],
      registers,
    });
    this.clientAborts = new Counter({
      name: "rampart_client_aborts_total",
      help: "Requests the client abandoned, by phase (request: during the body; response: before its end)",
      labelNames: ["phase"],
      registers,
    });
    this.clientTimeouts = new Counter({
      name: "rampart_client_timeouts_total",
      help: "Requests cut because the client was too slow, by phase (body: idle body)",
      labelNames: ["phase"],
      registers,
    });
    this.connectionsRefused = new Counter({
      name: "rampart_connections_refused_total",
      help: "Client connections closed at accept because the connection cap was reached",
      registers,
    });
    this.openConnections = new Gauge({
      name: "rampart_open_connections",
      help: "Client connections open on the tunnel listeners",
      registers,
    });
    this.tunnelRejections = new Counter({
      name: "rampart_tunnel_busy_total",
      help: "Requests answered 503 because their tunnel had no free upstream slot, by reason (queue_full, queue_timeout)",
      labelNames: ["tunnel", "reason"],
      registers,
    });
    this.internalErrors = new Counter({
      name: "rampart_internal_errors_total",
      help: "Requests answered 500, by cause",
      labelNames: ["cause"],
      registers,
    });
    this.geoipBuildTime = new Gauge({
      name: "rampart_geoip_database_build_timestamp_seconds",
      help: "Build time of the GeoIP database in use (Unix seconds, from its metadata)",
      registers,
    });
    this.geoipReloads = new Counter({
      name: "rampart_geoip_reloads_total",
      help: "GeoIP database re-opens, by result (ok, failed)",
      labelNames: ["result"],
      registers,
    });
  }

  /** The bounded label of a tunnel. */
  tunnelLabel(tunnel: string): string {
    let label = this.#labels.get(tunnel);
    if (label === undefined) {
      label = this.#labels.size < this.#maxTunnels ? tunnel : OTHER_TUNNELS;
      // Remember "other" too, but only up to a bound, so the map itself stays bounded.
      if (this.#labels.size < this.#maxTunnels * 2 + 1000) this.#labels.set(tunnel, label);
    }
    return label;
  }

  /**
   * Records one finished request. HOT PATH: Map reads and number adds, no label hashing; the
   * slots are found by tunnel, then outcome, whose strings V8 has hashed already (a joined
   * key would be a new string to build, flatten and hash per request).
   */
  observe(tunnel: string | null, outcome: string, seconds: number): void {
    this.#duration.observe(outcome, seconds);
    if (tunnel === null) return;
    let byOutcome = this.#tunnelSlots.get(tunnel);
    if (byOutcome === undefined) this.#tunnelSlots.set(tunnel, (byOutcome = new Map()));
    let slot = byOutcome.get(outcome);
    if (slot === undefined) {
      slot = this.#tunnelRequests.slot({ tunnel: this.tunnelLabel(tunnel), outcome });
      byOutcome.set(outcome, slot);
    }
    slot.n++;
  }
}
