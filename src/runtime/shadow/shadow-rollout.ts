/**
 * Shadow rollout (`serve --shadow CANDIDATE`, docs/shadow.md): a candidate policy, compiled
 * against the same runtime environment as the running one, decides every request beside it.
 * Only the running policy acts. Disagreements are counted per rule pair and sampled to the log
 * as witness lines. A candidate that does not load leaves shadow off (or, on a reload, the
 * previous candidate in place); nothing here can change how a request is answered.
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { decisionLine } from "../../analysis/diff/render-diff.ts";
import type { ChangeKind } from "../../analysis/diff/types.ts";
import type { CompiledPolicy } from "../../compile/engine.ts";
import type { Diagnostic, Outcome } from "../../diagnostics/diagnostic.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import type { Decision, HandshakeDecision } from "../../ir/decision.ts";
import type { HandshakeFacts, RequestFacts } from "../../ir/facts.ts";
import { shadowCandidateFailed } from "../diagnostics.ts";
import { UpstreamPools } from "../forward/upstreams.ts";
import type { CountryLookup } from "../geoip.ts";
import type { ShadowOptions, UpstreamOptions } from "../options.ts";
import { buildServingState } from "../state.ts";
import type { ServingState, StateInputs, TunnelRoute } from "../state.ts";
import { NOT_COMPARED, decideCandidate } from "./candidate-decision.ts";
import {
  decideCandidateHandshake,
  describeHandshake,
  handshakeLine,
} from "./candidate-handshake.ts";
import { disagreementKind, sameBehaviour } from "./disagreement.ts";
import { ShadowMetrics } from "./shadow-metrics.ts";
import {
  NOT_LOGGED_MESSAGE,
  WITNESS_MESSAGE,
  pairRecord,
  witnessRecord,
} from "./witness-record.ts";
import type { PairRecord } from "./witness-record.ts";
import { WitnessSampler } from "./witness-sampler.ts";
import type { NotLogged } from "./witness-sampler.ts";

/** What the request pipeline calls after the running policy decided (one call site). */
export interface ShadowHook {
  compare(route: TunnelRoute, facts: RequestFacts, running: Decision): void;
  /** The same for the TLS handshake of an HTTP tunnel (the TLS listener's one call site). */
  compareHandshake(route: TunnelRoute, facts: HandshakeFacts, running: HandshakeDecision): void;
}

export interface ShadowContext {
  readonly log: Logger;
  readonly registry: Registry;
  readonly geo: CountryLookup;
  readonly upstream: UpstreamOptions;
  readonly now?: () => number;
}

export class ShadowRollout implements ShadowHook {
  readonly #o: ShadowOptions;
  readonly #log: Logger;
  readonly #geo: CountryLookup;
  readonly #metrics: ShadowMetrics;
  readonly #sampler: WitnessSampler;
  /** The candidate never forwards: its routes get pools of their own that are never used. */
  readonly #pools: UpstreamPools;
  #candidate: ServingState | null = null;
  #generation = 0;
  /** A candidate that throws is logged once per generation, then only counted. */
  #threwLogged = false;

  constructor(o: ShadowOptions, context: ShadowContext) {
    this.#o = o;
    this.#log = context.log.child({ component: "shadow" });
    this.#geo = context.geo;
    this.#metrics = new ShadowMetrics(context.registry, o.maxRulePairs);
    this.#sampler = new WitnessSampler(o.samplesPerMinute, o.maxRulePairs, context.now);
    this.#pools = new UpstreamPools(context.upstream);
  }

  /**
   * Loads the candidate and builds it with the running policy's inputs (certificates, TLS
   * capabilities, listeners). Returns RP6060 when it does not load; never throws.
   */
  async reload(inputs: StateInputs): Promise<Diagnostic[]> {
    let loaded: Outcome<CompiledPolicy[]>;
    try {
      loaded = await this.#o.load();
    } catch (error) {
      return this.#failed((error as Error | undefined)?.message ?? String(error), []);
    }
    if (loaded.value === undefined || hasErrors(loaded.diagnostics)) {
      const first = loaded.diagnostics.find((d) => d.severity === "error");
      return this.#failed(
        first === undefined ? "it has errors" : `${first.code}: ${first.message}`,
        loaded.diagnostics,
      );
    }
    const diagnostics: Diagnostic[] = [];
    const state = buildServingState(
      loaded.value,
      { ...inputs, pools: this.#pools },
      this.#generation + 1,
      diagnostics,
    );
    // The candidate's own findings are about the candidate: logged, never the runtime's.
    this.#logCandidateDiagnostics([...loaded.diagnostics, ...diagnostics]);
    for (const t of state.notServed)
      this.#log.warn(
        { tunnel: t.tunnel, code: t.code },
        `candidate tunnel not served: ${t.reason}`,
      );
    this.#candidate = state;
    this.#generation = state.generation;
    this.#threwLogged = false;
    this.#metrics.loads.labels("ok").inc();
    this.#metrics.candidateGeneration.set(state.generation);
    this.#log.info(
      { candidate: this.#o.source, generation: state.generation, tunnels: state.tunnels },
      "shadow candidate loaded",
    );
    return [];
  }

  /** Decides with the candidate and records a disagreement. HOT PATH; never throws. */
  compare(route: TunnelRoute, facts: RequestFacts, running: Decision): void {
    const candidate = this.#candidate;
    if (candidate === null) return;
    // Inside the pipeline's own try: a throw here must never become the request's 500.
    try {
      const decision = decideCandidate(candidate, route, facts, this.#geo);
      if (decision === NOT_COMPARED) this.#metrics.notCompared();
      else if (sameBehaviour(running, decision)) this.#metrics.agree();
      else this.#disagree(route, facts, running, decision);
    } catch (error) {
      this.#threw(route, error);
    }
  }

  /** Decides the handshake with the candidate and records a disagreement; never throws. */
  compareHandshake(route: TunnelRoute, facts: HandshakeFacts, running: HandshakeDecision): void {
    const candidate = this.#candidate;
    if (candidate === null) return;
    try {
      this.#compareHandshake(route, candidate, facts, running);
    } catch (error) {
      this.#threw(route, error);
    }
  }

  #compareHandshake(
    route: TunnelRoute,
    candidate: ServingState,
    facts: HandshakeFacts,
    running: HandshakeDecision,
  ): void {
    const decision = decideCandidateHandshake(candidate, facts);
    if (decision.allow === running.allow && decision.policy === running.policy) {
      this.#metrics.handshakeAgrees();
      return;
    }
    this.#metrics.handshakeDisagrees();
    const kind =
      !running.allow && decision.allow
        ? "newly-allowed"
        : running.allow && !decision.allow
          ? "newly-denied"
          : "changed";
    const pair = this.#sampleDisagreement(kind, route.label, running, decision, handshakeLine);
    if (pair === null) return;
    this.#log.info({ shadow: { ...pair, witness: describeHandshake(facts) } }, WITNESS_MESSAGE);
  }

  /**
   * Counts a disagreement under its rule pair and returns its words when its witness is to be
   * logged (sampled per tunnel and rule pair: a project rule's pair spans tunnels), else null.
   */
  #sampleDisagreement<D extends { readonly rule: string }>(
    kind: ChangeKind,
    tunnel: string,
    running: D,
    candidate: D,
    line: (decision: D) => string,
  ): PairRecord | null {
    const key = `${kind}\u0000${running.rule}\u0000${candidate.rule}`;
    this.#metrics.disagree(key, kind, running.rule, candidate.rule);
    const admitted = this.#sampler.admit(`${key}\u0000${tunnel}`, () =>
      pairRecord(kind, tunnel, running, candidate, line),
    );
    if (admitted.ended.length > 0) this.#logNotLogged(admitted.ended);
    if (admitted.pair === null) this.#metrics.notLogged();
    return admitted.pair;
  }

  /** Writes the last minute's unlogged counts and closes the candidate's (unused) pools. */
  async close(): Promise<void> {
    this.#logNotLogged(this.#sampler.flush());
    await this.#pools.closeAll(true);
  }

  #disagree(route: TunnelRoute, facts: RequestFacts, running: Decision, candidate: Decision): void {
    const kind = disagreementKind(running, candidate);
    const pair = this.#sampleDisagreement(kind, route.label, running, candidate, decisionLine);
    if (pair === null) return;
    // The request as a person reads it: with its country, even where neither side reads it.
    const described =
      facts.country === null ? { ...facts, country: this.#geo.country(facts.clientIp) } : facts;
    this.#log.info({ shadow: witnessRecord(pair, described) }, WITNESS_MESSAGE);
  }

  #threw(route: TunnelRoute, error: unknown): void {
    this.#metrics.candidateError();
    if (this.#threwLogged) return;
    this.#threwLogged = true;
    this.#log.error(
      { err: error, tunnel: route.label },
      "shadow candidate's decision threw (a bug in rampart); counted, not compared",
    );
  }

  #logNotLogged(ended: readonly NotLogged[]): void {
    for (const { pair, count } of ended)
      this.#log.info({ shadow: { ...pair, notLogged: count } }, NOT_LOGGED_MESSAGE);
  }

  #failed(detail: string, diagnostics: readonly Diagnostic[]): Diagnostic[] {
    this.#logCandidateDiagnostics(diagnostics);
    this.#metrics.loads.labels("failed").inc();
    const keeps = this.#candidate === null ? "shadow is off" : "the previous candidate is kept";
    this.#log.error({ candidate: this.#o.source }, `shadow candidate load failed; ${keeps}`);
    return [shadowCandidateFailed(this.#o.source, detail)];
  }

  #logCandidateDiagnostics(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) {
      const entry = { candidate: this.#o.source, code: d.code, file: d.span?.file, help: d.help };
      if (d.severity === "error") this.#log.error(entry, d.message);
      else this.#log.warn(entry, d.message);
    }
  }
}
