/**
 * Makes sure the Debian `chromium` package is installed, for the end-to-end browser tests.
 * CI runs as root on a clean Debian machine where only npm and the Debian archive are
 * reachable, so the browser comes from `apt-get`, never from a Playwright download.
 *
 * Idempotent and quiet: when `/usr/bin/chromium` exists it returns at once; otherwise it runs
 * `apt-get update` (only when the package is unknown) and `apt-get install chromium` once,
 * under an exclusive lock so parallel test files do not race each other.
 *
 * Run directly (`node test/setup/chromium.ts`) to install ahead of time.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where the Debian package puts the browser; the e2e tests launch exactly this binary. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** The whole install may download ~100 MB; beyond this the setup gives up with a clear error. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };

let pending: Promise<string> | null = null;

/** Resolves to the browser path, installing the package first when it is missing. */
export function ensureChromium(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return Promise.resolve(CHROMIUM_PATH);
  pending ??= install();
  return pending;
}

async function install(): Promise<string> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${CHROMIUM_PATH} is missing; install it with \`sudo apt-get install chromium\``,
    );
  }
  // flock serializes concurrent installers (several test processes); apt's own lock wait
  // covers an unrelated apt run on the machine.
  const script = [
    `test -x ${CHROMIUM_PATH} && exit 0`,
    "apt-cache show chromium >/dev/null 2>&1 || apt-get -qq update",
    "apt-get -qq -o DPkg::Lock::Timeout=300 install -y --no-install-recommends chromium >/dev/null",
  ].join("; ");
  try {
    await run("flock", ["/tmp/rampart-chromium-setup.lock", "sh", "-c", script], {
      env: APT_ENV,
      timeout: INSTALL_TIMEOUT_MS,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`installing Debian chromium failed: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`apt-get finished but ${CHROMIUM_PATH} is still missing`);
  return CHROMIUM_PATH;
}

if (import.meta.main) {
  ensureChromium().then(
    (path) => process.stdout.write(`${path}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
