/**
 * Runs a real Caddy and a real HAProxy (the Debian packages, installed by
 * test/setup/front-proxies.ts) with the repo's example configs, as nginx-harness.ts does for
 * nginx: a temporary directory, loopback only, bounded start and stop by the child's own pid.
 * Only the addresses (and, for Caddy, the site address and the global options a test run needs)
 * are replaced, so the tests prove the documented configs rather than private copies.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCaddy, ensureHaproxy } from "../setup/front-proxies.ts";
import { stopProcess, waitForChild } from "./nginx-harness.ts";
import type { ExampleAddresses } from "./nginx-harness.ts";

const EXAMPLES = join(import.meta.dirname, "../../examples");
export const CADDY_EXAMPLE = join(EXAMPLES, "caddy/Caddyfile");
export const HAPROXY_EXAMPLE = join(EXAMPLES, "haproxy/haproxy.cfg");
export const HAPROXY_LUA_EXAMPLE = join(EXAMPLES, "haproxy/rampart-forward-auth.lua");

/** A running front proxy. */
export interface RunningProxy {
  readonly port: number;
  /** What the proxy wrote to stderr so far (for assertion messages). */
  log(): string;
  stop(): Promise<void>;
}

function replaceAll(text: string, replacements: readonly [string, string][], file: string): string {
  let out = text;
  for (const [from, to] of replacements) {
    if (!out.includes(from)) throw new Error(`${file} no longer contains \`${from}\``);
    out = out.split(from).join(to);
  }
  return out;
}

function addressReplacements(a: ExampleAddresses): [string, string][] {
  return [
    ["127.0.0.1:9100", `127.0.0.1:${a.forwardAuthPort}`],
    ["127.0.0.1:8080", `127.0.0.1:${a.servePort}`],
    ["127.0.0.1:3000", `127.0.0.1:${a.appPort}`],
  ];
}

/** The Caddy example on a plain-HTTP loopback site, with no admin endpoint and no storage. */
export async function caddyConfig(a: ExampleAddresses): Promise<string> {
  const text = await readFile(CADDY_EXAMPLE, "utf8");
  const site = replaceAll(
    text,
    [...addressReplacements(a), ["app.example.com {", `http://:${a.listenPort} {`]],
    CADDY_EXAMPLE,
  );
  return `{\n\tadmin off\n\tauto_https off\n}\n\n${site}`;
}

/** The HAProxy example and its Lua action, with this run's addresses and files. */
export async function haproxyConfig(
  a: ExampleAddresses,
  dir: string,
): Promise<{ cfg: string; lua: string }> {
  const luaPath = join(dir, "rampart-forward-auth.lua");
  const cfg = replaceAll(
    await readFile(HAPROXY_EXAMPLE, "utf8"),
    [
      ...addressReplacements(a),
      ["/etc/haproxy/rampart-forward-auth.lua", luaPath],
      ["bind :80", `bind 127.0.0.1:${a.listenPort}`],
    ],
    HAPROXY_EXAMPLE,
  );
  const lua = replaceAll(
    await readFile(HAPROXY_LUA_EXAMPLE, "utf8"),
    [["127.0.0.1:9100", `127.0.0.1:${a.forwardAuthPort}`]],
    HAPROXY_LUA_EXAMPLE,
  );
  return { cfg, lua };
}

/** Starts the Caddy example; resolves once it accepts connections. */
export async function startCaddy(a: ExampleAddresses): Promise<RunningProxy> {
  const binary = await ensureCaddy();
  const dir = await mkdtemp(join(tmpdir(), "rampart-caddy-"));
  const config = join(dir, "Caddyfile");
  await writeFile(config, await caddyConfig(a));
  const env = {
    ...process.env,
    HOME: dir,
    XDG_DATA_HOME: join(dir, "data"),
    XDG_CONFIG_HOME: join(dir, "config"),
  };
  const child = spawn(binary, ["run", "--config", config, "--adapter", "caddyfile"], {
    stdio: ["ignore", "ignore", "pipe"],
    env,
  });
  return started(child, a.listenPort, dir, "caddy");
}

/** Starts the HAProxy example (one process, no daemon); resolves once it accepts connections. */
export async function startHaproxy(a: ExampleAddresses): Promise<RunningProxy> {
  const binary = await ensureHaproxy();
  const dir = await mkdtemp(join(tmpdir(), "rampart-haproxy-"));
  const { cfg, lua } = await haproxyConfig(a, dir);
  await writeFile(join(dir, "rampart-forward-auth.lua"), lua);
  await writeFile(join(dir, "haproxy.cfg"), cfg);
  const child = spawn(binary, ["-db", "-f", join(dir, "haproxy.cfg")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  return started(child, a.listenPort, dir, "haproxy");
}

async function started(
  child: ChildProcess,
  port: number,
  dir: string,
  what: string,
): Promise<RunningProxy> {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForChild(child, () => canConnect(port), `no listener on 127.0.0.1:${port}`);
  } catch (error) {
    await stop();
    throw new Error(`${what} did not start: ${(error as Error).message}\n${stderr}`, {
      cause: error,
    });
  }
  return { port, log: () => stderr, stop };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
