/**
 * The Redis client behind `serve --state redis://` was chosen by this bench: node-redis
 * (`redis`) and `ioredis` side by side against one local redis-server (test harness), on
 * what the shared store does — the atomic single-use claim of a challenge proof (`SET … NX
 * EXAT`, one round trip each, sequential: the latency a verification waits for), and the
 * delay from `PUBLISH` on one connection to delivery on another's subscription (how fast a
 * revocation reaches the other instances). Medians of interleaved rounds; reported, never
 * asserted. (`iovalkey` is a fork of ioredis with the same code paths.)
 */
import { createClient } from "redis";
import { Redis } from "ioredis";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { startRedis } from "../integration/redis-harness.ts";

interface Client {
  claim(key: string, exat: number): Promise<boolean>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string, onMessage: (m: string) => void): Promise<unknown>;
  close(): Promise<unknown>;
}

async function nodeRedis(url: string): Promise<Client> {
  const cmd = createClient({ url });
  const sub = cmd.duplicate();
  await Promise.all([cmd.connect(), sub.connect()]);
  return {
    claim: async (key, exat) => (await cmd.set(key, "1", { NX: true, EXAT: exat })) === "OK",
    publish: (channel, message) => cmd.publish(channel, message),
    subscribe: (channel, onMessage) => sub.subscribe(channel, onMessage),
    close: () => Promise.all([cmd.close(), sub.close()]),
  };
}

async function ioredis(url: string): Promise<Client> {
  const cmd = new Redis(url);
  const sub = new Redis(url);
  return {
    claim: async (key, exat) => (await cmd.set(key, "1", "EXAT", exat, "NX")) === "OK",
    publish: (channel, message) => cmd.publish(channel, message),
    subscribe: async (channel, onMessage) => {
      sub.on("message", (_c: string, m: string) => onMessage(m));
      return sub.subscribe(channel);
    },
    close: () => Promise.all([cmd.quit(), sub.quit()]),
  };
}

const middle = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
};
const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
};

/** Microseconds per sequential claim, and publish→deliver latencies in µs. */
async function round(client: Client, claims: number, messages: number, tag: string) {
  const exat = Math.floor(Date.now() / 1000) + 60;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < claims; i++) await client.claim(`bench:${tag}:${i}`, exat);
  const wall = Number(process.hrtime.bigint() - t0) / 1000 / claims;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpu = (cpuUsed.user + cpuUsed.system) / claims;
  const latencies: number[] = [];
  let resolveNext: (() => void) | null = null;
  let sentAt = 0n;
  await client.subscribe(`bench:${tag}`, () => {
    latencies.push(Number(process.hrtime.bigint() - sentAt) / 1000);
    resolveNext?.();
  });
  for (let i = 0; i < messages; i++) {
    const delivered = new Promise<void>((resolve) => (resolveNext = resolve));
    sentAt = process.hrtime.bigint();
    await client.publish(`bench:${tag}`, String(i));
    await delivered;
  }
  return { wall, cpu, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

export const redisClientsBench: BenchModule = {
  name: "redis-clients",
  description:
    "node-redis vs ioredis on the shared store's operations (claim round trip, pub/sub delivery)",
  async run({ quick }) {
    const server = await startRedis();
    const claims = quick ? 2_000 : 20_000;
    const messages = quick ? 200 : 2_000;
    const rounds = quick ? 1 : 5;
    const contenders = [
      ["node-redis (redis 6)", nodeRedis],
      ["ioredis 6", ioredis],
    ] as const;
    const results = new Map<string, { wall: number; cpu: number; p50: number; p99: number }[]>();
    try {
      for (let r = 0; r < rounds; r++) {
        for (const [label, make] of contenders) {
          const client = await make(server.url);
          try {
            const tag = `${label.replace(/\W/g, "")}${r}`;
            results.set(label, [
              ...(results.get(label) ?? []),
              await round(client, claims, messages, tag),
            ]);
          } finally {
            await client.close();
          }
        }
      }
    } finally {
      await server.stop();
    }
    return contenders.map(([label]): BenchRow => {
      const r = results.get(label) ?? [];
      return {
        label,
        figures: {
          "claim round trip µs (median)": middle(r.map((x) => x.wall)).toFixed(1),
          "client CPU µs per claim": middle(r.map((x) => x.cpu)).toFixed(1),
          "publish→deliver p50 µs": middle(r.map((x) => x.p50)).toFixed(0),
          "publish→deliver p99 µs": middle(r.map((x) => x.p99)).toFixed(0),
        },
      };
    });
  },
};

if (import.meta.main) {
  for (const row of await redisClientsBench.run({ quick: process.argv.includes("--quick") }))
    console.log(row.label, row.figures);
}
