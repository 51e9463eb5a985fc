/**
 * The admin listener: `/healthz` (alive), `/readyz` (a policy is loaded, the listeners are up
 * and the process is not draining) and `/metrics`, on an address of its own so that none is
 * reachable through a tunnel host.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { RuntimeMetrics } from "./metrics.ts";

/** What `/healthz` reports. */
export interface HealthSource {
  health(): { readonly ok: boolean; readonly generation: number; readonly tunnels: number };
  /** Whether new requests should be sent here; absent: the same as `health().ok`. */
  ready?(): boolean;
}

/** An HTTP server answering the admin endpoints. */
export function createAdminServer(metrics: RuntimeMetrics, source: HealthSource): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz") {
      const h = source.health();
      const body = JSON.stringify({
        status: h.ok ? "ok" : "unavailable",
        generation: h.generation,
        tunnels: h.tunnels,
      });
      res.writeHead(h.ok ? 200 : 503, {
        "content-type": "application/json",
        "cache-control": "no-store",
      });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    if (path === "/readyz") {
      const ready = source.ready?.() ?? source.health().ok;
      res.writeHead(ready ? 200 : 503, {
        "content-type": "application/json",
        "cache-control": "no-store",
      });
      res.end(req.method === "HEAD" ? undefined : JSON.stringify({ ready }));
      return;
    }
    if (path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(req.method === "HEAD" ? undefined : text);
        },
        () => res.writeHead(500).end(),
      );
      return;
    }
    res
      .writeHead(404, { "content-type": "application/json" })
      .end(JSON.stringify({ error: { reason: "not_found" } }));
  });
}
