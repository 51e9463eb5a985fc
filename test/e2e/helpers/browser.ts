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

/** A browser context with its own profile; `close` removes the profile too. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh `--user-data-dir`. TLS certificate errors are ignored: the
 * runtime serves a self-signed certificate for the test hosts (`*.localhost`, which Chromium
 * resolves to loopback by itself).
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = await ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), "rampart-e2e-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ARGS,
    ignoreHTTPSErrors: true,
    timeout: STEP_TIMEOUT_MS,
  });
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
