/**
 * The processes of the HTTP/2 proxy benchmark (issue #14): `rampart` (the runtime on its TLS
 * listener with the full bench policy, reporting CPU between `start` and `stop`) and `load`
 * (an undici client over TLS, HTTP/1.1 keep-alive or HTTP/2 by ALPN, closed loop or at a fixed
 * rate). The upstream is proxy-roles.ts's `upstream`.
 */
import { join } from "node:path";
import { Pool } from "undici";
import { pino } from "pino";
import { startRuntime } from "../../src/runtime/server.ts";
import { generateSelfSignedCertificate } from "../../src/runtime/tls/self-signed.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { compiledPolicy, effectivePolicy } from "../runtime/helpers/policy.ts";
import { benchGrant, benchTunnel } from "./proxy-policy.ts";

const [role, ...args] = process.argv.slice(2);
const send = (message: unknown): void => {
  process.send?.(message);
};
const SECRET = "bench-secret-0123456789abcdef-0123456789abcdef";

async function rampart(upstreamPort: number): Promise<void> {
  const cert = generateSelfSignedCertificate(["api.bench.test"]).value;
  if (cert === undefined) throw new Error("no certificate");
  const policy = compiledPolicy(
    effectivePolicy([benchTunnel(`http://127.0.0.1:${upstreamPort}`, true)], {
      bench: benchGrant,
    }),
  );
  const started = await startRuntime({
    load: () => Promise.resolve({ value: [policy], diagnostics: [] }),
    https: { host: "127.0.0.1", port: 0 },
    certificates: [{ hosts: ["api.bench.test"], ...cert }],
    cookieKey: SECRET,
    tokens: { secret: SECRET },
    trustedProxies: ["127.0.0.1"],
    geoipDatabase: join(import.meta.dirname, "../../fixtures/geoip/GeoIP2-Country-Test.mmdb"),
    upstream: { connections: 256 },
    logger: pino({ level: "warn" }),
  });
  if (started.value === undefined) throw new Error(JSON.stringify(started.diagnostics));
  const token = (await mintToken({ secret: SECRET, grant: benchGrant, lifetimeSeconds: 3600 }))
    .value;
  send({ port: started.value.addresses.https?.port, token });
  let cpu = process.cpuUsage();
  process.on("message", (m: { cmd: string }) => {
    if (m.cmd === "start") cpu = process.cpuUsage();
    if (m.cmd === "stop") {
      const used = process.cpuUsage(cpu);
      send({ cpuMicros: used.user + used.system });
    }
    if (m.cmd === "exit") process.exit(0);
  });
}

/** HTTP/1.1: `connections` keep-alive TLS connections; HTTP/2: one connection, many streams. */
async function load(
  port: number,
  h2: boolean,
  connections: number,
  seconds: number,
  rate: number,
  token: string,
): Promise<void> {
  const pool = new Pool(`https://127.0.0.1:${port}`, {
    connections: h2 ? 1 : connections,
    allowH2: h2,
    pipelining: h2 ? connections : 1,
    connect: { servername: "api.bench.test", rejectUnauthorized: false },
  });
  const headers = {
    host: "api.bench.test",
    "x-forwarded-for": "81.2.69.160",
    authorization: `Bearer ${token}`,
  };
  const state = { measuring: false, running: true, requests: 0, errors: 0, non200: 0 };
  const once = async (): Promise<void> => {
    try {
      const res = await pool.request({ path: "/api/bench", method: "GET", headers });
      await res.body.dump();
      if (res.statusCode !== 200) state.non200++;
    } catch {
      state.errors++;
    }
    if (state.measuring) state.requests++;
  };
  const inflight = new Set<Promise<void>>();
  const driver =
    rate > 0
      ? (async () => {
          const started = performance.now();
          let sent = 0;
          while (state.running) {
            const due = Math.floor(((performance.now() - started) / 1000) * rate);
            for (; sent < due; sent++) {
              const p = once().finally(() => inflight.delete(p));
              inflight.add(p);
            }
            await new Promise((r) => setTimeout(r, 1));
          }
        })()
      : Promise.all(
          Array.from({ length: connections }, async () => {
            while (state.running) await once();
          }),
        );
  await new Promise((r) => setTimeout(r, 1000));
  send({ phase: "measuring" });
  state.measuring = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  state.measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  state.running = false;
  await driver;
  await Promise.all(inflight);
  await pool.close();
  send({
    requests: state.requests,
    rps: state.requests / elapsed,
    errors: state.errors,
    non200: state.non200,
  });
}

const n = (i: number): number => Number(args[i]);
if (role === "rampart") await rampart(n(0));
else if (role === "load") await load(n(0), args[1] === "h2", n(2), n(3), n(4), args[5] ?? "");
else throw new Error(`unknown role ${String(role)}`);
