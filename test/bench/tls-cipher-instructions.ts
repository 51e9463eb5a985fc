/**
 * Instructions per request-and-response exchange of a bare TLS 1.3 echo, per cipher suite,
 * counted by valgrind's callgrind (issue #20): does a server preference for a cheaper suite
 * (AES-128-GCM, ChaCha20-Poly1305) than OpenSSL's default (AES-256-GCM) lower the per-request
 * cost of the HTTPS path? The server runs under callgrind twice per suite, `--small` then
 * `--large` exchanges over 8 keep-alive connections (a 250-byte request head, a 190-byte
 * response: the proxy bench's sizes); the difference over the extra exchanges is the cost of
 * one, start-up and handshakes cancelling out. The client runs natively in this process.
 *
 *   node test/bench/tls-cipher-instructions.ts [--small 2000] [--large 12000]
 *     [--suites TLS_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256]
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { connect, createServer } from "node:tls";
import type { TLSSocket } from "node:tls";
import { parseArgs } from "node:util";
import { generateSelfSignedCertificate } from "../../src/runtime/tls/self-signed.ts";

const CONNECTIONS = 8;
const RESPONSE = Buffer.from(
  `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\n${"x".repeat(100)}`,
);
const REQUEST = Buffer.from(
  `GET /v1/items HTTP/1.1\r\nhost: api.bench.test\r\nuser-agent: bench\r\naccept: */*\r\n` +
    `authorization: Bearer ${"t".repeat(120)}\r\n\r\n`,
);

/** The counted role: answers `exchanges` requests with the suite forced, then exits. */
function serve(certFile: string, keyFile: string, suite: string, exchanges: number): void {
  let answered = 0;
  const server = createServer(
    {
      cert: readFileSync(certFile),
      key: readFileSync(keyFile),
      minVersion: "TLSv1.3",
      ciphers: suite,
    },
    (socket: TLSSocket) => {
      socket.setNoDelay(true);
      socket.on("error", () => socket.destroy());
      socket.on("data", () => {
        socket.write(RESPONSE);
        if (++answered === exchanges) {
          process.send?.({ done: socket.getCipher().standardName });
          setImmediate(() => process.exit(0));
        }
      });
    },
  );
  server.listen(0, "127.0.0.1", () =>
    process.send?.({ port: (server.address() as AddressInfo).port }),
  );
}

/** Total instructions of one counted server run of `exchanges` exchanges. */
async function countRun(
  certFile: string,
  keyFile: string,
  suite: string,
  exchanges: number,
): Promise<{ instructions: number; negotiated: string }> {
  const child = fork(import.meta.filename, ["serve", certFile, keyFile, suite, String(exchanges)], {
    execPath: "valgrind",
    execArgv: ["--tool=callgrind", "--callgrind-out-file=/dev/null", process.execPath],
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let negotiated = "";
  const sockets: TLSSocket[] = [];
  child.on("message", (m: { port?: number; done?: string }) => {
    if (m.done !== undefined) negotiated = m.done;
    if (m.port === undefined) return;
    for (let i = 0; i < CONNECTIONS; i++) {
      const socket = connect(
        {
          port: m.port,
          host: "127.0.0.1",
          servername: "api.bench.test",
          rejectUnauthorized: false,
        },
        () => socket.write(REQUEST),
      );
      socket.on("data", () => socket.write(REQUEST));
      socket.on("error", () => socket.destroy());
      sockets.push(socket);
    }
  });
  await exited;
  for (const socket of sockets) socket.destroy();
  const collected = /Collected : (\d+)/.exec(stderr);
  if (collected === null) throw new Error(`no instruction count:\n${stderr}`);
  return { instructions: Number(collected[1]), negotiated };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      small: { type: "string", default: "2000" },
      large: { type: "string", default: "12000" },
      suites: {
        type: "string",
        default: "TLS_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256",
      },
    },
  });
  const small = Number(values.small);
  const large = Number(values.large);
  const generated = generateSelfSignedCertificate(["api.bench.test"]);
  if (generated.value === undefined) throw new Error("no certificate");
  const { certFile, keyFile } = generated.value;
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log("| suite (negotiated) | instructions per exchange |\n| --- | --- |");
  for (const suite of values.suites.split(",")) {
    const a = await countRun(certFile, keyFile, suite, small);
    const b = await countRun(certFile, keyFile, suite, large);
    const per = (b.instructions - a.instructions) / (large - small);
    console.log(`| ${suite} (${b.negotiated}) | ${(per / 1000).toFixed(1)}k |`);
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

const [role, ...args] = process.argv.slice(2);
if (role === "serve") {
  const [certFile, keyFile, suite, exchanges] = args as [string, string, string, string];
  serve(certFile, keyFile, suite, Number(exchanges));
} else await main();
