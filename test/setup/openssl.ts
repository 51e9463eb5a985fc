/**
 * Makes sure the Debian `openssl` command is installed: the TLS tests generate their
 * certificates with it and talk to `rampart serve` through `openssl s_client`, a client that
 * shares no code with Node's TLS. Installs it the way `nginx.ts` installs nginx (apt-get under
 * a lock, once per process).
 *
 * Run directly (`node test/setup/openssl.ts`) to install ahead of time.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ensureDebianBinary } from "./nginx.ts";

const run = promisify(execFile);

/** Where the Debian package puts the command; the tests run exactly this binary. */
export const OPENSSL_PATH = "/usr/bin/openssl";

/** Resolves to the openssl path, installing the package first when it is missing. */
export function ensureOpenssl(): Promise<string> {
  return ensureDebianBinary("openssl", OPENSSL_PATH);
}

/**
 * Whether this openssl's TLS client can offer `group` (OpenSSL 3.5 added the ML-KEM hybrids;
 * Debian 12 ships 3.0). Asked of `s_client` itself, which refuses a group it does not know
 * before it connects.
 */
export async function opensslKnowsGroup(path: string, group: string): Promise<boolean> {
  try {
    // Port 9 on loopback: nothing listens, so a known group ends in a refused connection.
    await run(path, ["s_client", "-connect", "127.0.0.1:9", "-groups", group], {
      timeout: 10_000,
    });
    return true;
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "");
    return !/cannot be set|SSL_CONF_cmd\(-groups/.test(stderr);
  }
}

if (import.meta.main) {
  ensureOpenssl().then(
    (path) => process.stdout.write(`${path}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
