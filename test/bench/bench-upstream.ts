/**
 * The upstream client settings of the in-process benches (pipeline, forward-auth, shadow):
 * one pooled connection and short timeouts; their upstream is never reached or answers at once.
 * Plain values with a type-only import, so a bench that loads another tree's runtime can use it.
 */
import type { UpstreamOptions } from "../../src/runtime/options.ts";

export const BENCH_UPSTREAM: UpstreamOptions = {
  connectTimeoutMs: 1000,
  headersTimeoutMs: 1000,
  bodyTimeoutMs: 1000,
  maxBodyBytes: 1e6,
  connections: 1,
  keepAliveTimeoutMs: 1000,
};
