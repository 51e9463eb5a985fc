/**
 * The runtime's own per-request work, without sockets: routing, facts (client address
 * through a trusted proxy, GeoIP, token cache), the compiled decision, metrics and the
 * upstream header rewrite, up to the hand-off to the upstream pool (replaced here by a
 * counter). It isolates what `rampart serve` adds to a minimal proxy from the kernel and
 * scheduler noise that dominates the end-to-end figures on a busy machine.
 */
import { join } from "node:path";
import { pino } from "pino";
import type { Logger } from "pino";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequestHandler } from "../../src/runtime/http/pipeline.ts";
import { observeRequests } from "../../src/runtime/ops/request-observer.ts";
import { TunnelGates } from "../../src/runtime/ops/tunnel-gate.ts";
import { RuntimeMetrics } from "../../src/runtime/ops/metrics.ts";
import { openCountryDatabase } from "../../src/runtime/geoip.ts";
import { TrustedProxies, parseTrustedProxies } from "../../src/runtime/http/client-ip.ts";
import { buildServingState } from "../../src/runtime/state.ts";
import { UpstreamPools } from "../../src/runtime/forward/upstreams.ts";
import { BENCH_UPSTREAM } from "./bench-upstream.ts";
import { JwtBackend } from "../../src/runtime/tokens/jwt-backend.ts";
import { loadPinnedKeys } from "../../src/runtime/tokens/keys.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import type { TokenOptions } from "../../src/runtime/options.ts";
import { benchGrant, benchTunnel } from "./proxy-policy.ts";
import { RedisStore } from "../../src/runtime/state-store/redis-store.ts";
import { StateStoreMetrics } from "../../src/runtime/state-store/metrics.ts";
import { RevocationCheckedBackend } from "../../src/runtime/tokens/revocation.ts";
import type { TokenBackend } from "../../src/runtime/tokens/backend.ts";
import { Registry } from "prom-client";
import { compiledPolicy, effectivePolicy } from "../runtime/helpers/policy.ts";

const SECRET = "pipeline-bench-secret-0123456789abcdef-0123456789";

/**
 * What wraps the pipeline: nothing (the pipeline alone, as before issue #18), the request
 * observer with the access log off (durations, per-tunnel counters, the tunnel gate), or with
 * the access log on at its defaults, writing to /dev/null.
 */
export type Observe = "none" | "observer" | "access-log";

/** Revocations held in the local view when the pipeline runs with a Redis store. */
const HELD_REVOCATIONS = 10_000;

/** The pipeline as `serve` wraps it: bare, or inside the request observer. */
function observed(
  pipeline: ReturnType<typeof createRequestHandler>,
  observe: Observe,
  metrics: RuntimeMetrics,
  log: Logger,
): ReturnType<typeof createRequestHandler> {
  if (observe === "none") return pipeline;
  return observeRequests(pipeline, {
    metrics: metrics.traffic,
    log,
    accessLog: { enabled: observe === "access-log", sampleRate: 1 },
    bodyIdleTimeoutMs: 10_000,
  });
}

/** A connected Redis store whose local view holds the bench's revocations. */
async function heldRevocationsStore(url: string): Promise<RedisStore> {
  const store = new RedisStore({
    url,
    prefix: "bench:",
    log: pino({ level: "silent" }),
    metrics: new StateStoreMetrics(new Registry()),
  });
  await store.start(5_000);
  if (!store.available()) throw new Error("bench redis not available");
  const until = Date.now() / 1000 + 3600;
  for (let i = 0; i < HELD_REVOCATIONS; i++) {
    store.view.apply({ kind: "token", id: `revoked-${i}`, until });
  }
  for (let i = 0; i < 100; i++)
    store.view.apply({ kind: "credential", id: `cred-${i}`, before: 1 });
  return store;
}

/**
 * Replaces the pool's `dispatch` (the hand-off to undici) with a counter. Each exchange
 * completes at once, so a tunnel slot taken for it is released as a finished one would be.
 */
export function countHandOffs(pool: object): () => number {
  let count = 0;
  Object.defineProperty(pool, "dispatch", {
    value: (_options: unknown, handler: { onComplete(trailers: Buffer[]): void }) => {
      count++;
      handler.onComplete([]);
      return true;
    },
  });
  return () => count;
}

/** The pipeline set up as the bench runs it, ready to be called. */
export interface PreparedPipeline {
  /** Runs `calls` requests through the pipeline (each answered and closed at once). */
  run(calls: number): Promise<void>;
  /** Hand-offs to the upstream pool so far (every call must forward). */
  forwarded(): number;
  close(): Promise<void>;
}

/**
 * The pipeline of the bench tunnel (`full`: 1,000 trusted CIDRs, GeoIP, a bearer token with a
 * path-scoped grant; else the open tunnel), wrapped as `observe` says. With `stateUrl`, as
 * `serve --state redis://…` runs it: a connected Redis store whose local view holds 10,000
 * token revocations and 100 credential cut-offs (none of them the bench token's), so the
 * revocation check does its Map reads on every request. `defaultMetrics` adds prom-client's
 * default process metrics, as `serve` has them (the GC histogram observes every collection).
 */
export async function preparePipeline(
  full: boolean,
  observe: Observe = "none",
  stateUrl?: string,
  defaultMetrics = false,
): Promise<PreparedPipeline> {
  const policy = compiledPolicy(
    effectivePolicy([benchTunnel("http://127.0.0.1:9", full)], { bench: benchGrant }),
  );
  const pools = new UpstreamPools(BENCH_UPSTREAM);
  const state = buildServingState(
    [policy],
    {
      https: false,
      upstreamOverride: null,
      certificates: [],
      capabilities: { openssl: "", postQuantum: true, ech: false },
      pools,
    },
    1,
    [],
  );
  const route = state.routes.get("api.bench.test");
  if (route?.upstream == null) throw new Error("bench route missing");
  // The hand-off to undici is what a minimal proxy does too; count it instead.
  const forwarded = countHandOffs(route.upstream.pool);
  const options: TokenOptions = {
    secret: SECRET,
    publicKeys: [],
    clockSkewSeconds: 300,
    cacheSize: 100,
  };
  const jwt = new JwtBackend(loadPinnedKeys(options, []), options);
  const store = stateUrl === undefined ? null : await heldRevocationsStore(stateUrl);
  const tokens: TokenBackend = store === null ? jwt : new RevocationCheckedBackend(jwt, store.view);
  const token =
    (
      await mintToken({
        secret: SECRET,
        grant: benchGrant,
        lifetimeSeconds: 3600,
        project: policy.policy.projectId,
      })
    ).value ?? "";
  await tokens.verify(token, "header");
  const geo = openCountryDatabase(
    join(import.meta.dirname, "../../fixtures/geoip/GeoIP2-Country-Test.mmdb"),
    () => undefined,
  ).value;
  const proxies = parseTrustedProxies(["127.0.0.1"], []);
  if (geo === undefined || proxies === null) throw new Error("bench setup failed");
  // prom-client's default process metrics (`serve` collects them) only with `defaultMetrics`.
  const metrics = new RuntimeMetrics(defaultMetrics);
  const log =
    observe === "access-log"
      ? pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: true }))
      : pino({ level: "silent" });
  const pipeline = createRequestHandler({
    flows: null,
    state: () => state,
    geo,
    cookieKey: SECRET,
    tokens,
    trustedProxies: new TrustedProxies(proxies),
    maxBodyBytes: 1e6,
    upgradeTimeoutMs: 1000,
    log,
    metrics,
    ...(observe === "none"
      ? {}
      : { gates: new TunnelGates({ concurrency: 100, queue: 100, queueTimeoutMs: 5000 }) }),
    ...(store === null ? {} : { store, revocations: store.view }),
  });
  const handler = observed(pipeline, observe, metrics, log);
  const headers: Record<string, string> = {
    host: "api.bench.test",
    "x-forwarded-for": "81.2.69.160",
    accept: "*/*",
    "user-agent": "bench",
    ...(full ? { authorization: `Bearer ${token}` } : {}),
  };
  const req = {
    url: "/api/bench?x=1",
    method: "GET",
    headers,
    rawHeaders: Object.entries(headers).flat(),
    // As serve's Node server (`optimizeEmptyRequests`) leaves a GET without a body field.
    readableEnded: true,
    socket: { remoteAddress: "127.0.0.1", bytesRead: 0, bytesWritten: 0 },
  } as unknown as IncomingMessage;
  // The `close` listeners (the observer's, the exchange's) are kept and called as Node would
  // once the response ends: in two slots, so that the harness itself costs next to nothing.
  let first: (() => void) | null = null;
  let second: (() => void) | null = null;
  const res = {
    req,
    statusCode: 200,
    writableFinished: true,
    record: null,
    writeHead: () => res,
    end: () => undefined,
    on: (event: string, listener: () => void) => {
      if (event !== "close") return res;
      if (first === null) first = listener;
      else if (second === null) second = listener;
      else throw new Error("the bench holds two close listeners");
      return res;
    },
  } as unknown as ServerResponse;
  return {
    async run(calls: number): Promise<void> {
      for (let i = 0; i < calls; i++) {
        handler(req, res);
        const a = first;
        const b = second;
        first = second = null;
        a?.call(res);
        b?.call(res);
        // Let the event loop turn now and then, as a server's does between requests: timers
        // (the access log's batch flush) and pending writes run as they would in production.
        if (i % 1000 === 999) await new Promise(setImmediate);
      }
    },
    forwarded,
    async close(): Promise<void> {
      await store?.close();
    },
  };
}

/**
 * CPU microseconds per request of the pipeline alone (median of `rounds`); see
 * `preparePipeline` for the set-up.
 */
export async function pipelineCpuMicros(
  full: boolean,
  calls: number,
  rounds: number,
  observe: Observe = "none",
  stateUrl?: string,
): Promise<number> {
  const pipeline = await preparePipeline(full, observe, stateUrl);
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    await pipeline.run(calls);
    const used = process.cpuUsage(before);
    results.push((used.user + used.system) / calls);
  }
  await pipeline.close();
  if (pipeline.forwarded() !== calls * rounds)
    throw new Error(`expected every call forwarded, got ${pipeline.forwarded()}`);
  return results.sort((a, b) => a - b)[results.length >> 1] ?? 0;
}
