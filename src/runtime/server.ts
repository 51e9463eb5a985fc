/**
 * `startRuntime`: the `rampart serve` process. Validates options, opens GeoIP and token keys,
 * loads the first policy generation, binds the HTTP, HTTPS and admin listeners, and handles
 * reload (SIGHUP, file change, `reload()`) and graceful shutdown.
 */
// First: Node chooses its async-context implementation as this loads (ops/async-context.ts).
import "./ops/async-context.ts";
import { createServer as createHttpServer, ServerResponse } from "node:http";
import type { Server as HttpServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import type { Server as NetServer, Socket } from "node:net";
import { pino } from "pino";
import type { Logger } from "pino";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import { hasErrors } from "../diagnostics/diagnostic.ts";
import type { CompiledPolicy } from "../compile/engine.ts";
import { policyLoadFailed } from "./diagnostics.ts";
import { resolveOptions } from "./options.ts";
import type { ResolvedOptions, RuntimeOptions } from "./options.ts";
import { embeddedCountryDatabasePath, openCountryDatabase } from "./geoip.ts";
import { TrustedProxies, parseTrustedProxies } from "./http/client-ip.ts";
import { createRequestHandler, createUpgradeHandler } from "./http/pipeline.ts";
import { answerClientError } from "./http/client-error.ts";
import { answerForwardAuthClientError } from "./forward-auth/answer.ts";
import { createForwardAuthHandler } from "./forward-auth/handler.ts";
import { createEngineFlows } from "./session/engine-flows.ts";
import type { PipelineDeps } from "./http/pipeline.ts";
import { UpstreamPools } from "./forward/upstreams.ts";
import { buildServingState, emptyState } from "./state.ts";
import type { ServingState } from "./state.ts";
import { readCertificates } from "./tls/certificates.ts";
import { detectTlsCapabilities } from "./tls/capabilities.ts";
import type { TlsCapabilities } from "./tls/capabilities.ts";
import { acceptTlsConnection } from "./tls/listener.ts";
import { SessionTickets } from "./tls/session-tickets.ts";
import { tlsAcceptHooks } from "./tls/accept-hooks.ts";
import type { TlsAcceptHooks } from "./tls/listener.ts";
import { closeH2Sessions, createH2Server } from "./http2/server.ts";
import type { StreamDeps } from "./stream/admit.ts";
import { createTcpListener } from "./stream/tcp-listener.ts";
import { createTokenBackend } from "./tokens/create-backend.ts";
import type { TokenBackend } from "./tokens/backend.ts";
import { RuntimeMetrics } from "./ops/metrics.ts";
import { createAdminServer } from "./ops/admin.ts";
import { listen } from "./ops/listen.ts";
import type { BoundAddress } from "./ops/listen.ts";
import { handleSignals, watchFiles } from "./ops/reload.ts";
import { ConnectionCap } from "./ops/connection-cap.ts";
import { ReloadableCountryLookup } from "./ops/geoip-reload.ts";
import { observeRequests } from "./ops/request-observer.ts";
import { observeUpgrades } from "./ops/upgrade-observer.ts";
import type { AccessLog } from "./ops/access-log.ts";
import { TrackedResponse } from "./ops/request-record.ts";
import { TunnelGates } from "./ops/tunnel-gate.ts";
import { createStateStore } from "./state-store/create-store.ts";
import { RevocationCheckedBackend } from "./tokens/revocation.ts";
import { ShadowRollout } from "./shadow/shadow-rollout.ts";

/** A running runtime. */
export interface RuntimeHandle {
  readonly addresses: {
    readonly http: BoundAddress | null;
    readonly https: BoundAddress | null;
    readonly admin: BoundAddress | null;
    /** The forward-auth listener (docs/forward-auth.md), when configured. */
    readonly forwardAuth: BoundAddress | null;
    /** One listener per `tcp` option: the tunnel it names and where it listens (S-P1). */
    readonly tcp: readonly { readonly tunnel: string; readonly address: BoundAddress }[];
  };
  /** The serving generation (1 after start, +1 per successful reload). */
  readonly generation: number;
  readonly metrics: RuntimeMetrics;
  /** Loads and swaps in a new generation; on failure the old one keeps serving. */
  reload(): Promise<Outcome<number>>;
  /**
   * Fails `/readyz`, keeps serving for the drain delay, then stops accepting and lets in-flight
   * requests finish (up to the grace period) before it closes.
   */
  close(): Promise<void>;
  /** Re-opens the GeoIP database (as SIGHUP does); a broken file keeps the running one. */
  reopenGeoIp(): Outcome<Date | null>;
}

/** Test seam: capabilities other than this process's (e.g. an OpenSSL without PQ groups). */
export interface RuntimeInternals {
  readonly capabilities?: TlsCapabilities;
}

/** Old upstream pools are closed this long after a swap, once no request can still pick them. */
const POOL_RETIRE_DELAY_MS = 30_000;

/** Starts the runtime. Bad options and an unloadable first policy are diagnostics, never throws. */
export async function startRuntime(
  options: RuntimeOptions,
  internals: RuntimeInternals = {},
): Promise<Outcome<RuntimeHandle>> {
  const resolved = resolveOptions(options);
  if (resolved.value === undefined) return { value: undefined, diagnostics: resolved.diagnostics };
  const o = resolved.value;
  const log = o.logger ?? pino({ name: "rampart", level: o.logLevel });
  const metrics = new RuntimeMetrics(true, o.metricsMaxTunnels);
  const diagnostics: Diagnostic[] = [];

  const geo = openGeo(o, log, metrics, diagnostics);
  const verifier = createTokenBackend(o.tokens, diagnostics);
  const proxySet = parseTrustedProxies(o.trustedProxies, diagnostics);
  const trustedProxies = proxySet === null ? null : new TrustedProxies(proxySet);
  if (geo === null || hasErrors(diagnostics)) return failStart(diagnostics, verifier);
  // The shared store (S-M1): logged-out sessions, revoked tokens, redeemed challenge proofs.
  const store = await createStateStore(
    { ...o.state, memoryClaims: o.challenge?.replayCacheSize ?? 100_000 },
    metrics.registry,
    log,
  );
  const tokens = verifier === null ? null : new RevocationCheckedBackend(verifier, store.view);
  const fail = (d: Diagnostic[], t: TokenBackend | null): Outcome<RuntimeHandle> => {
    void store.close();
    return failStart(d, t);
  };

  const runtime = new Runtime(o, log, metrics, internals.capabilities ?? detectTlsCapabilities());
  runtime.geo = geo;
  // Shadow rollout (docs/shadow.md): its candidate loads with every generation.
  const shadow =
    o.shadow === undefined
      ? null
      : new ShadowRollout(o.shadow, { log, registry: metrics.registry, geo, upstream: o.upstream });
  runtime.shadow = shadow;
  const first = await runtime.load();
  diagnostics.push(...first.diagnostics);
  if (first.value === undefined) return fail(diagnostics, tokens);

  const deps: PipelineDeps = {
    flows: createEngineFlows(o.cookieKey, o.challenge, o.rstreamAuth, log, store),
    store,
    revocations: store.view,
    // S-H4: without an IdP no session can be trusted, whoever signed the cookie.
    sessions: o.rstreamAuth !== undefined,
    state: () => runtime.state,
    geo,
    cookieKey: o.cookieKey,
    tokens,
    trustedProxies,
    maxBodyBytes: o.upstream.maxBodyBytes,
    upgradeTimeoutMs: o.upstream.headersTimeoutMs,
    log,
    metrics,
    gates: new TunnelGates(o.tunnelLimits),
    ...(shadow === null ? {} : { shadow }),
  };
  const bound = await runtime.listenAll(deps);
  diagnostics.push(...bound.diagnostics);
  if (bound.value === undefined) {
    await runtime.close();
    return fail(diagnostics, tokens);
  }
  runtime.startTriggers();
  runtime.onClose(() => tokens?.close?.());
  runtime.onClose(() => void store.close());
  if (shadow !== null) runtime.onClose(() => void shadow.close());
  return { value: runtime.handle(bound.value), diagnostics };
}

function failStart(diagnostics: Diagnostic[], tokens: TokenBackend | null): Outcome<RuntimeHandle> {
  tokens?.close?.();
  return { value: undefined, diagnostics };
}

function openGeo(
  o: ResolvedOptions,
  log: Logger,
  metrics: RuntimeMetrics,
  diagnostics: Diagnostic[],
): ReloadableCountryLookup | null {
  const path = o.geoipDatabase ?? embeddedCountryDatabasePath();
  const onLookupError = (ip: string, detail: string): void => {
    metrics.geoipLookupErrors.inc();
    log.error(
      { ip, detail, database: path },
      "GeoIP lookup hit corrupt data; treated as unknown country",
    );
  };
  const opened = openCountryDatabase(path, onLookupError);
  diagnostics.push(...opened.diagnostics);
  if (opened.value === undefined) return null;
  return new ReloadableCountryLookup(opened.value, onLookupError, metrics.traffic, log);
}

/** The mutable core behind a RuntimeHandle. */
class Runtime {
  state: ServingState = emptyState();
  geo: ReloadableCountryLookup | null = null;
  shadow: ShadowRollout | null = null;
  readonly #o: ResolvedOptions;
  readonly #log: Logger;
  readonly #metrics: RuntimeMetrics;
  readonly #capabilities: TlsCapabilities;
  readonly #pools: UpstreamPools;
  /** TLS session tickets of every generation's terminators (one key, rotated in place). */
  readonly #tickets: SessionTickets;
  readonly #servers: { server: NetServer | HttpServer; http: HttpServer | null }[] = [];
  /** Every open client connection, capped; shutdown ends what outlives the grace period (upgrades too). */
  readonly #connections: ConnectionCap;
  /** Listeners are up (readiness); cleared when draining starts. */
  #ready = false;
  readonly #cleanups: (() => void)[] = [];
  readonly #accessLogs: AccessLog[] = [];
  #reloading: Promise<Outcome<number>> | null = null;
  #reloadAgain = false;
  #closing: Promise<void> | null = null;

  constructor(
    o: ResolvedOptions,
    log: Logger,
    metrics: RuntimeMetrics,
    capabilities: TlsCapabilities,
  ) {
    this.#o = o;
    this.#log = log;
    this.#metrics = metrics;
    this.#capabilities = capabilities;
    this.#pools = new UpstreamPools(o.upstream);
    this.#tickets = new SessionTickets(o.tlsSessions);
    this.#cleanups.push(() => this.#tickets.close());
    this.#connections = new ConnectionCap(o.clients.maxConnections, metrics.traffic, log);
  }

  /** Loads a generation and swaps it in. Calls never overlap: a reload during a reload runs once after it. */
  load(): Promise<Outcome<number>> {
    if (this.#reloading !== null) {
      this.#reloadAgain = true;
      return this.#reloading;
    }
    this.#reloading = this.#loadOnce().finally(() => {
      this.#reloading = null;
      if (this.#reloadAgain) {
        this.#reloadAgain = false;
        void this.load();
      }
    });
    return this.#reloading;
  }

  async #loadOnce(): Promise<Outcome<number>> {
    const diagnostics: Diagnostic[] = [];
    let loaded: Outcome<CompiledPolicy[]>;
    try {
      loaded = await this.#o.load();
    } catch (error) {
      loaded = {
        value: undefined,
        diagnostics: [policyLoadFailed((error as Error).message ?? String(error))],
      };
    }
    diagnostics.push(...loaded.diagnostics);
    if (loaded.value === undefined || hasErrors(loaded.diagnostics)) {
      if (!diagnostics.some((d) => d.code === "RP6009"))
        diagnostics.push(policyLoadFailed("the policy has errors"));
      return this.#finishLoad(diagnostics, null);
    }
    const certificates = await readCertificates(this.#o.certificates, diagnostics);
    const inputs = {
      https: this.#o.https !== undefined,
      upstreamOverride: this.#o.upstreamOverride ?? null,
      certificates,
      capabilities: this.#capabilities,
      pools: this.#pools,
      tcpPortTunnels: this.#o.tcp.map((t) => t.tunnel),
      tlsSessions: this.#tickets,
    };
    const next = buildServingState(loaded.value, inputs, this.state.generation + 1, diagnostics);
    // The candidate is built with the same inputs; its failure is a warning, never the policy's.
    if (this.shadow !== null) diagnostics.push(...(await this.shadow.reload(inputs)));
    return this.#finishLoad(diagnostics, next);
  }

  #finishLoad(diagnostics: Diagnostic[], next: ServingState | null): Outcome<number> {
    for (const d of diagnostics) {
      const entry = { code: d.code, file: d.span?.file, help: d.help };
      if (d.severity === "error") this.#log.error(entry, d.message);
      else this.#log.warn(entry, d.message);
    }
    if (next === null) {
      this.#metrics.reloads.labels("failed").inc();
      this.#log.error(
        { generation: this.state.generation },
        "policy load failed; the previous policy keeps serving",
      );
      return { value: undefined, diagnostics };
    }
    // INVARIANT: one assignment swaps the generation; a request reads `state` once.
    this.state = next;
    this.#metrics.reloads.labels("ok").inc();
    this.#metrics.generation.set(next.generation);
    this.#metrics.tunnelsServed.set(next.tunnels);
    this.#retireUnusedPools(next);
    this.#reportNotServed(next);
    this.#log.info({ generation: next.generation, tunnels: next.tunnels }, "policy loaded");
    return { value: next.generation, diagnostics };
  }

  /** S-P2: every tunnel not served, and why, in the log and on `/metrics`. */
  #reportNotServed(state: ServingState): void {
    this.#metrics.tunnelsNotServed.reset();
    for (const t of state.notServed) {
      this.#metrics.tunnelsNotServed.labels(t.tunnel, t.protocol, t.code).set(1);
      this.#log.warn(
        { generation: state.generation, tunnel: t.tunnel, protocol: t.protocol, code: t.code },
        `tunnel not served: ${t.reason}`,
      );
    }
  }

  #retireUnusedPools(state: ServingState): void {
    const keep = new Set(
      state.routes.values().flatMap((r) => (r.upstream === null ? [] : [r.upstream.origin])),
    );
    const timer = setTimeout(() => {
      const current = new Set(
        this.state.routes.values().flatMap((r) => (r.upstream === null ? [] : [r.upstream.origin])),
      );
      void this.#pools.retainOnly(new Set([...keep, ...current]));
    }, POOL_RETIRE_DELAY_MS);
    timer.unref();
  }

  async listenAll(deps: PipelineDeps): Promise<Outcome<RuntimeHandle["addresses"]>> {
    const onRequest = observeRequests(createRequestHandler(deps), {
      metrics: this.#metrics.traffic,
      log: this.#log,
      accessLog: this.#o.accessLog,
      bodyIdleTimeoutMs: this.#o.clients.bodyIdleTimeoutMs,
      onAccessLog: (access) => this.#accessLogs.push(access),
    });
    const onUpgrade = observeUpgrades(createUpgradeHandler(deps), {
      log: this.#log,
      accessLog: this.#o.accessLog,
      onAccessLog: (access) => this.#accessLogs.push(access),
    });
    const clients = this.#o.clients;
    const httpOptions = {
      maxHeaderSize: this.#o.maxHeaderBytes,
      requestTimeout: clients.requestTimeoutMs,
      headersTimeout: clients.headersTimeoutMs,
      // Node checks both timeouts on this interval (30 s by default): check often enough
      // that a slowloris client is cut close to its deadline.
      connectionsCheckingInterval: Math.min(1_000, clients.headersTimeoutMs),
      keepAliveTimeout: 5_000,
      ServerResponse: TrackedResponse,
      // S-R18: never the lenient parser, whatever NODE_OPTIONS says.
      insecureHTTPParser: false,
      // A missing Host is refused by the pipeline with the S-D2 body (S-R1), not by Node.
      requireHostHeader: false,
      // HOT PATH (issue #20): a request without Content-Length or Transfer-Encoding has no
      // body (RFC 9112 §6.3); Node then skips its `end` and `close` events and the drain.
      optimizeEmptyRequests: true,
    };
    const diagnostics: Diagnostic[] = [];
    let http: BoundAddress | null = null;
    let https: BoundAddress | null = null;
    let admin: BoundAddress | null = null;
    let forwardAuth: BoundAddress | null = null;
    const tcp: { tunnel: string; address: BoundAddress }[] = [];
    const streams: StreamDeps = {
      state: deps.state,
      geo: deps.geo,
      log: deps.log,
      metrics: deps.metrics,
      bounds: this.#o.streams,
      ...(deps.shadow === undefined ? {} : { shadow: deps.shadow }),
    };
    if (this.#o.http !== undefined) {
      const server = createHttpServer(httpOptions, onRequest);
      server.on("upgrade", onUpgrade);
      server.on("clientError", answerClientError);
      server.on("connection", (socket: Socket) => this.#track(socket));
      this.#servers.push({ server, http: server });
      http = collect(await listen(server, "http", "http", this.#o.http), diagnostics);
    }
    if (this.#o.https !== undefined) {
      const inner = createHttpServer(httpOptions, onRequest);
      inner.on("upgrade", onUpgrade);
      inner.on("clientError", answerClientError);
      const h2 = createH2Server(onRequest, this.#o.maxHeaderBytes, (reason) =>
        this.#metrics.countRequest("deny", reason),
      );
      this.#cleanups.push(() => closeH2Sessions(h2));
      const hooks = tlsAcceptHooks(
        streams,
        { http1: inner, http2: h2 },
        this.#o.streams.helloTimeoutMs,
      );
      // No Nagle on TLS connections either (http.Server sets it for plain ones): a small
      // response would otherwise wait for the client's delayed ACK (tens of ms at p99).
      const outer = createNetServer({ noDelay: true }, (socket) => this.#acceptTls(socket, hooks));
      this.#servers.push({ server: outer, http: inner });
      https = collect(await listen(outer, "https", "https", this.#o.https), diagnostics);
    }
    if (this.#o.admin !== undefined) {
      const server = createAdminServer(this.#metrics, {
        health: () => ({
          ok: this.state.generation > 0 && this.#closing === null,
          generation: this.state.generation,
          tunnels: this.state.tunnels,
        }),
        ready: () => this.#ready && this.state.generation > 0,
      });
      this.#servers.push({ server, http: server });
      admin = collect(await listen(server, "admin", "http", this.#o.admin), diagnostics);
    }
    if (this.#o.forwardAuth !== undefined) {
      // Node's own response class: the request observer (and its record) is not on this path.
      const server = createHttpServer(
        { ...httpOptions, ServerResponse },
        createForwardAuthHandler(deps),
      );
      server.on("clientError", answerForwardAuthClientError);
      server.on("connection", (socket: Socket) => this.#track(socket));
      this.#servers.push({ server, http: server });
      forwardAuth = collect(
        await listen(server, "forward-auth", "http", this.#o.forwardAuth),
        diagnostics,
      );
    }
    for (const option of this.#o.tcp) {
      const server = createTcpListener(option.tunnel, streams, (socket) => this.#track(socket));
      this.#servers.push({ server, http: null });
      const address = collect(
        await listen(server, `tcp ${option.tunnel}`, "tcp", option),
        diagnostics,
      );
      if (address !== null) tcp.push({ tunnel: option.tunnel, address });
    }
    if (hasErrors(diagnostics)) return { value: undefined, diagnostics };
    this.#ready = true;
    return { value: { http, https, admin, forwardAuth, tcp }, diagnostics };
  }

  #track(socket: Socket): boolean {
    return this.#connections.admit(socket);
  }

  #acceptTls(socket: Socket, hooks: TlsAcceptHooks): void {
    if (!this.#track(socket)) return;
    acceptTlsConnection(socket, hooks);
  }

  startTriggers(): void {
    if (this.#o.watchFiles.length > 0) {
      this.#cleanups.push(
        watchFiles(this.#o.watchFiles, this.#o.watchDebounceMs, () => void this.load()),
      );
    }
    const geo = this.geo;
    if (geo !== null && this.#o.watchGeoIp && this.#o.geoipDatabase !== undefined) {
      this.#cleanups.push(watchFiles([geo.path], this.#o.watchDebounceMs, () => void geo.reopen()));
    }
    if (this.#o.handleSignals) {
      this.#cleanups.push(
        handleSignals(
          () => {
            void this.load();
            geo?.reopen();
          },
          (signal) => {
            this.#log.info({ signal }, "shutting down");
            void this.close();
          },
        ),
      );
    }
  }

  onClose(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeOnce();
    return this.#closing;
  }

  async #closeOnce(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    // Readiness fails first; the listeners keep serving while load balancers notice.
    this.#ready = false;
    if (this.#o.drainDelayMs > 0) {
      this.#log.info({ drainDelayMs: this.#o.drainDelayMs }, "draining: /readyz fails");
      await new Promise((resolvePromise) => setTimeout(resolvePromise, this.#o.drainDelayMs));
    }
    const closed = this.#servers.map(
      ({ server }) => new Promise<void>((resolvePromise) => server.close(() => resolvePromise())),
    );
    // Keep-alive connections become idle as their responses finish; close them as they do.
    const closeIdle = (): void => {
      for (const { http } of this.#servers) http?.closeIdleConnections();
    };
    closeIdle();
    const sweeper = setInterval(closeIdle, 50);
    const grace = new Promise<void>((resolvePromise) =>
      setTimeout(resolvePromise, this.#o.shutdownGraceMs).unref(),
    );
    await Promise.race([Promise.all(closed), grace]);
    clearInterval(sweeper);
    // Past the grace period: whatever is still open (slow requests, WebSockets) is ended.
    for (const { http } of this.#servers) http?.closeAllConnections();
    for (const socket of this.#connections.open) socket.destroy();
    await Promise.all(closed);
    // The last requests' access lines.
    for (const access of this.#accessLogs) access.flush();
    // Every client connection is gone: an upstream exchange still open has nobody to answer.
    await this.#pools.closeAll(true);
  }

  handle(addresses: RuntimeHandle["addresses"]): RuntimeHandle {
    const generation = (): number => this.state.generation;
    return {
      addresses,
      get generation() {
        return generation();
      },
      metrics: this.#metrics,
      reload: () => this.load(),
      close: () => this.close(),
      reopenGeoIp: () => this.geo?.reopen() ?? { value: undefined, diagnostics: [] },
    };
  }
}

function collect(
  result: BoundAddress | Diagnostic,
  diagnostics: Diagnostic[],
): BoundAddress | null {
  if ("code" in result) {
    diagnostics.push(result);
    return null;
  }
  return result;
}
