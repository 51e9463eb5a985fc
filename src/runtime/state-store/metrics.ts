/**
 * The shared store's metrics, in the runtime's registry: whether the store is usable, how
 * often it dropped, revocations applied to the local view, and requests refused because the
 * store was needed but unusable.
 */
import { Counter, Gauge } from "prom-client";
import type { Registry } from "prom-client";

export class StateStoreMetrics {
  readonly up: Gauge;
  readonly disconnects: Counter;
  readonly revocationsApplied: Counter<"kind">;
  readonly refusals: Counter<"need">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.up = new Gauge({
      name: "rampart_state_store_up",
      help: "1 while the shared store is connected and the local view is current, else 0",
      registers,
    });
    this.disconnects = new Counter({
      name: "rampart_state_store_disconnects_total",
      help: "Times the shared store became unusable (connection lost, heartbeat missed)",
      registers,
    });
    this.revocationsApplied = new Counter({
      name: "rampart_state_revocations_applied_total",
      help: "Revocations applied to the local view, by kind (session, token, credential)",
      labelNames: ["kind"],
      registers,
    });
    this.refusals = new Counter({
      name: "rampart_state_unavailable_refusals_total",
      help: "Requests refused because they needed the shared store while it was unusable, by need",
      labelNames: ["need"],
      registers,
    });
  }
}
