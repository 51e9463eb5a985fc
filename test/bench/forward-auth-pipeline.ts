/**
 * The forward-auth endpoint's own per-sub-request work, without sockets (issue #20 item 3):
 * reading the original request, canonicalization, routing, facts, the token verdict (cached,
 * revocation-checked as `serve` wires it), the decision and the allow answer's headers, on the
 * forward-auth fixture's open and token tunnels. Two trees side by side in one process, so both
 * run under the same machine load at the same moment:
 *
 *   RAMPART_BENCH_BASELINE=<checkout root> node test/bench/forward-auth-pipeline.ts [rounds]
 *
 * The baseline needs its `src/`, `test/` and `fixtures/` (e.g. `git archive <commit> src test
 * fixtures package.json tsconfig.json`) and a `node_modules` (a symlink to this one).
 */
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pino } from "pino";
import type * as HandlerModule from "../../src/runtime/forward-auth/handler.ts";
import type * as StateModule from "../../src/runtime/state.ts";
import type * as GeoModule from "../../src/runtime/geoip.ts";
import type * as ClientIpModule from "../../src/runtime/http/client-ip.ts";
import type * as KeysModule from "../../src/runtime/tokens/keys.ts";
import type * as JwtModule from "../../src/runtime/tokens/jwt-backend.ts";
import type * as RevocationModule from "../../src/runtime/tokens/revocation.ts";
import type * as ViewModule from "../../src/runtime/state-store/revocation-view.ts";
import type * as MetricsModule from "../../src/runtime/ops/metrics.ts";
import type * as UpstreamsModule from "../../src/runtime/forward/upstreams.ts";
import type * as FixtureModule from "../runtime/forward-auth-fixture.ts";
import { BENCH_UPSTREAM } from "./bench-upstream.ts";

const CALLS = 100_000;

/** CPU µs per sub-request of `tree`'s forward-auth handler (median of `rounds`). */
async function forwardAuthCpuMicros(
  tree: string,
  tunnel: "open" | "token",
  rounds: number,
): Promise<() => Promise<number>> {
  const load = <T>(path: string): Promise<T> => import(join(tree, path)) as Promise<T>;
  const { createForwardAuthHandler } = await load<typeof HandlerModule>(
    "src/runtime/forward-auth/handler.ts",
  );
  const { buildServingState } = await load<typeof StateModule>("src/runtime/state.ts");
  const { openCountryDatabase } = await load<typeof GeoModule>("src/runtime/geoip.ts");
  const { TrustedProxies, parseTrustedProxies } = await load<typeof ClientIpModule>(
    "src/runtime/http/client-ip.ts",
  );
  const { loadPinnedKeys } = await load<typeof KeysModule>("src/runtime/tokens/keys.ts");
  const { JwtBackend } = await load<typeof JwtModule>("src/runtime/tokens/jwt-backend.ts");
  const { RevocationCheckedBackend } = await load<typeof RevocationModule>(
    "src/runtime/tokens/revocation.ts",
  );
  const { RevocationView } = await load<typeof ViewModule>(
    "src/runtime/state-store/revocation-view.ts",
  );
  const { RuntimeMetrics } = await load<typeof MetricsModule>("src/runtime/ops/metrics.ts");
  const { UpstreamPools } = await load<typeof UpstreamsModule>("src/runtime/forward/upstreams.ts");
  const fixture = await load<typeof FixtureModule>("test/runtime/forward-auth-fixture.ts");

  const pools = new UpstreamPools(BENCH_UPSTREAM);
  const state = buildServingState(
    [fixture.forwardAuthPolicy()],
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
  const options = {
    secret: fixture.TOKEN_SECRET,
    publicKeys: [],
    clockSkewSeconds: 300,
    cacheSize: 10_000,
  };
  const tokens = new RevocationCheckedBackend(
    new JwtBackend(loadPinnedKeys(options, []), options),
    new RevocationView(),
  );
  const geo = openCountryDatabase(
    join(tree, "fixtures/geoip/GeoIP2-Country-Test.mmdb"),
    () => undefined,
  ).value;
  const proxies = parseTrustedProxies(["127.0.0.1"], []);
  if (geo === undefined || proxies === null) throw new Error("bench setup failed");
  const handler = createForwardAuthHandler({
    state: () => state,
    tokens,
    trustedProxies: new TrustedProxies(proxies),
    geo,
    cookieKey: "bench-cookie-key-0123456789abcdef-0123456789",
    log: pino({ level: "silent" }),
    metrics: new RuntimeMetrics(false),
  });
  const host = tunnel === "open" ? fixture.HOSTS.open : fixture.HOSTS.token;
  const token = await fixture.mintApiToken("bench");
  // What nginx sends with the example config (the client's headers come along).
  const headers: Record<string, string> = {
    host: "rampart_forward_auth",
    "x-original-method": "GET",
    "x-original-uri": "/api/bench",
    "x-forwarded-host": host,
    "x-forwarded-proto": "http",
    "x-real-ip": "127.0.0.1",
    "x-forwarded-for": "127.0.0.1",
    "user-agent": "bench",
    accept: "*/*",
    ...(tunnel === "token" ? { authorization: `Bearer ${token}` } : {}),
  };
  const req = {
    url: "/nginx",
    method: "GET",
    headers,
    rawHeaders: Object.entries(headers).flat(),
    socket: { remoteAddress: "127.0.0.1" },
  } as unknown as IncomingMessage;
  let answered = 0;
  let allowed = 0;
  const res = {
    writeHead: (status: number) => {
      if (status === 200) allowed++;
      return res;
    },
    end: () => {
      answered++;
    },
  } as unknown as ServerResponse;
  return async () => {
    const results: number[] = [];
    for (let round = 0; round < rounds; round++) {
      answered = 0;
      allowed = 0;
      const before = process.cpuUsage();
      for (let i = 0; i < CALLS; i++) {
        handler(req, res);
        // A token verified asynchronously answers after a few microtasks: let them run.
        if (i % 1000 === 999) await new Promise(setImmediate);
      }
      await new Promise(setImmediate);
      const used = process.cpuUsage(before);
      if (answered !== CALLS || allowed !== CALLS)
        throw new Error(`${tree} ${tunnel}: ${allowed}/${answered}/${CALLS} allowed/answered`);
      results.push((used.user + used.system) / CALLS);
    }
    return results.sort((a, b) => a - b)[results.length >> 1] ?? 0;
  };
}

const baseline = process.env["RAMPART_BENCH_BASELINE"];
if (baseline === undefined) throw new Error("set RAMPART_BENCH_BASELINE to a checkout's root");
const here = join(import.meta.dirname, "../..");
const rounds = Number(process.argv[2] ?? 5);
const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
for (const tunnel of ["open", "token"] as const) {
  const runs = {
    baseline: await forwardAuthCpuMicros(baseline, tunnel, 3),
    "this tree": await forwardAuthCpuMicros(here, tunnel, 3),
  };
  const rows: Record<string, number[]> = { baseline: [], "this tree": [] };
  for (let i = 0; i < rounds; i++)
    for (const [name, run] of Object.entries(runs)) rows[name]?.push(await run());
  for (const [name, values] of Object.entries(rows)) {
    const list = values.map((v) => v.toFixed(2)).join(", ");
    process.stdout.write(
      `${tunnel}, ${name}: ${list} (median ${median(values).toFixed(2)} CPU µs/sub-request)\n`,
    );
  }
}
