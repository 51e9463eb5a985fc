/**
 * A `node:cluster` deployment on one host, for the scale-out test: the primary forks two
 * workers that each run the runtime on the same port (the port is shared by the cluster
 * module), with keys from the environment. The primary relays worker readiness and, on
 * request, each worker's count of decided requests to its own parent over IPC.
 */
import cluster from "node:cluster";
import type { Worker } from "node:cluster";
import { pino } from "pino";
import { startRuntime } from "../../src/runtime/server.ts";
import { forwardAuthPolicy } from "../runtime/forward-auth-fixture.ts";

const WORKERS = 2;
const port = Number(process.env["RAMPART_CLUSTER_PORT"]);

if (cluster.isPrimary) {
  const workers: Worker[] = [];
  let ready = 0;
  for (let i = 0; i < WORKERS; i++) {
    const worker = cluster.fork();
    workers.push(worker);
    worker.on("message", (m: { ready?: boolean; requests?: number }) => {
      if (m.ready === true && ++ready === WORKERS)
        process.send?.({ ready: true, pids: workers.map((w) => w.process.pid) });
      if (m.requests !== undefined)
        process.send?.({ pid: worker.process.pid, requests: m.requests });
    });
  }
  process.on("message", (m: { cmd: string }) => {
    if (m.cmd === "count") for (const w of workers) w.send({ cmd: "count" });
    if (m.cmd === "exit") {
      for (const w of workers) w.kill();
      process.exit(0);
    }
  });
  // The test process going away takes the deployment with it.
  process.on("disconnect", () => {
    for (const w of workers) w.kill();
    process.exit(0);
  });
} else {
  const started = await startRuntime({
    load: () =>
      Promise.resolve({
        value: [forwardAuthPolicy(process.env["RAMPART_TEST_UPSTREAM"] ?? null)],
        diagnostics: [],
      }),
    http: { host: "127.0.0.1", port },
    cookieKey: process.env["RAMPART_COOKIE_KEY"] ?? "",
    logger: pino({ level: "warn" }),
  });
  if (started.value === undefined) process.exit(1);
  const metrics = started.value.metrics;
  process.on("message", async (m: { cmd: string }) => {
    if (m.cmd !== "count") return;
    const all = await metrics.registry.getMetricsAsJSON();
    const requests = all.find((metric) => metric.name === "rampart_requests_total");
    const values = (requests?.values ?? []) as { value: number }[];
    process.send?.({ requests: values.reduce((sum, v) => sum + v.value, 0) });
  });
  process.send?.({ ready: true });
}
