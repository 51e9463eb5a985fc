/**
 * Instructions per request of a bare node:http server (a 2-byte answer, no proxying) with and
 * without an option of Node's server, counted by callgrind (issue #20): the part of a proxy's
 * cost that is Node's own, measured without an upstream client, whose timing makes the
 * end-to-end proxy figures swing by tens of thousands of instructions. Alternates off/on
 * `rounds` times; the server runs under valgrind, the client outside it, one keep-alive
 * connection, one request at a time.
 *
 *   node test/bench/proxy-node-server-instructions.ts [--option optimizeEmptyRequests]
 *     [--requests 4000] [--warmup 4000] [--rounds 2]
 *
 * The same role file serves as the server (`--serve off|on`).
 */
import { execFileSync, fork } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Pool } from "undici";

const { values } = parseArgs({
  options: {
    serve: { type: "string" },
    option: { type: "string", default: "optimizeEmptyRequests" },
    requests: { type: "string", default: "4000" },
    warmup: { type: "string", default: "4000" },
    rounds: { type: "string", default: "2" },
  },
});

/** Inside valgrind: the server, with the option set to true when `mode` is "on". */
function serve(mode: string, option: string): void {
  const server = createServer(
    { [option]: mode === "on", keepAliveTimeout: 60_000 },
    (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain", "content-length": 2 });
      res.end("ok");
    },
  );
  server.listen(0, "127.0.0.1", () =>
    process.send?.({ port: (server.address() as AddressInfo).port }),
  );
  process.on("message", (m) => m === "exit" && process.exit(0));
}

/** Instructions per request of one server run. */
async function measure(mode: string): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), "rampart-cg-"));
  const child = fork(import.meta.filename, ["--serve", mode, "--option", values.option], {
    execPath: "valgrind",
    execArgv: [
      "--tool=callgrind",
      "--instr-atstart=no",
      `--callgrind-out-file=${join(out, "cg.%p")}`,
      process.execPath,
    ],
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
  try {
    const { port } = await new Promise<{ port: number }>((resolve) =>
      child.once("message", (m) => resolve(m as { port: number })),
    );
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1, pipelining: 1 });
    const send = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const res = await pool.request({
          path: "/x",
          method: "GET",
          headers: { host: "a.test", accept: "*/*" },
        });
        await res.body.dump();
      }
    };
    await send(Number(values.warmup));
    const pid = String(child.pid);
    execFileSync("callgrind_control", ["-i", "on", pid], { stdio: "ignore" });
    execFileSync("callgrind_control", ["-z", pid], { stdio: "ignore" });
    const count = Number(values.requests);
    await send(count);
    execFileSync("callgrind_control", ["-d", pid], { stdio: "ignore" });
    await pool.close();
    const dump = readdirSync(out)
      .filter((f) => f.startsWith(`cg.${pid}.`))
      .sort((a, b) => Number(a.split(".").pop()) - Number(b.split(".").pop()))
      .at(-1);
    if (dump === undefined) throw new Error("no callgrind dump");
    const total = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(out, dump), "utf8"));
    if (total === null) throw new Error(`no totals in ${dump}`);
    return Number(total[1]) / count;
  } finally {
    child.send("exit");
    await new Promise((resolve) => child.once("exit", resolve));
    rmSync(out, { recursive: true, force: true });
  }
}

if (values.serve !== undefined) serve(values.serve, values.option);
else {
  const before = loadavg();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const mode of ["off", "on"]) {
      const perRequest = await measure(mode);
      console.log(
        `${values.option} ${mode}: ${(perRequest / 1000).toFixed(1)}k instructions/request`,
      );
    }
  }
  const fmt = (l: number[]): string => l.map((x) => x.toFixed(2)).join(" ");
  console.log(`load average before ${fmt(before)}, after ${fmt(loadavg())}`);
}
