/**
 * Shadow rollout (issue #21 item 4): what `serve --shadow` costs per request. Target: proxy
 * CPU per request with shadow on within 1 µs + one decision of the figure with shadow off.
 * Three measurements, each side by side in interleaved rounds:
 *  - one decision of the bench policy, and the shadow hook alone (agreeing, disagreeing);
 *  - the request pipeline in process (no sockets), shadow off / on;
 *  - `rampart serve` processes on loopback at a fixed rate (the proxy bench's upstream and
 *    load generator, test/bench/proxy-roles.ts), proxy CPU per request, shadow off / on.
 * Reported, never asserted.
 */
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { pino } from "pino";
import { Registry } from "prom-client";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import type { Decision } from "../../src/ir/decision.ts";
import type { RequestFacts } from "../../src/ir/facts.ts";
import { createRequestHandler } from "../../src/runtime/http/pipeline.ts";
import { TrustedProxies, parseTrustedProxies } from "../../src/runtime/http/client-ip.ts";
import { openCountryDatabase } from "../../src/runtime/geoip.ts";
import type { CountryLookup } from "../../src/runtime/geoip.ts";
import { UpstreamPools } from "../../src/runtime/forward/upstreams.ts";
import { RuntimeMetrics } from "../../src/runtime/ops/metrics.ts";
import { ShadowRollout } from "../../src/runtime/shadow/shadow-rollout.ts";
import type { ShadowHook } from "../../src/runtime/shadow/shadow-rollout.ts";
import { buildServingState } from "../../src/runtime/state.ts";
import type { StateInputs, TunnelRoute } from "../../src/runtime/state.ts";
import { JwtBackend } from "../../src/runtime/tokens/jwt-backend.ts";
import { loadPinnedKeys } from "../../src/runtime/tokens/keys.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { compiledPolicy, effectivePolicy } from "../runtime/helpers/policy.ts";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { median, ns } from "./harness.ts";
import { countHandOffs } from "./proxy-pipeline.ts";
import { BENCH_UPSTREAM } from "./bench-upstream.ts";
import { benchGrant, benchTunnel } from "./proxy-policy.ts";
import { waitFor } from "./child-message.ts";

const SECRET = "shadow-bench-secret-0123456789abcdef-0123456789";
const GEOIP = join(import.meta.dirname, "../../fixtures/geoip/GeoIP2-Country-Test.mmdb");
const PROXY_ROLES = join(import.meta.dirname, "proxy-roles.ts");
const SHADOW_ROLES = join(import.meta.dirname, "shadow-roles.ts");

/**
 * The bench policy; `narrowed` moves its trusted range so the candidate denies every request,
 * `addsHost` serves one more host (`new.bench.test`, which the running policy answers 404).
 */
export function shadowBenchPolicy(
  upstream: string,
  narrowed = false,
  addsHost = false,
): CompiledPolicy {
  const t = benchTunnel(upstream, true);
  const narrow = narrowed
    ? { ...t, ipRules: t.ipRules.map((r) => ({ ...r, set: { ranges: [] } })) }
    : t;
  const tunnel = addsHost ? { ...narrow, hosts: [...narrow.hosts, UNROUTED_HOST] } : narrow;
  return compiledPolicy(effectivePolicy([tunnel], { bench: benchGrant }));
}

/** A candidate shadow rollout over `candidate`, loaded and ready. */
export async function benchShadow(
  candidate: CompiledPolicy,
  geo: CountryLookup,
  inputs: StateInputs,
): Promise<ShadowRollout> {
  const shadow = new ShadowRollout(
    {
      load: () => Promise.resolve({ value: [candidate], diagnostics: [] }),
      source: "bench candidate",
      samplesPerMinute: 5,
      maxRulePairs: 100,
    },
    {
      log: pino({ level: "silent" }),
      registry: new Registry(),
      geo,
      upstream: BENCH_UPSTREAM,
    },
  );
  const failed = await shadow.reload(inputs);
  if (failed.length > 0) throw new Error(JSON.stringify(failed));
  return shadow;
}

type Variant = "off" | "agree" | "disagree";
/** A request to a host the running policy does not serve: shadow off, on, on with the host. */
type UnroutedVariant = "unrouted off" | "unrouted on" | "unrouted on, candidate serves it";

const UNROUTED_HOST = "new.bench.test";

/** The in-process pipeline of proxy-pipeline.ts, with a shadow hook of each variant. */
async function pipelines(): Promise<{
  handlers: Record<Variant, () => void>;
  unrouted: Record<UnroutedVariant, () => void>;
  forwarded: () => number;
  captured: { route: TunnelRoute; facts: RequestFacts; decision: Decision };
  hooks: Record<"agree" | "disagree" | "addsHost", ShadowRollout>;
}> {
  const policy = shadowBenchPolicy("http://127.0.0.1:9");
  const inputs: StateInputs = {
    https: false,
    upstreamOverride: null,
    certificates: [],
    capabilities: { openssl: "", postQuantum: true, ech: false },
    pools: new UpstreamPools(BENCH_UPSTREAM),
  };
  const state = buildServingState([policy], inputs, 1, []);
  const route = state.routes.get("api.bench.test");
  if (route?.upstream == null) throw new Error("bench route missing");
  // The hand-off to undici is counted instead, as in proxy-pipeline.ts.
  const forwarded = countHandOffs(route.upstream.pool);
  const tokenOptions = { secret: SECRET, publicKeys: [], clockSkewSeconds: 300, cacheSize: 100 };
  const tokens = new JwtBackend(loadPinnedKeys(tokenOptions, []), tokenOptions);
  const token =
    (await mintToken({ secret: SECRET, grant: benchGrant, lifetimeSeconds: 3600, project: "acme" }))
      .value ?? "";
  await tokens.verify(token, "header");
  const geo = openCountryDatabase(GEOIP, () => undefined).value;
  const proxies = parseTrustedProxies(["127.0.0.1"], []);
  if (geo === undefined || proxies === null) throw new Error("bench setup failed");
  const hooks = {
    agree: await benchShadow(shadowBenchPolicy("http://127.0.0.1:9"), geo, inputs),
    disagree: await benchShadow(shadowBenchPolicy("http://127.0.0.1:9", true), geo, inputs),
    addsHost: await benchShadow(shadowBenchPolicy("http://127.0.0.1:9", false, true), geo, inputs),
  };
  let captured: { route: TunnelRoute; facts: RequestFacts; decision: Decision } | null = null;
  const capture: ShadowHook = {
    compare: (r, facts, decision) => (captured = { route: r, facts, decision }),
    compareHandshake: () => undefined,
    compareUnrouted: () => undefined,
    compareConnection: () => undefined,
    compareUnknownName: () => undefined,
  };
  const handlerFor = (shadow: ShadowHook | null) =>
    createRequestHandler({
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
      ...(shadow === null ? {} : { shadow }),
    });
  const headers: Record<string, string> = {
    host: "api.bench.test",
    "x-forwarded-for": "81.2.69.160",
    accept: "*/*",
    "user-agent": "bench",
    authorization: `Bearer ${token}`,
  };
  // SAFETY: the fields of IncomingMessage and ServerResponse the pipeline reads, and no more
  const req = {
    url: "/api/bench?x=1",
    method: "GET",
    headers,
    rawHeaders: Object.entries(headers).flat(),
    socket: { remoteAddress: "127.0.0.1", bytesRead: 0, bytesWritten: 0 },
  } as unknown as IncomingMessage;
  // SAFETY: as above
  const res = {
    req,
    statusCode: 200,
    writableFinished: true,
    writeHead: () => res,
    end: () => undefined,
    on: () => res,
  } as unknown as ServerResponse;
  const call =
    (handler: ReturnType<typeof createRequestHandler>, request = req) =>
    () =>
      handler(request, res);
  const unroutedHeaders = { ...headers, host: UNROUTED_HOST };
  // SAFETY: as above
  const unroutedReq = {
    ...req,
    headers: unroutedHeaders,
    rawHeaders: Object.entries(unroutedHeaders).flat(),
  } as unknown as IncomingMessage;
  call(handlerFor(capture))();
  if (captured === null) throw new Error("the pipeline did not decide");
  return {
    handlers: {
      off: call(handlerFor(null)),
      agree: call(handlerFor(hooks.agree)),
      disagree: call(handlerFor(hooks.disagree)),
    },
    unrouted: {
      "unrouted off": call(handlerFor(null), unroutedReq),
      "unrouted on": call(handlerFor(hooks.agree), unroutedReq),
      "unrouted on, candidate serves it": call(handlerFor(hooks.addsHost), unroutedReq),
    },
    forwarded,
    captured,
    hooks,
  };
}

/**
 * CPU nanoseconds per call of each contender (process CPU time, which a busy machine inflates
 * far less than wall time), medians of interleaved rounds whose order rotates.
 */
async function cpuPerCall(
  contenders: readonly (readonly [string, () => unknown])[],
  calls: number,
  rounds: number,
): Promise<Map<string, { median: number; low: number; high: number }>> {
  const samples = contenders.map(() => [] as number[]);
  for (const [, run] of contenders) for (let i = 0; i < calls / 10; i++) run();
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const at = (k + round) % contenders.length;
      // SAFETY: `at` is taken modulo the list's length
      const run = (contenders[at] as readonly [string, () => unknown])[1];
      const before = process.cpuUsage();
      for (let i = 0; i < calls; i++) {
        run();
        // Let the event loop turn now and then, as a server's does between requests.
        if (i % 1000 === 999) await new Promise(setImmediate);
      }
      const used = process.cpuUsage(before);
      samples[at]?.push(((used.user + used.system) * 1000) / calls);
    }
  }
  return new Map(
    contenders.map(([name], k) => {
      const s = samples[k] ?? [0];
      return [name, { median: median(s), low: Math.min(...s), high: Math.max(...s) }];
    }),
  );
}

function fork1(script: string, role: string, args: (string | number)[]): ChildProcess {
  return fork(script, [role, ...args.map(String)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/** Proxy CPU µs per request of a `serve` process at a fixed rate (one measured window). */
async function socketCpu(
  role: string,
  upstreamPort: number,
  seconds: number,
  rate: number,
): Promise<{ cpu: number; failures: number }> {
  const proxy = fork1(SHADOW_ROLES, role, [upstreamPort]);
  try {
    const ready = await waitFor<{ port: number; token: string }>(proxy, (m) => "port" in m);
    const headers = {
      host: "api.bench.test",
      "x-forwarded-for": "81.2.69.160",
      authorization: `Bearer ${ready.token}`,
    };
    const loader = fork1(PROXY_ROLES, "load", [
      ready.port,
      32,
      seconds,
      rate,
      JSON.stringify(headers),
    ]);
    try {
      await waitFor(loader, (m) => m["phase"] === "measuring");
      proxy.send({ cmd: "start" });
      const result = await waitFor<{ requests: number; errors: number; non200: number }>(
        loader,
        (m) => "rps" in m,
      );
      proxy.send({ cmd: "stop" });
      const { cpuMicros } = await waitFor<{ cpuMicros: number }>(proxy, (m) => "cpuMicros" in m);
      return {
        cpu: cpuMicros / Math.max(1, result.requests),
        failures: result.errors + result.non200,
      };
    } finally {
      loader.kill();
    }
  } finally {
    proxy.send({ cmd: "exit" });
  }
}

/** A host the running policy does not serve (404): what shadow adds on that path. */
async function unroutedRows(
  handlers: Record<UnroutedVariant, () => void>,
  calls: number,
  rounds: number,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const unroutedVariants = Object.keys(handlers) as UnroutedVariant[];
  const unrouted = await cpuPerCall(
    unroutedVariants.map((v) => [v, handlers[v]] as const),
    calls,
    rounds,
  );
  const unroutedOff = (unrouted.get("unrouted off")?.median ?? 0) / 1000;
  for (const v of unroutedVariants) {
    const micros = (unrouted.get(v)?.median ?? 0) / 1000;
    rows.push({
      label: `pipeline in process, host not served (404), ${v.replace("unrouted ", "shadow ")}`,
      figures: {
        "CPU µs/req": micros.toFixed(2),
        "Δ vs off": v === "unrouted off" ? "" : `${(micros - unroutedOff).toFixed(2)} µs`,
      },
    });
  }
  return rows;
}

/** The shadow bench module for test/bench/run.ts. */
export const shadowBench: BenchModule = {
  name: "shadow",
  description:
    "serve --shadow: one decision, the shadow hook, and proxy CPU per request with shadow off / on (side by side, interleaved)",
  async run({ quick }) {
    const rows: BenchRow[] = [];
    const setup = await pipelines();
    const { route, facts, decision } = setup.captured;
    const policy = route.policy;
    const calls = quick ? 20_000 : 200_000;
    const rounds = quick ? 3 : 9;
    const hooks = await cpuPerCall(
      [
        ["one decision of the bench policy (policy.request)", () => policy.request(facts)],
        ["shadow hook, candidate agrees", () => setup.hooks.agree.compare(route, facts, decision)],
        [
          "shadow hook, candidate disagrees (5 witness lines per minute, the rest counted)",
          () => setup.hooks.disagree.compare(route, facts, decision),
        ],
      ],
      calls,
      rounds,
    );
    for (const [label, t] of hooks)
      rows.push({
        label,
        figures: { "CPU per call": `${ns(t.median)} (${ns(t.low)}–${ns(t.high)})` },
      });
    const variants: Variant[] = ["off", "agree", "disagree"];
    const cpu = await cpuPerCall(
      variants.map((v) => [v, setup.handlers[v]] as const),
      calls,
      rounds,
    );
    const expected = (calls * rounds + calls / 10) * variants.length;
    if (setup.forwarded() !== expected + 1)
      throw new Error(`expected every call forwarded, got ${setup.forwarded()} of ${expected + 1}`);
    const off = (cpu.get("off")?.median ?? 0) / 1000;
    const pipelineRow = (label: string, v: Variant): BenchRow => {
      const micros = (cpu.get(v)?.median ?? 0) / 1000;
      return {
        label,
        figures: {
          "CPU µs/req": micros.toFixed(2),
          "Δ vs off": v === "off" ? "" : `${(micros - off).toFixed(2)} µs`,
        },
      };
    };
    rows.push(
      pipelineRow("pipeline in process, shadow off", "off"),
      pipelineRow("pipeline in process, shadow on, candidate agrees", "agree"),
      pipelineRow(
        "pipeline in process, shadow on, candidate disagrees on every request",
        "disagree",
      ),
    );
    rows.push(...(await unroutedRows(setup.unrouted, calls, rounds)));
    // Socket level: serve processes, interleaved rounds at a fixed rate.
    const upstream = fork1(PROXY_ROLES, "upstream", []);
    const { port } = await waitFor<{ port: number }>(upstream, (m) => "port" in m);
    const socket: Record<string, number[]> = { off: [], on: [] };
    let failures = 0;
    try {
      const rounds = quick ? 1 : 5;
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? ["off", "on"] : ["on", "off"];
        for (const v of order) {
          const measured = await socketCpu(`rampart-shadow-${v}`, port, quick ? 1 : 3, 1000);
          socket[v]?.push(measured.cpu);
          failures += measured.failures;
        }
      }
    } finally {
      upstream.send({ cmd: "exit" });
    }
    const socketOff = median(socket["off"] ?? [0]);
    const on = median(socket["on"] ?? [0]);
    rows.push(
      {
        label: "rampart serve, full policy, shadow off, @1000/s",
        figures: { "CPU µs/req": socketOff.toFixed(1), "Δ vs off": "" },
      },
      {
        label: "rampart serve, full policy, --shadow (candidate agrees), @1000/s",
        figures: {
          "CPU µs/req": on.toFixed(1),
          "Δ vs off": `${(on - socketOff).toFixed(1)} µs`,
          "errors + non-200": String(failures),
        },
      },
    );
    await setup.hooks.agree.close();
    await setup.hooks.disagree.close();
    await setup.hooks.addsHost.close();
    return rows;
  },
};

if (import.meta.main) {
  for (const row of await shadowBench.run({ quick: process.argv.includes("--quick") }))
    console.log(row.label, row.figures);
}
