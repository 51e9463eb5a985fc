/**
 * The `serve` processes of the shadow bench (test/bench/shadow.ts): the proxy bench's
 * `rampart` role (full policy: trusted IPs, GeoIP through a trusted proxy, token auth) with
 * shadow off, or on with the same policy as candidate (every request agrees, the common case
 * of a rollout). Same IPC as test/bench/proxy-roles.ts: `{port, token}` once listening, CPU
 * time between `start` and `stop`, `exit`.
 */
import { join } from "node:path";
import { pino } from "pino";
import { startRuntime } from "../../src/runtime/server.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { benchGrant } from "./proxy-policy.ts";
import { shadowBenchPolicy } from "./shadow.ts";

const SECRET = "bench-secret-0123456789abcdef-0123456789abcdef";
const [role, upstreamPort] = process.argv.slice(2);
const send = (message: unknown): void => void process.send?.(message);

if (role !== "rampart-shadow-off" && role !== "rampart-shadow-on")
  throw new Error(`unknown role ${String(role)}`);
const upstream = `http://127.0.0.1:${String(upstreamPort)}`;
const policy = shadowBenchPolicy(upstream);
const started = await startRuntime({
  load: () => Promise.resolve({ value: [policy], diagnostics: [] }),
  http: { host: "127.0.0.1", port: 0 },
  cookieKey: SECRET,
  tokens: { secret: SECRET },
  trustedProxies: ["127.0.0.1"],
  geoipDatabase: join(import.meta.dirname, "../../fixtures/geoip/GeoIP2-Country-Test.mmdb"),
  upstream: { connections: 256 },
  logger: pino({ level: "warn" }),
  ...(role === "rampart-shadow-on"
    ? {
        shadow: {
          load: () => Promise.resolve({ value: [shadowBenchPolicy(upstream)], diagnostics: [] }),
          source: "bench candidate",
        },
      }
    : {}),
});
if (started.value === undefined) throw new Error(JSON.stringify(started.diagnostics));
const token = (
  await mintToken({ secret: SECRET, grant: benchGrant, lifetimeSeconds: 3600, project: "acme" })
).value;
let from = process.cpuUsage();
process.on("message", (m: { cmd: string }) => {
  if (m.cmd === "start") from = process.cpuUsage();
  if (m.cmd === "stop") {
    const used = process.cpuUsage(from);
    send({ cpuMicros: used.user + used.system });
  }
  if (m.cmd === "exit") process.exit(0);
});
send({ port: started.value.addresses.http?.port, token });
