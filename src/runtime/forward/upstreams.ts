/**
 * Keep-alive connection pools to upstream origins, shared across reloads: a reload that keeps
 * an upstream keeps its warm connections; pools no longer referenced are closed gracefully
 * (in-flight requests finish first).
 */
import { Pool } from "undici";
import type { UpstreamOptions } from "../options.ts";

/** A parsed upstream with its pool. */
export interface Upstream {
  readonly origin: string;
  /** `host[:port]` as the upstream expects it in `Host`. */
  readonly host: string;
  /** A path prefix from the upstream URL, prepended to forwarded paths ("" for none). */
  readonly basePath: string;
  readonly secure: boolean;
  readonly pool: Pool;
}

/** Pools by origin. */
export class UpstreamPools {
  readonly #pools = new Map<string, Pool>();
  readonly #options: UpstreamOptions;

  constructor(options: UpstreamOptions) {
    this.#options = options;
  }

  /** The upstream for a URL, or null when it is not an absolute http(s) URL. */
  upstreamFor(url: string | null): Upstream | null {
    if (url === null) return null;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
    let pool = this.#pools.get(parsed.origin);
    if (pool === undefined) {
      pool = this.#createPool(parsed.origin);
      this.#pools.set(parsed.origin, pool);
    }
    const basePath = parsed.pathname === "/" ? "" : parsed.pathname.replace(/\/$/, "");
    return {
      origin: parsed.origin,
      host: parsed.host,
      basePath,
      secure: parsed.protocol === "https:",
      pool,
    };
  }

  #createPool(origin: string): Pool {
    const o = this.#options;
    return new Pool(origin, {
      connections: o.connections,
      pipelining: 1,
      keepAliveTimeout: o.keepAliveTimeoutMs,
      headersTimeout: o.headersTimeoutMs,
      bodyTimeout: o.bodyTimeoutMs,
      connect: { timeout: o.connectTimeoutMs },
    });
  }

  /** Closes pools whose origin is not in `keep`. */
  async retainOnly(keep: ReadonlySet<string>): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [origin, pool] of this.#pools) {
      if (keep.has(origin)) continue;
      this.#pools.delete(origin);
      closing.push(pool.close().catch(() => undefined));
    }
    await Promise.all(closing);
  }

  /** Closes every pool; `force` aborts in-flight requests. */
  async closeAll(force: boolean): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => (force ? p.destroy() : p.close()).catch(() => undefined)));
  }
}
