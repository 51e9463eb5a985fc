/**
 * The shadow rollout's Prometheus metrics. Requests compared are counted in plain numbers and
 * copied into the counter when `/metrics` is read, so the per-request cost is an increment.
 * Disagreements are counted per rule pair; rule ids come from a finite policy, but a token's
 * grant rule is named after the token, so the pairs named in labels are capped and the rest
 * counted as `other`.
 */
import { Counter, Gauge } from "prom-client";
import type { Registry } from "prom-client";
import type { ChangeKind } from "../../analysis/diff/types.ts";

/** The label value of rule pairs past the cap. */
export const OTHER = "other";

/** Handshakes or stream connections compared, by result; incremented in place. */
export interface StepCounts {
  agree: number;
  disagree: number;
  not_compared: number;
}

/** A counter by `result` that copies `counts` when `/metrics` is read. */
function resultCounter(
  registry: Registry,
  name: string,
  help: string,
  counts: StepCounts,
): Counter<"result"> {
  const counter: Counter<"result"> = new Counter({
    name,
    help,
    labelNames: ["result"],
    registers: [registry],
    collect() {
      counter.reset();
      for (const [result, n] of Object.entries(counts)) counter.labels(result).inc(n);
    },
  });
  return counter;
}

/** What happened to one request in shadow. */
export type CompareResult = "agree" | "disagree" | "not_compared" | "candidate_error";

export class ShadowMetrics {
  #agree = 0;
  #disagree = 0;
  #notCompared = 0;
  #candidateErrors = 0;
  /** Disagreements per pair key (kind, running rule, candidate rule), past the cap under OTHER. */
  readonly #pairs = new Map<string, { labels: [string, string, string]; n: number }>();
  readonly #maxPairs: number;
  #notLogged = 0;
  /** Handshakes (HTTP and `tls` tunnels) and stream connections compared, by result. */
  readonly handshakes: StepCounts = { agree: 0, disagree: 0, not_compared: 0 };
  readonly connections: StepCounts = { agree: 0, disagree: 0, not_compared: 0 };
  /** The candidate's generation: 0 while no candidate is loaded (shadow is off). */
  readonly candidateGeneration: Gauge;
  readonly loads: Counter<"result">;

  constructor(registry: Registry, maxPairs: number) {
    const registers = [registry];
    this.#maxPairs = maxPairs;
    const counts = (): Record<CompareResult, number> => ({
      agree: this.#agree,
      disagree: this.#disagree,
      not_compared: this.#notCompared,
      candidate_error: this.#candidateErrors,
    });
    const requests: Counter<"result"> = new Counter({
      name: "rampart_shadow_requests_total",
      help: "Requests decided by the shadow candidate too, by result (agree, disagree, not_compared, candidate_error: the candidate's decision threw)",
      labelNames: ["result"],
      registers,
      collect() {
        requests.reset();
        for (const [result, n] of Object.entries(counts())) requests.labels(result).inc(n);
      },
    });
    const pairs = this.#pairs;
    const disagreements: Counter<"kind" | "running_rule" | "candidate_rule"> = new Counter({
      name: "rampart_shadow_disagreements_total",
      help: "Requests the candidate decides differently, by kind and rule pair (running, candidate); pairs past the cap are `other`",
      labelNames: ["kind", "running_rule", "candidate_rule"],
      registers,
      collect() {
        disagreements.reset();
        for (const { labels, n } of pairs.values()) disagreements.labels(...labels).inc(n);
      },
    });
    resultCounter(
      registry,
      "rampart_shadow_handshakes_total",
      "TLS handshakes (HTTP and tls tunnels) decided by the shadow candidate too, by result (agree, disagree, not_compared)",
      this.handshakes,
    );
    resultCounter(
      registry,
      "rampart_shadow_connections_total",
      "Stream connections (tcp, tls, tls-passthrough) decided by the shadow candidate too, by result (agree, disagree, not_compared)",
      this.connections,
    );
    this.candidateGeneration = new Gauge({
      name: "rampart_shadow_candidate_generation",
      help: "Generation of the shadow candidate compared with the running policy; 0: none loaded",
      registers,
    });
    this.loads = new Counter({
      name: "rampart_shadow_loads_total",
      help: "Shadow candidate loads, by result (ok, failed)",
      labelNames: ["result"],
      registers,
    });
    const notLogged: Counter = new Counter({
      name: "rampart_shadow_witnesses_not_logged_total",
      help: "Disagreements counted but not logged as witness lines (past the per-minute sample)",
      registers,
      collect: () => {
        notLogged.reset();
        notLogged.inc(this.#notLogged);
      },
    });
  }

  agree(): void {
    this.#agree++;
  }

  /** A request decided differently (its pair is counted by `disagree`). */
  requestDisagrees(): void {
    this.#disagree++;
  }

  notCompared(): void {
    this.#notCompared++;
  }

  candidateError(): void {
    this.#candidateErrors++;
  }

  notLogged(): void {
    this.#notLogged++;
  }

  /**
   * Counts one disagreement (a request, handshake or connection) under its pair `key` (kind, running rule, candidate rule), or
   * under `other` past the cap. HOT PATH for a candidate that disagrees often: Map reads only.
   */
  disagree(key: string, kind: ChangeKind, runningRule: string, candidateRule: string): void {
    let pair = this.#pairs.get(key);
    if (pair === undefined) {
      const named = this.#pairs.size < this.#maxPairs;
      const at = named ? key : `${kind}\u0000${OTHER}`;
      pair = this.#pairs.get(at);
      if (pair === undefined) {
        pair = { labels: named ? [kind, runningRule, candidateRule] : [kind, OTHER, OTHER], n: 0 };
        // Past the cap only one `other` entry per kind is kept, so the map stays bounded.
        this.#pairs.set(at, pair);
      }
    }
    pair.n++;
  }
}
