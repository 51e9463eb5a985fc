/**
 * A fleet on loopback for the scale-out tests (issue #17): a control plane (`rampart bundle
 * serve`) holding a signed bundle, one redis-server, N `rampart serve` processes pulling the
 * bundle and sharing state in Redis, and nginx spreading requests over them round robin. All
 * real processes started here and stopped by their own pids.
 */
import { generateKeyPairSync } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeBundle } from "../../src/compile/bundle.ts";
import { signBundle } from "../../src/compile/bundle/signed.ts";
import type { EffectiveTunnel } from "../../src/bounds/effective.ts";
import { effectivePolicy, tunnel, withToken, withTrustedIps } from "../runtime/helpers/policy.ts";
import { API_GRANT, HOSTS } from "../runtime/forward-auth-fixture.ts";
import { send } from "../runtime/helpers/http.ts";
import { freePort, startNginx } from "./nginx-harness.ts";
import type { RunningNginx } from "./nginx-harness.ts";
import { startRedis } from "./redis-harness.ts";
import type { RunningRedis } from "./redis-harness.ts";

const BIN = join(import.meta.dirname, "../../src/cli/bin.js");
export const FLEET_COOKIE_KEY = "fleet-cookie-key-0123456789abcdef-0123456789";
export const FLEET_TOKEN_SECRET = "fleet-token-secret-0123456789abcdef-01234567";
// Generous: a loaded machine (shared CI) can take many seconds to start a Node process.
const START_TIMEOUT_MS = 60_000;
/** Instances poll the control plane this often in the tests. */
export const POLL_SECONDS = 0.2;

/** The fleet's tunnels: the forward-auth fixture's, plus `extraHosts` (open tunnels). */
export function fleetTunnels(upstream: string, extraHosts: readonly string[]): EffectiveTunnel[] {
  const t = (id: string, host: string): EffectiveTunnel => tunnel({ id, hosts: [host], upstream });
  return [
    withToken(t("app", HOSTS.token)),
    withTrustedIps(t("office", HOSTS.office), ["203.0.113.0/24"]),
    { ...t("guarded", HOSTS.guarded), challenge: true },
    t("open", HOSTS.open),
    {
      ...t("portal", HOSTS.portal),
      auth: { ...t("portal", HOSTS.portal).auth, rstreamAuth: true },
    },
    ...extraHosts.map((host, i) => t(`extra-${i}`, host)),
  ];
}

/** One running `rampart serve`. */
export interface Instance {
  readonly port: number;
  readonly adminPort: number;
  /** Its log lines so far (pino JSON on stdout). */
  output(): string;
  stop(): Promise<void>;
}

export interface Fleet {
  readonly instances: readonly Instance[];
  readonly nginx: RunningNginx;
  readonly redis: RunningRedis;
  /** Signs and publishes a bundle with these extra open hosts (`issued` default now). */
  publish(extraHosts: readonly string[], issued?: number): Promise<void>;
  /** Publishes bytes as they are (a tampered bundle). */
  publishRaw(text: string): Promise<void>;
  /** The signed bundle last published. */
  readonly lastSigned: string;
  stop(): Promise<void>;
}

export async function startFleet(size: number, upstream: string): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), "rampart-fleet-"));
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  await writeFile(
    join(dir, "bundle-key.pub.pem"),
    publicKey.export({ type: "spki", format: "pem" }),
  );
  const served = join(dir, "served");
  await mkdir(served, { recursive: true });
  let lastSigned = "";
  const publishRaw = async (text: string): Promise<void> => {
    // Write then rename: a poll never reads half a file.
    await writeFile(join(served, "next.tmp"), text);
    await rename(join(served, "next.tmp"), join(served, "fleet.jws"));
  };
  const publish = async (extraHosts: readonly string[], issued = Date.now()): Promise<void> => {
    lastSigned = await signedBundle(upstream, extraHosts, privateKey, issued);
    await publishRaw(lastSigned);
  };
  await publish([]);
  const redis = await startRedis();
  const started: { stop(): Promise<void> }[] = [redis];
  try {
    const bundlePort = await freePort();
    const control = spawnCli(["bundle", "serve", served, "--listen", `127.0.0.1:${bundlePort}`]);
    started.push({ stop: () => stopChild(control) });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${bundlePort}/fleet.jws`)).ok);
    const config = join(dir, "config.json");
    await writeFile(
      config,
      JSON.stringify({
        // Sessions are honoured only with an rstream Auth backend (S-H4); its discovery
        // document is read on the first login, which these tests never start.
        rstreamAuth: { issuer: "https://idp.example.test/", clientId: "rampart-fleet" },
        challenge: { counterMin: 100, counterMax: 500 },
        shutdownGraceMs: 500,
      }),
    );
    const instances = await Promise.all(
      Array.from({ length: size }, async (_, i) => {
        const instance = await startInstance(i, {
          bundleUrl: `http://127.0.0.1:${bundlePort}/fleet.jws`,
          key: join(dir, "bundle-key.pub.pem"),
          cache: join(dir, `cache-${i}.jws`),
          config,
          redis: redis.url,
        });
        started.push(instance);
        return instance;
      }),
    );
    const nginxPort = await freePort();
    const nginx = await startNginx(roundRobinConfig(nginxPort, instances), nginxPort);
    started.push(nginx);
    return {
      instances,
      nginx,
      redis,
      publish,
      publishRaw,
      get lastSigned() {
        return lastSigned;
      },
      stop: async () => {
        for (const s of started.reverse()) await s.stop().catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function signedBundle(
  upstream: string,
  extraHosts: readonly string[],
  key: KeyObject,
  issued: number,
): Promise<string> {
  const policy = effectivePolicy(fleetTunnels(upstream, extraHosts), {
    "api-reader": API_GRANT,
  });
  return signBundle(writeBundle([policy], []), { key, alg: "EdDSA" }, issued);
}

interface InstanceFlags {
  readonly bundleUrl: string;
  readonly key: string;
  readonly cache: string;
  readonly config: string;
  readonly redis: string;
}

async function startInstance(i: number, f: InstanceFlags): Promise<Instance> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const child = spawnCli([
    "serve",
    "--bundle-url",
    f.bundleUrl,
    "--bundle-key",
    f.key,
    "--bundle-cache",
    f.cache,
    "--bundle-poll",
    String(POLL_SECONDS),
    "--state",
    f.redis,
    "--config",
    f.config,
    "--http",
    `127.0.0.1:${port}`,
    "--admin",
    `127.0.0.1:${adminPort}`,
    "--trusted-proxy",
    "127.0.0.1",
  ]);
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`instance ${i} exited: ${out}`);
      return (await send({ port: adminPort, host: "admin", path: "/healthz" })).status === 200;
    });
  } catch (error) {
    await stopChild(child);
    throw new Error(`instance ${i} did not start: ${(error as Error).message}\n${out}`, {
      cause: error,
    });
  }
  return { port, adminPort, output: () => out, stop: () => stopChild(child) };
}

function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      RAMPART_COOKIE_KEY: FLEET_COOKIE_KEY,
      RAMPART_TOKEN_SECRET: FLEET_TOKEN_SECRET,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function roundRobinConfig(port: number, instances: readonly Instance[]): string {
  return [
    "upstream fleet {",
    ...instances.map((i) => `  server 127.0.0.1:${i.port};`),
    "  keepalive 16;",
    "}",
    "server {",
    `  listen 127.0.0.1:${port};`,
    "  location / {",
    "    proxy_pass http://fleet;",
    "    proxy_http_version 1.1;",
    '    proxy_set_header Connection "";',
    "    proxy_set_header Host $host;",
    "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    // A refused request is an answer, not a failure: never retried on another instance.
    "    proxy_next_upstream off;",
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Polls `check` every 50 ms until it is true; throws after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number = START_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not reached within ${timeoutMs} ms${last === null ? "" : `: ${String(last)}`}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
