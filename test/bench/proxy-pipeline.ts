/**
 * The runtime's own per-request work, without sockets: routing, facts (client address
 * through a trusted proxy, GeoIP, token cache), the compiled decision, metrics and the
 * upstream header rewrite, up to the hand-off to the upstream pool (replaced here by a
 * counter). It isolates what `rampart serve` adds to a minimal proxy from the kernel and
 * scheduler noise that dominates the end-to-end figures on a busy machine.
 */
import { join } from "node:path";
import { pino } from "pino";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequestHandler } from "../../src/runtime/http/pipeline.ts";
import { RuntimeMetrics } from "../../src/runtime/ops/metrics.ts";
import { openCountryDatabase } from "../../src/runtime/geoip.ts";
import { TrustedProxies, parseTrustedProxies } from "../../src/runtime/http/client-ip.ts";
import { buildServingState } from "../../src/runtime/state.ts";
import { UpstreamPools } from "../../src/runtime/forward/upstreams.ts";
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

/** Revocations held in the local view when the pipeline runs with a Redis store. */
const HELD_REVOCATIONS = 10_000;

/**
 * CPU microseconds per request of the pipeline alone (median of `rounds`). With `stateUrl`,
 * as `serve --state redis://…` runs it: a connected Redis store whose local view holds
 * 10,000 token revocations and 100 credential cut-offs (none of them the bench token's), so
 * the revocation check does its Map reads on every request.
 */
export async function pipelineCpuMicros(
  full: boolean,
  calls: number,
  rounds: number,
  stateUrl?: string,
): Promise<number> {
  const policy = compiledPolicy(
    effectivePolicy([benchTunnel("http://127.0.0.1:9", full)], { bench: benchGrant }),
  );
  const pools = new UpstreamPools({
    connectTimeoutMs: 1000,
    headersTimeoutMs: 1000,
    bodyTimeoutMs: 1000,
    maxBodyBytes: 1e6,
    connections: 1,
    keepAliveTimeoutMs: 1000,
  });
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
  let forwarded = 0;
  // The hand-off to undici is what a minimal proxy does too; count it instead.
  Object.defineProperty(route.upstream.pool, "stream", { value: () => void forwarded++ });
  const options: TokenOptions = {
    secret: SECRET,
    publicKeys: [],
    clockSkewSeconds: 300,
    cacheSize: 100,
  };
  const jwt = new JwtBackend(loadPinnedKeys(options, []), options);
  let store: RedisStore | null = null;
  let tokens: TokenBackend = jwt;
  if (stateUrl !== undefined) {
    store = new RedisStore({
      url: stateUrl,
      prefix: "bench:",
      log: pino({ level: "silent" }),
      metrics: new StateStoreMetrics(new Registry()),
    });
    await store.start(5_000);
    if (!store.available()) throw new Error("bench redis not available");
    const until = Date.now() / 1000 + 3600;
    for (let i = 0; i < HELD_REVOCATIONS; i++)
      store.view.apply({ kind: "token", id: `revoked-${i}`, until });
    for (let i = 0; i < 100; i++)
      store.view.apply({ kind: "credential", id: `cred-${i}`, before: 1 });
    tokens = new RevocationCheckedBackend(jwt, store.view);
  }
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
  const handler = createRequestHandler({
    flows: null,
    state: () => state,
    geo,
    cookieKey: SECRET,
    tokens,
    trustedProxies: new TrustedProxies(proxies),
    maxBodyBytes: 1e6,
    upgradeTimeoutMs: 1000,
    log: pino({ level: "silent" }),
    metrics: new RuntimeMetrics(false),
    ...(store === null ? {} : { store, revocations: store.view }),
  });
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
    socket: { remoteAddress: "127.0.0.1" },
  } as unknown as IncomingMessage;
  const res = { writeHead: () => res, end: () => undefined } as unknown as ServerResponse;
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i++) handler(req, res);
    const used = process.cpuUsage(before);
    results.push((used.user + used.system) / calls);
  }
  await store?.close();
  if (forwarded !== calls * rounds)
    throw new Error(`expected every call forwarded, got ${forwarded}`);
  return results.sort((a, b) => a - b)[results.length >> 1] ?? 0;
}
