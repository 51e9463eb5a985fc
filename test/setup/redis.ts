/**
 * Makes sure Debian's `redis-server` is installed (the fleet tests and the shared-state
 * benchmarks run their own instances of it), the same way test/setup/nginx.ts does for nginx.
 *
 * Run directly (`node test/setup/redis.ts`) to install ahead of time.
 */
import { ensureDebianBinary } from "./nginx.ts";

/** Where the Debian package puts the server; the tests run exactly this binary. */
export const REDIS_SERVER_PATH = "/usr/bin/redis-server";

/** Resolves to the redis-server path, installing the package first when it is missing. */
export function ensureRedisServer(): Promise<string> {
  return ensureDebianBinary("redis-server", REDIS_SERVER_PATH);
}

if (import.meta.main) {
  ensureRedisServer().then(
    (path) => process.stdout.write(`${path}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
