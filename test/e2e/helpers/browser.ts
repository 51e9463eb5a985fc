/**
 * Headless Chromium for the end-to-end tests: the Debian `chromium` binary (installed by
 * `test/setup/chromium.ts` when missing), driven with `playwright-core`, in a fresh profile
 * that is deleted afterwards. No network beyond loopback: every background service is off.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { BrowserContext } from "playwright-core";
import { ensureChromium } from "../../setup/chromium.ts";

/** Every wait in the browser tests is bounded by this. */
export const STEP_TIMEOUT_MS = 15_000;

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const LOCAL_HOST = /^(127\.0\.0\.1|\[::1\]|localhost|[a-z0-9-]+\.localhost)$/;

/** A browser context with its own profile; `close` removes the profile too. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh `--user-data-dir`. TLS certificate errors are ignored: the
 * runtime serves a self-signed certificate for the test hosts (`*.localhost`).
 */
export async function launchBrowser(
  hostPorts: Readonly<Record<string, number>> = {},
): Promise<TestBrowser> {
  const executablePath = await ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), "rampart-e2e-profile-"));
  // `https://<host>/` (port 443, as in production) is sent to the runtime's test port, so
  // Origin and Referer carry no port and the callback URL is the one an operator registers.
  const rules = Object.entries(hostPorts).map(
    ([host, port]) => `MAP ${host}:443 127.0.0.1:${port}`,
  );
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: rules.length === 0 ? ARGS : [...ARGS, `--host-resolver-rules=${rules.join(", ")}`],
    ignoreHTTPSErrors: true,
    timeout: STEP_TIMEOUT_MS,
  });
  // Hermetic: nothing leaves the machine (the IdP's pages import a web font, for one).
  await context.route(
    (url) => !LOCAL_HOST.test(url.hostname),
    (route) => route.abort("blockedbyclient"),
  );
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
