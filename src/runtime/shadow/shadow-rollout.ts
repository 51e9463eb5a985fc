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
import type { ConnectionFacts, HandshakeFacts, RequestFacts } from "../../ir/facts.ts";
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { shadowCandidateFailed } from "../diagnostics.ts";
import { UpstreamPools } from "../forward/upstreams.ts";
import type { CountryLookup } from "../geoip.ts";
import type { ShadowOptions, UpstreamOptions } from "../options.ts";
import { buildServingState } from "../state.ts";
import type { ServingState, StateInputs, TunnelRoute } from "../state.ts";
import type { CanonicalRequest } from "../http/canonical-request.ts";
import type { StreamRoute } from "../stream/routes.ts";
import type { TunnelTls } from "../tls/contexts.ts";
import { NOT_COMPARED, decideCandidate } from "./candidate-decision.ts";
import { NOT_JUDGED, keepReading, readingOf } from "./candidate-certificate.ts";
import { canonicalPeer } from "../http/client-ip.ts";
import {
  NO_TCP_TUNNEL,
  UNKNOWN_SNI,
  connectionLine,
  decideCandidateConnection,
  describeConnection,
} from "./candidate-connection.ts";
import type { StreamPlace } from "./candidate-connection.ts";
import {
  decideCandidateHandshake,
  describeHandshake,
  handshakeLine,
} from "./candidate-handshake.ts";
import { BOTH_UNROUTED, decideUnrouted } from "./unrouted-request.ts";
import type { UnroutedOutcome, UnroutedSources } from "./unrouted-request.ts";
import { disagreementKind, sameBehaviour } from "./disagreement.ts";
import { ShadowMetrics } from "./shadow-metrics.ts";
import {
  NOT_LOGGED_MESSAGE,
  WITNESS_MESSAGE,
  pairRecord,
  witnessRecord,
} from "./witness-record.ts";
import type { PairRecord, ShadowSubject } from "./witness-record.ts";
import { WitnessSampler } from "./witness-sampler.ts";
import type { NotLogged } from "./witness-sampler.ts";

/** What the runtime calls where the running policy decided (each call site is one line). */
export interface ShadowHook {
  /** A request a tunnel decided; `socket` carries the candidate's reading of a certificate. */
  compare(route: TunnelRoute, facts: RequestFacts, running: Decision, socket?: object): void;
  /** A request refused before any tunnel decided (no route, plain HTTP refused). */
  compareUnrouted(req: IncomingMessage, request: CanonicalRequest, sources: UnroutedSources): void;
  /** A TLS handshake of the running tunnel `label` (HTTP or `tls` stream), set up by `tls`. */
  compareHandshake(
    label: string,
    tls: TunnelTls,
    facts: HandshakeFacts,
    running: HandshakeDecision,
    socket: TLSSocket,
  ): void;
  /**
   * A stream connection at `where` (the `tcp` port's option, else the server name); `route`
   * and `running` are null when no running tunnel serves it (a `tcp` port left unrouted, a
   * server name no tunnel serves).
   */
  compareConnection(
    kind: StreamRoute["kind"],
    where: string,
    route: StreamRoute | null,
    facts: ConnectionFacts,
    running: HandshakeDecision | null,
    socket: object | null,
  ): void;
  /** A TLS server name that no running tunnel serves: refused at the ClientHello. */
  compareUnknownName(serverName: string, remoteAddress: string | undefined): void;
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
  compare(route: TunnelRoute, facts: RequestFacts, running: Decision, socket?: object): void {
    const candidate = this.#candidate;
    if (candidate === null) return;
    // Inside the pipeline's own try: a throw here must never become the request's 500.
    try {
      // The candidate's own reading of the client certificate, when it differs (mTLS).
      const reading = socket === undefined ? undefined : readingOf(socket);
      if (reading === NOT_JUDGED) {
        this.#metrics.notCompared();
        return;
      }
      const seen =
        reading === undefined || reading.credential === facts.clientCredential
          ? facts
          : { ...facts, clientCredential: reading.credential };
      this.#compareDecided(
        route.label,
        seen,
        running,
        decideCandidate(candidate, route, seen, this.#geo),
      );
    } catch (error) {
      this.#threw(route.label, error);
    }
  }

  /**
   * Routes, with the candidate, a request the running policy refused at routing, and compares
   * (after a token's verification, when the candidate's tunnel reads one). Never throws.
   */
  compareUnrouted(req: IncomingMessage, request: CanonicalRequest, sources: UnroutedSources): void {
    const candidate = this.#candidate;
    if (candidate === null) return;
    const threw = (error: unknown): void => this.#threw(request.host, error);
    try {
      decideUnrouted(
        candidate,
        req,
        request,
        sources,
        (outcome: UnroutedOutcome) => {
          if (outcome === NOT_COMPARED) this.#metrics.notCompared();
          else if (outcome === BOTH_UNROUTED) this.#metrics.agree();
          else
            this.#compareDecided(outcome.label, outcome.facts, outcome.running, outcome.candidate);
        },
        threw,
      );
    } catch (error) {
      threw(error);
    }
  }

  #compareDecided(
    label: string,
    facts: RequestFacts,
    running: Decision,
    decision: Decision | typeof NOT_COMPARED,
  ): void {
    if (decision === NOT_COMPARED) this.#metrics.notCompared();
    else if (sameBehaviour(running, decision)) this.#metrics.agree();
    else this.#disagree(label, facts, running, decision);
  }

  /** Decides the handshake with the candidate and records a disagreement; never throws. */
  compareHandshake(
    label: string,
    tls: TunnelTls,
    facts: HandshakeFacts,
    running: HandshakeDecision,
    socket: TLSSocket,
  ): void {
    const candidate = this.#candidate;
    if (candidate === null) return;
    try {
      const decided = decideCandidateHandshake(candidate, facts, tls, socket);
      if (decided === NOT_COMPARED) {
        // Nor are the requests or the relay that follow: the candidate never read this client.
        keepReading(socket, NOT_JUDGED);
        this.#metrics.handshakes.not_compared++;
        return;
      }
      if (decided.reading !== null) keepReading(socket, decided.reading);
      this.#compareAllowed("handshake", label, running, decided.decision, handshakeLine, () =>
        describeHandshake(facts),
      );
    } catch (error) {
      this.#threw(label, error);
    }
  }

  /** Decides the stream connection with the candidate too; never throws. */
  compareConnection(
    kind: StreamRoute["kind"],
    where: string,
    route: StreamRoute | null,
    facts: ConnectionFacts,
    running: HandshakeDecision | null,
    socket: object | null,
  ): void {
    const candidate = this.#candidate;
    if (candidate === null) return;
    const place: StreamPlace = kind === "tcp" ? { kind, portOption: where } : { kind, sni: where };
    try {
      const reading = socket === null ? undefined : readingOf(socket);
      if (reading === NOT_JUDGED) {
        this.#metrics.connections.not_compared++;
        return;
      }
      const decided = decideCandidateConnection(
        candidate,
        place,
        facts,
        route?.needsCountry ?? false,
        reading === undefined ? facts.clientCredential : reading.credential,
        this.#geo,
      );
      if (decided === NOT_COMPARED) {
        this.#metrics.connections.not_compared++;
        return;
      }
      const label = route?.label ?? decided.label ?? where;
      this.#compareAllowed(
        "connection",
        label,
        running ?? (kind === "tcp" ? NO_TCP_TUNNEL : UNKNOWN_SNI),
        decided.decision,
        connectionLine,
        () => describeConnection(place, facts, facts.country ?? this.#geo.country(facts.clientIp)),
      );
    } catch (error) {
      this.#threw(route?.label ?? where, error);
    }
  }

  /**
   * A server name no running tunnel serves. A candidate `tls-passthrough` tunnel decides the
   * connection now (its client address is all it reads); a candidate that would terminate
   * TLS would decide a handshake that never happened, so it is counted as not compared.
   * Never throws.
   */
  compareUnknownName(serverName: string, remoteAddress: string | undefined): void {
    const candidate = this.#candidate;
    if (candidate === null) return;
    try {
      const stream = candidate.streams.bySni.get(serverName);
      if (stream?.kind === "passthrough") {
        const facts = {
          clientIp: canonicalPeer(remoteAddress),
          country: null,
          clientCredential: null,
        };
        this.compareConnection("passthrough", serverName, null, facts, null, null);
        return;
      }
      const tls = stream?.tls ?? candidate.routes.get(serverName)?.tls ?? null;
      if (tls?.terminators.get(serverName) !== undefined) this.#metrics.handshakes.not_compared++;
      else this.#metrics.handshakes.agree++;
    } catch (error) {
      this.#threw(serverName, error);
    }
  }

  /** Counts and samples a handshake or connection decision: allowed or refused, and why. */
  #compareAllowed(
    subject: "handshake" | "connection",
    label: string,
    running: HandshakeDecision,
    decision: HandshakeDecision,
    line: (d: HandshakeDecision) => string,
    witness: () => string,
  ): void {
    const counts = subject === "handshake" ? this.#metrics.handshakes : this.#metrics.connections;
    if (decision.allow === running.allow && decision.policy === running.policy) {
      counts.agree++;
      return;
    }
    counts.disagree++;
    const kind =
      !running.allow && decision.allow
        ? "newly-allowed"
        : running.allow && !decision.allow
          ? "newly-denied"
          : "changed";
    const pair = this.#sampleDisagreement(kind, subject, label, running, decision, line);
    if (pair === null) return;
    this.#log.info({ shadow: { ...pair, witness: witness() } }, WITNESS_MESSAGE);
  }

  /**
   * Counts a disagreement under its rule pair and returns its words when its witness is to be
   * logged (sampled per tunnel and rule pair: a project rule's pair spans tunnels), else null.
   */
  #sampleDisagreement<D extends { readonly rule: string }>(
    kind: ChangeKind,
    subject: ShadowSubject,
    tunnel: string,
    running: D,
    candidate: D,
    line: (decision: D) => string,
  ): PairRecord | null {
    const key = `${kind}\u0000${running.rule}\u0000${candidate.rule}`;
    this.#metrics.disagree(key, kind, running.rule, candidate.rule);
    const admitted = this.#sampler.admit(`${key}\u0000${tunnel}\u0000${subject}`, () =>
      pairRecord(kind, tunnel, running, candidate, line, subject),
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

  #disagree(label: string, facts: RequestFacts, running: Decision, candidate: Decision): void {
    this.#metrics.requestDisagrees();
    const kind = disagreementKind(running, candidate);
    const pair = this.#sampleDisagreement(kind, "request", label, running, candidate, decisionLine);
    if (pair === null) return;
    // The request as a person reads it: with its country, even where neither side reads it.
    const described =
      facts.country === null ? { ...facts, country: this.#geo.country(facts.clientIp) } : facts;
    this.#log.info({ shadow: witnessRecord(pair, described) }, WITNESS_MESSAGE);
  }

  #threw(tunnel: string, error: unknown): void {
    this.#metrics.candidateError();
    if (this.#threwLogged) return;
    this.#threwLogged = true;
    this.#log.error(
      { err: error, tunnel },
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
