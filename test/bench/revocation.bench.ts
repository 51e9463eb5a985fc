/**
 * How fast a revocation reaches every instance (issue #17 target: within 1 s, p99): one
 * store records revocations (as `rampart token revoke` does), three others — the instances —
 * each on their own connections to one local redis-server; the time from the call to the
 * moment all three local views hold it. Sequential, so each figure is one revocation's own
 * latency. In one process: the three instances share its event loop, which only adds delay.
 */
import { pino } from "pino";
import { Registry } from "prom-client";
import type { BenchModule, BenchRow } from "./bench-module.ts";
import { RedisStore } from "../../src/runtime/state-store/redis-store.ts";
import { StateStoreMetrics } from "../../src/runtime/state-store/metrics.ts";
import { startRedis } from "../integration/redis-harness.ts";

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
};

export const revocationBench: BenchModule = {
  name: "revocation",
  description: "time until a revocation is in the local view of three instances (Redis pub/sub)",
  async run({ quick }) {
    const redis = await startRedis();
    const store = (): RedisStore =>
      new RedisStore({
        url: redis.url,
        prefix: "bench:",
        log: pino({ level: "silent" }),
        metrics: new StateStoreMetrics(new Registry()),
      });
    const revoker = store();
    const instances = [store(), store(), store()];
    const latencies: number[] = [];
    try {
      await Promise.all([revoker, ...instances].map((s) => s.start(5_000)));
      const count = quick ? 100 : 2_000;
      const until = Date.now() / 1000 + 600;
      for (let i = 0; i < count; i++) {
        const id = `bench-${i}`;
        const t0 = performance.now();
        const ok = await revoker.revoke({ kind: "token", id, until });
        if (!ok) throw new Error("revocation failed");
        while (!instances.every((s) => s.view.tokenRevoked(id)))
          await new Promise((resolve) => setImmediate(resolve));
        latencies.push(performance.now() - t0);
      }
    } finally {
      await Promise.all([revoker, ...instances].map((s) => s.close()));
      await redis.stop();
    }
    const row: BenchRow = {
      label: `revocation → all 3 instances' views (${latencies.length} revocations)`,
      figures: {
        "p50 ms": quantile(latencies, 0.5).toFixed(2),
        "p99 ms": quantile(latencies, 0.99).toFixed(2),
        "max ms": quantile(latencies, 1).toFixed(2),
      },
    };
    return [row];
  },
};

if (import.meta.main) {
  for (const row of await revocationBench.run({ quick: process.argv.includes("--quick") }))
    console.log(row.label, row.figures);
}
