/**
 * The processes of the proxy benchmark, one role per process so each one's CPU time is its
 * own: `upstream` (a tiny node:http origin), `minimal-http` and `minimal-undici` (the
 * baselines: node:http reverse proxies with http.request or an undici Pool), `rampart` (the
 * runtime with a full policy), and `load` (load-generator.ts, for benches that fork this
 * file). Proxies report
 * their CPU time over IPC between `start` and `stop`.
 */
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest, Agent as HttpAgent } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { join } from "node:path";
import { Pool } from "undici";
import { pino } from "pino";
import { startRuntime } from "../../src/runtime/server.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import { compiledPolicy, effectivePolicy } from "../runtime/helpers/policy.ts";
import { benchGrant, benchTunnel } from "./proxy-policy.ts";
import { listenDoNothingAuth } from "./do-nothing-auth.ts";
import { planFromArgs, runLoad } from "./load-generator.ts";
import { TOKEN_SECRET, forwardAuthPolicy, mintApiToken } from "../runtime/forward-auth-fixture.ts";

const [role, ...args] = process.argv.slice(2);
const send = (message: unknown): void => {
  process.send?.(message);
};

/**
 * The forward-auth rows' token lifetime: a run on a loaded machine can outlast the fixture's
 * 10 minutes (+ 5 of skew), and an expired token turns the token row into 401s.
 */
const BENCH_TOKEN_LIFETIME = 3 * 3600;

/** The token secret of the `rampart` role. */
const BENCH_SECRET = "bench-secret-0123456789abcdef-0123456789abcdef";
/** The upstream's response body: 100 bytes, as in issue #20's measurements. */
const BODY = Buffer.from(`${"hello from upstream ".repeat(5).slice(0, 99)}\n`);

function reportCpuOnRequest(): void {
  let started = process.cpuUsage();
  process.on("message", (m: { cmd: string }) => {
    if (m.cmd === "start") started = process.cpuUsage();
    if (m.cmd === "stop") {
      const used = process.cpuUsage(started);
      send({ cpuMicros: used.user + used.system });
    }
    if (m.cmd === "exit") process.exit(0);
  });
}

/** The upstream's answer, also given by the Node server floors: 200 with the 100-byte body. */
function answerCanned(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/plain", "content-length": BODY.length });
  res.end(BODY);
}

async function upstream(): Promise<void> {
  const server = createServer(answerCanned);
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => send({ port: (server.address() as AddressInfo).port }));
  process.on("message", (m: { cmd: string }) => m.cmd === "exit" && process.exit(0));
}

function minimalHttp(upstreamPort: number): void {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    const out = httpRequest(
      {
        host: "127.0.0.1",
        port: upstreamPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.writeHead(502).end());
    req.pipe(out);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => send({ port: (server.address() as AddressInfo).port }));
  reportCpuOnRequest();
}

/**
 * The undici proxy; with `tls`, behind Node's own `https.Server` (the bench certificate): the
 * HTTPS listener's cost over plain HTTP, to hold rampart's peeking listener against.
 */
function minimalUndici(upstreamPort: number, tls = false, sameRequest = false): void {
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { connections: 256 });
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    pool.stream(
      {
        path: req.url ?? "/",
        method: req.method as "GET",
        headers: req.headers as Record<string, string>,
      },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, headers);
        return res;
      },
      (err) => err && !res.headersSent && res.writeHead(502).end(),
    );
  };
  const server = tls
    ? createHttpsServer({ ...benchTlsFiles(), noDelay: true }, onRequest)
    : createServer(onRequest);
  server.keepAliveTimeout = 60_000;
  // `sameRequest`: the client sends the rampart role's token too, so this proxy parses and
  // forwards the request rampart decides on (a ~0.5 KB Authorization header), not a smaller one.
  const token = sameRequest ? benchToken(upstreamPort) : Promise.resolve(undefined);
  server.listen(0, "127.0.0.1", () => {
    void token.then((t) => send({ port: (server.address() as AddressInfo).port, token: t }));
  });
  reportCpuOnRequest();
}

/** The full policy of the `rampart` role, its upstream at `upstreamPort`. */
function benchPolicy(upstreamPort: number, open = false) {
  return compiledPolicy(
    effectivePolicy([benchTunnel(`http://127.0.0.1:${upstreamPort}`, !open)], {
      bench: benchGrant,
    }),
  );
}

/** The token the `rampart` role's client sends (the bench grant, for the bench policy). */
async function benchToken(upstreamPort: number): Promise<string> {
  const minted = await mintToken({
    secret: BENCH_SECRET,
    grant: benchGrant,
    lifetimeSeconds: 3600,
    project: benchPolicy(upstreamPort).policy.projectId,
  });
  if (minted.value === undefined) throw new Error(JSON.stringify(minted.diagnostics));
  return minted.value;
}

/**
 * What the `rampart` role runs: this tree as is, with the access log on (issue #18; lines go
 * to /dev/null through a pino destination like the default stdout one), or the runtime of
 * another checkout named by RAMPART_BENCH_BASELINE (the tree an issue started from), for
 * side-by-side figures.
 */
type Variant = "plain" | "access-log" | "baseline";

async function startFor(variant: Variant): Promise<typeof startRuntime> {
  if (variant !== "baseline") return startRuntime;
  const root = process.env["RAMPART_BENCH_BASELINE"];
  if (root === undefined) throw new Error("set RAMPART_BENCH_BASELINE to a checkout's root");
  const mod = (await import(join(root, "src/runtime/server.ts"))) as {
    startRuntime: typeof startRuntime;
  };
  return mod.startRuntime;
}

/** The full policy: trusted IPs, GeoIP (via a trusted proxy's X-Forwarded-For) and token auth with a path scope. */
async function rampart(
  upstreamPort: number,
  open = false,
  variant: Variant = "plain",
  stateUrl?: string,
  tls = false,
): Promise<void> {
  const policy = benchPolicy(upstreamPort, open);
  const start = await startFor(variant);
  const started = await start({
    load: () => Promise.resolve({ value: [policy], diagnostics: [] }),
    http: { host: "127.0.0.1", port: 0 },
    ...(tls ? { https: { host: "127.0.0.1", port: 0 }, certificates: [benchCertificate()] } : {}),
    cookieKey: BENCH_SECRET,
    tokens: { secret: BENCH_SECRET },
    trustedProxies: ["127.0.0.1"],
    geoipDatabase: join(import.meta.dirname, "../../fixtures/geoip/GeoIP2-Country-Test.mmdb"),
    upstream: { connections: 256 },
    logger:
      variant === "access-log"
        ? pino({ level: "info" }, pino.destination({ dest: "/dev/null", sync: true }))
        : pino({ level: "warn" }),
    ...(variant === "access-log" ? { accessLog: { enabled: true } } : {}),
    ...(stateUrl === undefined ? {} : { state: { url: stateUrl } }),
  });
  if (started.value === undefined) throw new Error(JSON.stringify(started.diagnostics));
  const token = await benchToken(upstreamPort);
  const port = (tls ? started.value.addresses.https : started.value.addresses.http)?.port;
  send({ port, token });
  reportCpuOnRequest();
}

/** The bench certificate's PEM files, read, for a Node TLS server's options. */
function benchTlsFiles(): { cert: Buffer; key: Buffer } {
  const { certFile, keyFile } = benchCertificate();
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/** The bench certificate (api.bench.test), written by the bench before it forks the roles. */
function benchCertificate(): { hosts: string[]; certFile: string; keyFile: string } {
  const certFile = process.env["RAMPART_BENCH_CERT"];
  const keyFile = process.env["RAMPART_BENCH_KEY"];
  if (certFile === undefined || keyFile === undefined)
    throw new Error("set RAMPART_BENCH_CERT and RAMPART_BENCH_KEY");
  return { hosts: ["api.bench.test"], certFile, keyFile };
}

/**
 * The floor under any proxy: a bare `net` or `tls` server that answers every request head
 * with a canned 100-byte response, no parsing, no upstream. Its CPU per request is what the
 * sockets (and, over TLS, the encryption) cost in Node.
 */
function echoFloor(tls: boolean): void {
  const response = Buffer.concat([
    Buffer.from(
      `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${BODY.length}\r\n\r\n`,
    ),
    BODY,
  ]);
  const onSocket = (socket: Socket): void => {
    socket.setNoDelay(true);
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      // One canned response per request head in the chunk (the load sends GETs, no body).
      for (let at = chunk.indexOf("\r\n\r\n"); at >= 0; at = chunk.indexOf("\r\n\r\n", at + 4))
        socket.write(response);
    });
  };
  const server = tls
    ? createTlsServer({ ...benchTlsFiles(), ALPNProtocols: ["http/1.1"] }, onSocket)
    : createNetServer({ noDelay: true }, onSocket);
  server.listen(0, "127.0.0.1", () => send({ port: (server.address() as AddressInfo).port }));
  reportCpuOnRequest();
}

/**
 * The floor of Node's own HTTP server, plain or over TLS: `node:http` or `node:https` answering
 * every request itself with the canned 100-byte response (no upstream, no policy). Its TLS −
 * plain is what Node's HTTP machinery on a TLS socket costs above the bare `tls` echo.
 */
function nodeServerFloor(tls: boolean): void {
  const server = tls
    ? createHttpsServer({ ...benchTlsFiles(), noDelay: true }, answerCanned)
    : createServer({ noDelay: true }, answerCanned);
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => send({ port: (server.address() as AddressInfo).port }));
  reportCpuOnRequest();
}

/** The do-nothing auth service behind nginx `auth_request`: 200 and the URI nginx needs back. */
async function authNothing(): Promise<void> {
  // A token like the forward-auth role's, for the client to send on the token tunnel's row.
  const token = await mintApiToken("bench", BENCH_TOKEN_LIFETIME);
  reportCpuOnRequest();
  const server = await listenDoNothingAuth();
  send({ port: (server.address() as AddressInfo).port, token });
}

/** `rampart serve --forward-auth` with the forward-auth fixture policy. */
async function rampartForwardAuth(): Promise<void> {
  const started = await startRuntime({
    load: () => Promise.resolve({ value: [forwardAuthPolicy()], diagnostics: [] }),
    http: { host: "127.0.0.1", port: 0 },
    forwardAuth: { host: "127.0.0.1", port: 0 },
    cookieKey: BENCH_SECRET,
    tokens: { secret: TOKEN_SECRET },
    trustedProxies: ["127.0.0.1"],
    geoipDatabase: join(import.meta.dirname, "../../fixtures/geoip/GeoIP2-Country-Test.mmdb"),
    // `error`: the fixture's tunnels name no upstream (forward-auth never forwards), which
    // `serve` warns about at load.
    logger: pino({ level: "error" }),
  });
  if (started.value === undefined) throw new Error(JSON.stringify(started.diagnostics));
  send({
    port: started.value.addresses.forwardAuth?.port,
    servePort: started.value.addresses.http?.port,
    token: await mintApiToken("bench", BENCH_TOKEN_LIFETIME),
  });
  reportCpuOnRequest();
}

const numberArg = (i: number): number => Number(args[i]);
if (role === "upstream") await upstream();
else if (role === "minimal-http") minimalHttp(numberArg(0));
else if (role === "minimal-undici") minimalUndici(numberArg(0));
else if (role === "minimal-undici-tls") minimalUndici(numberArg(0), true);
// The same request as the `rampart` roles (their token in `Authorization`), plain and TLS.
else if (role === "minimal-undici-token") minimalUndici(numberArg(0), false, true);
else if (role === "minimal-undici-tls-token") minimalUndici(numberArg(0), true, true);
else if (role === "rampart") await rampart(numberArg(0));
else if (role === "rampart-open") await rampart(numberArg(0), true);
else if (role === "rampart-access-log") await rampart(numberArg(0), false, "access-log");
else if (role === "rampart-baseline") await rampart(numberArg(0), false, "baseline");
// `serve --state redis://…`: the shared store the bench started (RAMPART_BENCH_STATE_URL).
else if (role === "rampart-redis")
  await rampart(numberArg(0), false, "plain", process.env["RAMPART_BENCH_STATE_URL"]);
else if (role === "rampart-tls") await rampart(numberArg(0), false, "plain", undefined, true);
else if (role === "tls-echo") echoFloor(true);
else if (role === "plain-echo") echoFloor(false);
else if (role === "node-http-tls") nodeServerFloor(true);
else if (role === "node-http") nodeServerFloor(false);
else if (role === "auth-nothing") await authNothing();
else if (role === "rampart-forward-auth") await rampartForwardAuth();
// The load generator, for benches that fork this file (proxy.ts forks load-generator.ts
// itself: a client without the runtime loaded has no start-up garbage to collect).
else if (role === "load") await runLoad(planFromArgs(args));
else throw new Error(`unknown role ${String(role)}`);
