/**
 * Runs a real nginx (the Debian package, installed by test/setup/nginx.ts) for tests and
 * benchmarks: a temporary prefix directory (`-p`), `daemon off`, one worker, loopback only,
 * started with bounded waits and always stopped by its own pid. The site config is the repo's
 * example (examples/nginx/rampart-forward-auth.conf) with its addresses replaced, so the tests
 * prove the documented config rather than a private copy of it.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureNginx } from "../setup/nginx.ts";

/** The example config shipped in the repo. */
export const EXAMPLE_CONFIG = join(
  import.meta.dirname,
  "../../examples/nginx/rampart-forward-auth.conf",
);

/** Where the example's placeholders point in this run. */
export interface ExampleAddresses {
  readonly forwardAuthPort: number;
  readonly servePort: number;
  readonly appPort: number;
  /** The port nginx listens on (127.0.0.1). */
  readonly listenPort: number;
}

/** The example config with this run's ports; the server answers any Host (default server). */
export async function exampleConfig(a: ExampleAddresses): Promise<string> {
  const text = await readFile(EXAMPLE_CONFIG, "utf8");
  const replacements: [string, string][] = [
    ["server 127.0.0.1:9100;", `server 127.0.0.1:${a.forwardAuthPort};`],
    ["server 127.0.0.1:8080;", `server 127.0.0.1:${a.servePort};`],
    ["server 127.0.0.1:3000;", `server 127.0.0.1:${a.appPort};`],
    ["listen 80;", `listen 127.0.0.1:${a.listenPort} default_server;`],
    ["server_name app.example.com;", "server_name _;"],
  ];
  let out = text;
  for (const [from, to] of replacements) {
    if (!out.includes(from)) throw new Error(`the example config no longer contains \`${from}\``);
    out = out.replace(from, to);
  }
  return out;
}

/** A running nginx. */
export interface RunningNginx {
  readonly port: number;
  readonly prefix: string;
  /** The error log so far (for assertion messages). */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** A free loopback port (bound and released; nginx binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts nginx with `siteConfig` in its http context; resolves once it accepts connections. */
export async function startNginx(
  siteConfig: string,
  port: number,
  workers = 1,
): Promise<RunningNginx> {
  const binary = await ensureNginx();
  const prefix = await mkdtemp(join(tmpdir(), "rampart-nginx-"));
  await mkdir(join(prefix, "tmp"));
  await writeFile(join(prefix, "site.conf"), siteConfig);
  await writeFile(join(prefix, "nginx.conf"), mainConfig(prefix, workers));
  const errorLog = join(prefix, "error.log");
  const child = spawn(
    binary,
    ["-p", prefix, "-c", join(prefix, "nginx.conf"), "-e", errorLog, "-g", "daemon off;"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const readLog = async (): Promise<string> =>
    `${stderr}${await readFile(errorLog, "utf8").catch(() => "")}`;
  try {
    await waitForPort(port, child);
  } catch (error) {
    await stopProcess(child);
    const log = await readLog();
    await rm(prefix, { recursive: true, force: true });
    throw new Error(`nginx did not start: ${(error as Error).message}\n${log}`, { cause: error });
  }
  return {
    port,
    prefix,
    errorLog: readLog,
    stop: async () => {
      await stopProcess(child);
      await rm(prefix, { recursive: true, force: true });
    },
  };
}

function mainConfig(prefix: string, workers: number): string {
  const tmp = join(prefix, "tmp");
  return [
    `worker_processes ${workers};`,
    `pid ${join(prefix, "nginx.pid")};`,
    `error_log ${join(prefix, "error.log")} warn;`,
    "events { worker_connections 4096; }",
    "http {",
    "  access_log off;",
    `  client_body_temp_path ${tmp}/body;`,
    `  proxy_temp_path ${tmp}/proxy;`,
    `  fastcgi_temp_path ${tmp}/fastcgi;`,
    `  uwsgi_temp_path ${tmp}/uwsgi;`,
    `  scgi_temp_path ${tmp}/scgi;`,
    `  include ${join(prefix, "site.conf")};`,
    "}",
    "",
  ].join("\n");
}

/**
 * Waits until `ready()` answers true for a child server, polling every 50 ms: fails when the
 * child exits first, or after START_TIMEOUT_MS with `what` in the message.
 */
export async function waitForChild(
  child: ChildProcess,
  ready: () => Promise<boolean>,
  what: string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} after ${START_TIMEOUT_MS} ms`);
}

function waitForPort(port: number, child: ChildProcess): Promise<void> {
  return waitForChild(child, () => canConnect(port), `no listener on 127.0.0.1:${port}`);
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

/** SIGTERM (nginx's fast shutdown, which stops the workers), then SIGKILL if it lingers. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
