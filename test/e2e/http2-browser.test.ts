/**
 * HTTP/2 with a real browser (issue #14 item 5): headless Chromium negotiates `h2` through ALPN
 * on the runtime's TLS listener, the page comes from the HTTP/1.1 upstream through the same
 * compiled decision, and a denied host answers the browser with the edge's 403 over h2.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RuntimeHandle } from "../../src/runtime/server.ts";
import { selfSigned, tempDir } from "../runtime/helpers/certs.ts";
import {
  compiledPolicy,
  effectivePolicy,
  tunnel,
  withTrustedIps,
} from "../runtime/helpers/policy.ts";
import { startTestRuntime } from "../runtime/helpers/runtime.ts";
import { startUpstream } from "../runtime/helpers/upstream.ts";
import type { Echo, TestUpstream } from "../runtime/helpers/upstream.ts";
import { launchBrowser } from "./helpers/browser.ts";
import type { TestBrowser } from "./helpers/browser.ts";

const APP = "h2app.localhost";
const DENIED = "h2denied.localhost";

describe("HTTP/2 in headless Chromium (issue #14)", () => {
  let upstream: TestUpstream;
  let runtime: RuntimeHandle;
  let browser: TestBrowser;

  before(async () => {
    const cert = selfSigned(tempDir(), "edge", [APP, DENIED]);
    upstream = await startUpstream();
    const policy = effectivePolicy([
      tunnel({ id: "app", hosts: [APP], upstream: upstream.url }),
      withTrustedIps(tunnel({ id: "denied", hosts: [DENIED], upstream: upstream.url }), [
        "192.0.2.0/24",
      ]),
    ]);
    runtime = (
      await startTestRuntime([compiledPolicy(policy)], {
        https: { host: "127.0.0.1", port: 0 },
        certificates: [{ hosts: [APP, DENIED], certFile: cert.cert, keyFile: cert.key }],
      })
    ).runtime;
    const port = runtime.addresses.https?.port ?? 0;
    browser = await launchBrowser({ [APP]: port, [DENIED]: port });
  });
  after(async () => {
    await browser?.close();
    await runtime?.close();
    await upstream?.close();
  });

  it("S-O1: Chromium loads a page over h2; the upstream sees an HTTP/1.1 request with the edge's headers", async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(`https://${APP}/page?x=1`);
    assert.equal(response?.status(), 200);
    // Evaluated in the page (the DOM types are not in this project's lib).
    const protocol = await page.evaluate(
      "performance.getEntriesByType('navigation')[0].nextHopProtocol",
    );
    assert.equal(protocol, "h2");
    const echo = JSON.parse((await response?.text()) ?? "{}") as Echo;
    assert.equal(echo.url, "/page?x=1");
    assert.equal(echo.headers["x-forwarded-proto"], "https");
    assert.equal(echo.headers["x-forwarded-host"], APP);
    await page.close();
  });

  it("S-A3: a denied host answers the browser with the edge's 403 over h2", async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(`https://${DENIED}/`);
    assert.equal(response?.status(), 403);
    await page.close();
  });
});
