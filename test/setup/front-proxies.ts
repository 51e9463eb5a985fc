/**
 * Makes sure the Debian `caddy` and `haproxy` packages are installed, as test/setup/nginx.ts
 * does for nginx (same lock, same quiet idempotence; the distribution's services are never
 * started: the tests run their own processes on loopback).
 *
 * Run directly (`node test/setup/front-proxies.ts`) to install ahead of time.
 */
import { ensureDebianBinary } from "./nginx.ts";

/** Where the Debian packages put the servers; the tests run exactly these binaries. */
export const CADDY_PATH = "/usr/bin/caddy";
export const HAPROXY_PATH = "/usr/sbin/haproxy";

/** Resolves to the caddy path, installing the package first when it is missing. */
export function ensureCaddy(): Promise<string> {
  return ensureDebianBinary("caddy", CADDY_PATH);
}

/** Resolves to the haproxy path, installing the package first when it is missing. */
export function ensureHaproxy(): Promise<string> {
  return ensureDebianBinary("haproxy", HAPROXY_PATH);
}

if (import.meta.main) {
  Promise.all([ensureCaddy(), ensureHaproxy()]).then(
    (paths) => process.stdout.write(`${paths.join("\n")}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
