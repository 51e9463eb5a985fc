/**
 * HTTP/2 at the edge (issue #14): requests/s (closed loop) and proxy CPU µs per request (at a
 * fixed rate) of `rampart serve` on its TLS listener with the full bench policy, HTTP/2 (one
 * connection, many streams) against HTTP/1.1 keep-alive (one request per connection at a time),
 * the same proxy process for both, in interleaved rounds. Reported, never asserted.
 */
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { BenchModule, BenchRow } from "./bench-module.ts";

const H2_ROLES = join(import.meta.dirname, "proxy-h2-roles.ts");
const PROXY_ROLES = join(import.meta.dirname, "proxy-roles.ts");

const spawn = (file: string, args: (string | number)[]): ChildProcess =>
  fork(file, args.map(String), { stdio: ["ignore", "inherit", "inherit", "ipc"] });

function next<T>(child: ChildProcess, accept: (m: Record<string, unknown>) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`bench process exited with ${String(code)}`));
    const on = (m: Record<string, unknown>): void => {
      if (!accept(m)) return;
      child.off("message", on);
      child.off("exit", onExit);
      resolve(m as T);
    };
    child.on("message", on);
    child.once("exit", onExit);
  });
}

interface Load {
  readonly requests: number;
  readonly rps: number;
  readonly errors: number;
  readonly non200: number;
}

async function phase(
  proxy: ChildProcess,
  ready: { port: number; token: string },
  protocol: "h1" | "h2",
  connections: number,
  seconds: number,
  rate: number,
): Promise<{ load: Load; cpuMicros: number }> {
  const args = ["load", ready.port, protocol, connections, seconds, rate, ready.token];
  const loader = spawn(H2_ROLES, args);
  try {
    await next(loader, (m) => m["phase"] === "measuring");
    proxy.send({ cmd: "start" });
    const load = await next<Load>(loader, (m) => "rps" in m);
    proxy.send({ cmd: "stop" });
    const { cpuMicros } = await next<{ cpuMicros: number }>(proxy, (m) => "cpuMicros" in m);
    return { load, cpuMicros };
  } finally {
    loader.kill();
  }
}

const middle = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

export const proxyH2Bench: BenchModule = {
  name: "proxy-h2",
  description:
    "rampart serve over TLS, full policy: HTTP/2 vs HTTP/1.1 keep-alive (requests/s, CPU/request)",
  async run({ quick }) {
    const seconds = quick ? 1 : 3;
    const rounds = quick ? 1 : 3;
    const connections = 32;
    const rate = 1000;
    const upstream = spawn(PROXY_ROLES, ["upstream"]);
    const { port } = await next<{ port: number }>(upstream, (m) => "port" in m);
    const proxy = spawn(H2_ROLES, ["rampart", port]);
    const runs: Record<"h1" | "h2", { rps: number[]; cpu: number[]; bad: number }> = {
      h1: { rps: [], cpu: [], bad: 0 },
      h2: { rps: [], cpu: [], bad: 0 },
    };
    try {
      const ready = await next<{ port: number; token: string }>(proxy, (m) => "port" in m);
      for (let round = 0; round < rounds; round++) {
        for (const protocol of ["h1", "h2"] as const) {
          const max = await phase(proxy, ready, protocol, connections, seconds, 0);
          const fixed = await phase(proxy, ready, protocol, connections, seconds, rate);
          const run = runs[protocol];
          run.rps.push(max.load.rps);
          run.cpu.push(fixed.cpuMicros / Math.max(1, fixed.load.requests));
          run.bad += max.load.errors + max.load.non200 + fixed.load.errors + fixed.load.non200;
        }
      }
    } finally {
      proxy.send({ cmd: "exit" });
      upstream.send({ cmd: "exit" });
    }
    const h1 = middle(runs.h1.rps);
    return (["h1", "h2"] as const).map((protocol): BenchRow => ({
      label:
        protocol === "h1"
          ? "HTTP/1.1 keep-alive over TLS, 32 connections"
          : "HTTP/2 over TLS, 1 connection, 32 streams",
      figures: {
        "requests/s (median)": middle(runs[protocol].rps).toFixed(0),
        "vs HTTP/1.1": `${((middle(runs[protocol].rps) / Math.max(1, h1)) * 100).toFixed(0)}%`,
        "proxy CPU µs/request at 1000/s": middle(runs[protocol].cpu).toFixed(0),
        "errors or non-200": String(runs[protocol].bad),
      },
    }));
  },
};
