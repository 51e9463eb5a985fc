/**
 * The forward-auth endpoint alone (issue #20 item 3): `rampart serve --forward-auth` with the
 * forward-auth fixture policy in this process, asked nginx-style sub-requests by a raw
 * keep-alive client in a child process (RAMPART_BENCH_CONNECTIONS connections, 32 unless
 * told, one request at a time each), on the open tunnel or the token tunnel (one token, as a
 * client reusing it does). `nothing-open` and `nothing-token` ask the proxy bench's do-nothing
 * auth service (200 and the URI, nothing read) the same two requests: the yardstick of the
 * issue's target. Prints this process's CPU per request.
 *
 *   node test/bench/forward-auth-alone.ts open|token|nothing-open|nothing-token [N]
 *
 * Instruction counts, which the load of a shared machine does not move: run it under
 * `valgrind --tool=callgrind --instr-atstart=no`; the process switches instrumentation on for
 * the measured N requests only (after start-up, a warm-up and a full GC when `--expose-gc` is
 * given) with `callgrind_control`, so the "Collected" line is N requests' work. One connection
 * (RAMPART_BENCH_CONNECTIONS=1) makes each request one event-loop turn, so the count does not
 * move with how many requests a turn finds. RAMPART_BENCH_TREE=<checkout> measures another tree's
 * runtime (e.g. main) with this driver, for a side-by-side comparison.
 */
import { execFile, fork } from "node:child_process";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import type * as ServerModule from "../../src/runtime/server.ts";
import type * as FixtureModule from "../runtime/forward-auth-fixture.ts";
import { listenDoNothingAuth } from "./do-nothing-auth.ts";

const tree = process.env["RAMPART_BENCH_TREE"] ?? join(import.meta.dirname, "../..");
const [role = "token", ...rest] = process.argv.slice(2);
const WARMUP = Number(process.env["RAMPART_BENCH_WARMUP"] ?? 3_000);
const CONNECTIONS = Number(process.env["RAMPART_BENCH_CONNECTIONS"] ?? 32);
/** Long enough for a run under valgrind on a loaded machine. */
const BENCH_TOKEN_LIFETIME = 3 * 3600;

/** Sends `count` sub-requests over CONNECTIONS keep-alive sockets; counts non-200 answers. */
async function client(port: number, count: number, host: string, token: string): Promise<void> {
  const head = [
    "GET /nginx HTTP/1.1",
    `Host: rampart_forward_auth`,
    "X-Original-Method: GET",
    "X-Original-URI: /api/bench",
    `X-Forwarded-Host: ${host}`,
    "X-Forwarded-Proto: http",
    "X-Real-IP: 127.0.0.1",
    "X-Forwarded-For: 127.0.0.1",
  ];
  if (token !== "") head.push(`Authorization: Bearer ${token}`);
  const request = Buffer.from(`${head.join("\r\n")}\r\n\r\n`);
  let left = count;
  let done = 0;
  let refused = 0;
  await new Promise<void>((resolve) => {
    // One connection asking one request at a time. A slow server (under valgrind, on a loaded
    // machine) may close a keep-alive connection whose next request it has not read yet: that
    // request was never answered, so it is asked again on a new connection.
    const open = (): void => {
      const socket = connect(port, "127.0.0.1");
      let buffered = "";
      let asking = false;
      const next = (): void => {
        asking = left-- > 0;
        if (asking) socket.write(request);
        else socket.end();
      };
      socket.on("connect", next);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        if (!asking) return;
        left++;
        open();
      });
      socket.on("data", (chunk) => {
        buffered += chunk.toString("latin1");
        // Answers carry no body (content-length: 0): a blank line ends each one.
        for (let end = buffered.indexOf("\r\n\r\n"); end >= 0; end = buffered.indexOf("\r\n\r\n")) {
          if (!buffered.startsWith("HTTP/1.1 200")) refused++;
          buffered = buffered.slice(end + 4);
          asking = false;
          if (++done === count) resolve();
          next();
        }
      });
    };
    for (let i = 0; i < CONNECTIONS; i++) open();
  });
  process.send?.({ done, refused });
}

/** The do-nothing auth service of the proxy bench (`auth-nothing` in proxy-roles.ts). */
async function startNothing(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = await listenDoNothingAuth();
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `rampart serve --forward-auth` with the fixture policy, from `tree`. */
async function startRampart(): Promise<{ port: number; close: () => Promise<void> }> {
  const { startRuntime } = (await import(
    join(tree, "src/runtime/server.ts")
  )) as typeof ServerModule;
  const fixture = (await import(
    join(tree, "test/runtime/forward-auth-fixture.ts")
  )) as typeof FixtureModule;
  const started = await startRuntime({
    load: () => Promise.resolve({ value: [fixture.forwardAuthPolicy()], diagnostics: [] }),
    http: { host: "127.0.0.1", port: 0 },
    forwardAuth: { host: "127.0.0.1", port: 0 },
    cookieKey: "bench-cookie-key-0123456789abcdef-0123456789",
    tokens: { secret: fixture.TOKEN_SECRET },
    trustedProxies: ["127.0.0.1"],
    geoipDatabase: join(tree, "fixtures/geoip/GeoIP2-Country-Test.mmdb"),
    logger: pino({ level: "error" }),
  });
  const runtime = started.value;
  if (runtime === undefined) throw new Error(JSON.stringify(started.diagnostics));
  return { port: runtime.addresses.forwardAuth?.port ?? 0, close: () => runtime.close() };
}

type Role = "open" | "token" | "nothing-open" | "nothing-token";
const ROLES: readonly string[] = ["open", "token", "nothing-open", "nothing-token"];

async function measure(role: Role, count: number): Promise<void> {
  const fixture = (await import(
    join(tree, "test/runtime/forward-auth-fixture.ts")
  )) as typeof FixtureModule;
  const service = role.startsWith("nothing") ? await startNothing() : await startRampart();
  const port = service.port;
  const tunnel = role.endsWith("open") ? "open" : "token";
  const host = tunnel === "open" ? fixture.HOSTS.open : fixture.HOSTS.token;
  const token = tunnel === "open" ? "" : await fixture.mintApiToken("bench", BENCH_TOKEN_LIFETIME);
  const run = (n: number): Promise<{ done: number; refused: number }> =>
    new Promise((resolve, reject) => {
      const child = fork(import.meta.filename, ["client", String(port), String(n), host, token], {
        // The client is not what is measured: never under valgrind, no inherited flags.
        execPath: process.env["RAMPART_BENCH_NODE"] ?? process.execPath,
        execArgv: [],
      });
      child.once("message", (m: { done: number; refused: number }) => resolve(m));
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the client exited with ${String(code)}`)));
    });
  const callgrind = process.env["RAMPART_BENCH_CALLGRIND"] === "1";
  const instrument = (on: boolean): Promise<unknown> =>
    promisify(execFile)("callgrind_control", ["-i", on ? "on" : "off", String(process.pid)]);
  await run(WARMUP);
  // The same heap to start from in every run: a major GC inside N requests' window is
  // otherwise counted in one run and not in the next.
  (globalThis as { gc?: () => void }).gc?.();
  if (callgrind) await instrument(true);
  const before = process.cpuUsage();
  const result = await run(count);
  const used = process.cpuUsage(before);
  if (callgrind) await instrument(false);
  if (result.refused > 0) throw new Error(`${result.refused} sub-requests were not answered 200`);
  console.log(
    `${role}: ${count} sub-requests, CPU ${((used.user + used.system) / count).toFixed(1)} µs/request`,
  );
  await service.close();
}

if (role === "client") {
  const [port, count, host, token] = rest;
  await client(Number(port), Number(count), host ?? "", token ?? "");
  process.exit(0);
} else if (ROLES.includes(role)) {
  // SAFETY: checked against ROLES on the line above.
  await measure(role as Role, Number(rest[0] ?? 20_000));
  process.exit(0);
} else {
  throw new Error("usage: forward-auth-alone.ts open|token|nothing-open|nothing-token [N]");
}
