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

/** What happened to one request in shadow. */
export type CompareResult = "agree" | "disagree" | "not_compared" | "candidate_error";

export class ShadowMetrics {
  #agree = 0;
  #disagree = 0;
  #notCompared = 0;
  #candidateErrors = 0;
  readonly #disagreements: Counter<"kind" | "running_rule" | "candidate_rule">;
  readonly #pairs = new Map<string, { inc(): void }>();
  readonly #maxPairs: number;
  /** The candidate's generation: 0 while no candidate is loaded (shadow is off). */
  readonly candidateGeneration: Gauge;
  readonly loads: Counter<"result">;
  readonly witnessesNotLogged: Counter;

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
      help: "Requests decided by the shadow candidate too, by result (agree, disagree, not_compared, candidate_error)",
      labelNames: ["result"],
      registers,
      collect() {
        requests.reset();
        for (const [result, n] of Object.entries(counts())) requests.labels(result).inc(n);
      },
    });
    this.#disagreements = new Counter({
      name: "rampart_shadow_disagreements_total",
      help: "Requests the candidate decides differently, by kind and rule pair (running, candidate); pairs past the cap are `other`",
      labelNames: ["kind", "running_rule", "candidate_rule"],
      registers,
    });
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
    this.witnessesNotLogged = new Counter({
      name: "rampart_shadow_witnesses_not_logged_total",
      help: "Disagreements counted but not logged as witness lines (past the per-minute sample)",
      registers,
    });
  }

  agree(): void {
    this.#agree++;
  }

  notCompared(): void {
    this.#notCompared++;
  }

  candidateError(): void {
    this.#candidateErrors++;
  }

  /** Counts one disagreement under its rule pair, or `other` past the cap. */
  disagree(kind: ChangeKind, runningRule: string, candidateRule: string): void {
    this.#disagree++;
    const key = `${kind}\u0000${runningRule}\u0000${candidateRule}`;
    let child = this.#pairs.get(key);
    if (child === undefined) {
      const named = this.#pairs.size < this.#maxPairs;
      child = this.#disagreements.labels(
        kind,
        named ? runningRule : OTHER,
        named ? candidateRule : OTHER,
      );
      // Past the cap the key is not kept either, so the map stays bounded too.
      if (!named) {
        child.inc();
        return;
      }
      this.#pairs.set(key, child);
    }
    child.inc();
  }
}
