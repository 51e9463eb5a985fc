/**
 * Forward-auth throughput (issue #7): requests/s and latency through nginx alone vs nginx with
 * `auth_request` to Rampart's forward-auth endpoint (the repo's example config), side by side
 * in one run. Each party is its own process: a tiny node:http upstream and the Rampart
 * endpoint (this file, forked with a role), nginx (Debian, one worker, `daemon off`, temp
 * prefix) and the load generator `wrk` (Debian), both installed by test/setup/nginx.ts.
 * Figures are reported, never asserted.
 */
import { execFile, fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { ensureWrk } from "../setup/nginx.ts";
import { send } from "../runtime/helpers/http.ts";
import { exampleConfig, freePort, startNginx } from "../integration/nginx-harness.ts";
import { HOSTS, mintApiToken, startForwardAuthServer } from "../runtime/forward-auth-fixture.ts";

const run = promisify(execFile);
const BODY = Buffer.from("hello from upstream\n");

/** What wrk measured. */
interface WrkResult {
  readonly rps: number;
  readonly p50: string;
  readonly p99: string;
  readonly non2xx: number;
  readonly errors: number;
}

/** Parses `wrk --latency` output. */
function parseWrk(out: string): WrkResult {
  const number = (re: RegExp): number => Number(re.exec(out)?.[1] ?? "0");
  const text = (re: RegExp): string => re.exec(out)?.[1] ?? "?";
  const errors = [...out.matchAll(/(?:connect|read|write|timeout) (\d+)/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  return {
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    p50: text(/^\s+50%\s+(\S+)/m),
    p99: text(/^\s+99%\s+(\S+)/m),
    non2xx: number(/Non-2xx or 3xx responses:\s+(\d+)/),
    errors,
  };
}

async function wrk(
  port: number,
  path: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<WrkResult> {
  const binary = await ensureWrk();
  const args = ["-t2", "-c32", `-d${seconds}s`, "--latency"];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  args.push(`http://127.0.0.1:${port}${path}`);
  const { stdout } = await run(binary, args, { timeout: (seconds + 30) * 1000 });
  return parseWrk(stdout);
}

function spawnRole(role: string, args: string[] = []): ChildProcess {
  return fork(import.meta.filename, [role, ...args], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

function portOf(child: ChildProcess): Promise<number> {
  return portsOf<{ port: number }>(child).then((m) => m.port);
}

function portsOf<T = { forwardAuthPort: number; servePort: number }>(
  child: ChildProcess,
): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once("message", (m: T) => resolve(m));
    child.once("exit", (code) => reject(new Error(`bench role exited with ${String(code)}`)));
  });
}

/** A minimal `server` block: nginx proxying straight to the upstream (the baseline). */
function nginxAloneConfig(listenPort: number, appPort: number): string {
  return [
    `upstream app { server 127.0.0.1:${appPort}; keepalive 32; }`,
    "server {",
    `  listen 127.0.0.1:${listenPort} default_server;`,
    "  location / {",
    "    proxy_pass http://app;",
    "    proxy_http_version 1.1;",
    '    proxy_set_header Connection "";',
    "    proxy_set_header Host $host;",
    "  }",
    "}",
    "",
  ].join("\n");
}

/** The forward-auth bench module for test/bench/run.ts. */
export const forwardAuthBench: BenchModule = {
  name: "forward-auth",
  description:
    "requests/s through nginx alone vs nginx + auth_request to Rampart forward-auth (wrk, 32 connections, one nginx worker)",
  async run({ quick }) {
    const seconds = quick ? 1 : 5;
    const upstream = spawnRole("upstream");
    const rampart = spawnRole("rampart");
    const rows: BenchRow[] = [];
    try {
      const [appPort, rampartPorts] = await Promise.all([portOf(upstream), portsOf(rampart)]);
      const { forwardAuthPort, servePort } = rampartPorts;
      const token = await mintApiToken("bench");
      const alonePort = await freePort();
      const alone = await startNginx(nginxAloneConfig(alonePort, appPort), alonePort);
      const withAuthPort = await freePort();
      const withAuth = await startNginx(
        await exampleConfig({
          forwardAuthPort,
          servePort,
          appPort,
          listenPort: withAuthPort,
        }),
        withAuthPort,
      );
      try {
        const cases: [string, number, string, Record<string, string>][] = [
          ["nginx alone (proxy_pass)", alonePort, "/api/bench", { Host: HOSTS.open }],
          [
            "nginx + Rampart forward-auth, open tunnel",
            withAuthPort,
            "/api/bench",
            { Host: HOSTS.open },
          ],
          [
            "nginx + Rampart forward-auth, token tunnel (Bearer)",
            withAuthPort,
            "/api/bench",
            { Host: HOSTS.token, Authorization: `Bearer ${token}` },
          ],
          [
            "nginx + Rampart forward-auth, query token stripped",
            withAuthPort,
            `/api/bench?rstream.token=${token}`,
            { Host: HOSTS.token },
          ],
        ];
        let baseline: number | null = null;
        for (const [label, port, path, headers] of cases) {
          // Measure the intended path only: one request must reach the upstream (a 302 or 401
          // would also count as success for wrk).
          const { Host: host, ...rest } = headers;
          const probe = await send({ port, host: host ?? "", path, headers: rest });
          if (probe.status !== 200 || probe.body !== BODY.toString()) {
            throw new Error(
              `${label}: expected the upstream's 200, got ${probe.status} ${probe.body}`,
            );
          }
          await wrk(port, path, headers, 1); // warm-up: JIT, keep-alive pools, token cache
          const result = await wrk(port, path, headers, seconds);
          baseline ??= result.rps;
          rows.push({
            label,
            figures: {
              "requests/s": result.rps.toFixed(0),
              "vs nginx alone": `${((result.rps / baseline) * 100).toFixed(0)}%`,
              p50: result.p50,
              p99: result.p99,
              "non-2xx / socket errors": `${result.non2xx} / ${result.errors}`,
            },
          });
        }
      } finally {
        await Promise.all([alone.stop(), withAuth.stop()]);
      }
    } finally {
      upstream.send({ cmd: "exit" });
      rampart.send({ cmd: "exit" });
    }
    return rows;
  },
};

async function upstreamRole(): Promise<void> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": BODY.length });
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () =>
    process.send?.({ port: (server.address() as AddressInfo).port }),
  );
}

async function rampartRole(): Promise<void> {
  const server = await startForwardAuthServer(["127.0.0.1"]);
  process.send?.({ forwardAuthPort: server.port, servePort: server.servePort });
}

const role = process.argv[2];
if (role === "upstream" || role === "rampart") {
  process.on("message", (m: { cmd: string }) => m.cmd === "exit" && process.exit(0));
  await (role === "upstream" ? upstreamRole() : rampartRole());
} else if (import.meta.main) {
  for (const row of await forwardAuthBench.run({ quick: process.argv.includes("--quick") }))
    console.log(row.label, row.figures);
}
