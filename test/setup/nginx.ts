/**
 * Makes sure the Debian `nginx` package (and `wrk`, for the forward-auth benchmark) is
 * installed. CI runs as root on a clean Debian machine where only npm and the Debian archive
 * are reachable, so both come from `apt-get`.
 *
 * Idempotent and quiet: when the binary exists it returns at once; otherwise it runs
 * `apt-get update` (only when the package is unknown) and `apt-get install` once, under an
 * exclusive lock so parallel test files do not race each other. Installing never starts the
 * distribution's nginx service: without an init system `invoke-rc.d` refuses to start it, and
 * the tests run their own nginx with a temporary prefix (`-p`) and `daemon off`.
 *
 * Run directly (`node test/setup/nginx.ts`) to install ahead of time.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where the Debian package puts the server; the tests run exactly this binary. */
export const NGINX_PATH = "/usr/sbin/nginx";
/** Where the Debian package puts the load generator. */
export const WRK_PATH = "/usr/bin/wrk";

/** Both packages are small; beyond this the setup gives up with a clear error. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };

const pending = new Map<string, Promise<string>>();

/** Resolves to the nginx path, installing the package first when it is missing. */
export function ensureNginx(): Promise<string> {
  return ensureDebianBinary("nginx", NGINX_PATH);
}

/** Resolves to the wrk path, installing the package first when it is missing. */
export function ensureWrk(): Promise<string> {
  return ensureDebianBinary("wrk", WRK_PATH);
}

/** Resolves to `path`, installing Debian package `pkg` first when it is missing. */
export function ensureDebianBinary(pkg: string, path: string): Promise<string> {
  if (existsSync(path)) return Promise.resolve(path);
  let installing = pending.get(pkg);
  if (installing === undefined) {
    installing = install(pkg, path);
    pending.set(pkg, installing);
  }
  return installing;
}

async function install(pkg: string, path: string): Promise<string> {
  if (process.getuid?.() !== 0) {
    throw new Error(`${path} is missing; install it with \`sudo apt-get install ${pkg}\``);
  }
  // flock serializes concurrent installers (several test processes); apt's own lock wait
  // covers an unrelated apt run on the machine.
  const script = [
    `test -x ${path} && exit 0`,
    `apt-cache show ${pkg} >/dev/null 2>&1 || apt-get -qq update`,
    `apt-get -qq -o DPkg::Lock::Timeout=300 install -y --no-install-recommends ${pkg} >/dev/null`,
  ].join("; ");
  try {
    await run("flock", [`/tmp/rampart-${pkg}-setup.lock`, "sh", "-c", script], {
      env: APT_ENV,
      timeout: INSTALL_TIMEOUT_MS,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`installing Debian ${pkg} failed: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
  if (!existsSync(path)) throw new Error(`apt-get finished but ${path} is still missing`);
  return path;
}

if (import.meta.main) {
  Promise.all([ensureNginx(), ensureWrk()]).then(
    (paths) => process.stdout.write(`${paths.join("\n")}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
