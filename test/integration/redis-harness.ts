/**
 * Runs a real redis-server (Debian's, installed by test/setup/redis.ts) for tests and
 * benchmarks: loopback only, no persistence, a port picked by binding port 0 first (redis
 * needs an explicit port), bounded waits, stopped by its own pid. `stop()` then `start()`
 * again on the same port simulates an outage.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createConnection } from "node:net";
import { ensureRedisServer } from "../setup/redis.ts";
import { freePort, waitForChild } from "./nginx-harness.ts";

const STOP_TIMEOUT_MS = 5_000;

/** A redis-server this test owns. */
export interface RunningRedis {
  readonly port: number;
  readonly url: string;
  /** Stops the server (an outage); the port stays reserved for `start`. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  start(): Promise<void>;
}

/** Starts redis-server on a free loopback port. */
export async function startRedis(): Promise<RunningRedis> {
  const binary = await ensureRedisServer();
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const spawned = spawn(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    child = spawned;
    let stderr = "";
    spawned.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitForPing(port, spawned);
    } catch (error) {
      await stopProcess(spawned);
      throw new Error(`redis-server did not start: ${(error as Error).message}\n${stderr}`, {
        cause: error,
      });
    }
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop: async () => {
      if (child !== null) await stopProcess(child);
      child = null;
    },
  };
}

function waitForPing(port: number, child: ChildProcess): Promise<void> {
  return waitForChild(child, () => pings(port), `no PONG on 127.0.0.1:${port}`);
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let answer = "";
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes("\r\n")) {
        socket.destroy();
        resolve(answer.startsWith("+PONG"));
      }
    });
    socket.once("error", () => resolve(false));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
