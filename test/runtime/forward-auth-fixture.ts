/**
 * Shared by the forward-auth tests: a policy with one tunnel per concern (token auth, a
 * trusted-IP list, challenge mode, rstream Auth, an open tunnel), tokens for it, and the forward-auth
 * handler on a loopback port with the runtime's own fact sources (GeoIP, token backend,
 * serving state), without the rest of `startRuntime`.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import assert from "node:assert/strict";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import type { GrantIr } from "../../src/ir/types.ts";
import { createForwardAuthHandler } from "../../src/runtime/forward-auth/handler.ts";
import { UpstreamPools } from "../../src/runtime/forward/upstreams.ts";
import { openCountryDatabase } from "../../src/runtime/geoip.ts";
import { parseTrustedProxies } from "../../src/runtime/http/client-ip.ts";
import { resolveOptions } from "../../src/runtime/options.ts";
import { buildServingState } from "../../src/runtime/state.ts";
import { detectTlsCapabilities } from "../../src/runtime/tls/capabilities.ts";
import { createTokenBackend } from "../../src/runtime/tokens/create-backend.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import {
  effectivePolicy,
  compiledPolicy,
  tunnel,
  withToken,
  withTrustedIps,
} from "./helpers/policy.ts";
import { COOKIE_KEY, capturingLogger } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";

/** The community backend's shared secret in these tests. */
export const TOKEN_SECRET = "forward-auth-secret-0123456789abcdef-012345";

/** Hosts of the fixture's tunnels. */
export const HOSTS = {
  /** Token auth; the grant allows paths under /api. */
  token: "app.example.test",
  /** Only 203.0.113.0/24 may enter. */
  office: "office.example.test",
  /** Challenge mode, no auth. */
  guarded: "guarded.example.test",
  /** Nothing but routing. */
  open: "open.example.test",
  /** rstream Auth: a session cookie for any user. */
  portal: "portal.example.test",
} as const;

/** A grant for paths under /api, any method. */
export const API_GRANT: GrantIr = {
  name: "api-reader",
  type: null,
  parent: null,
  expiresAt: null,
  permissions: null,
  resources: {
    kind: "leaf",
    workspaces: null,
    projects: ["acme"],
    create: null,
    list: null,
    connect: {
      filter: null,
      path: { kind: "prefix", values: ["/api"] },
      methods: null,
      select: null,
    },
  },
  spans: {},
};

/** The fixture policy, compiled by the compiler. */
export function forwardAuthPolicy(upstream: string | null = null): CompiledPolicy {
  const t = (id: string, host: string): ReturnType<typeof tunnel> =>
    tunnel({ id, hosts: [host], upstream });
  return compiledPolicy(
    effectivePolicy(
      [
        withToken(t("app", HOSTS.token)),
        withTrustedIps(t("office", HOSTS.office), ["203.0.113.0/24"]),
        { ...t("guarded", HOSTS.guarded), challenge: true },
        t("open", HOSTS.open),
        {
          ...t("portal", HOSTS.portal),
          auth: { ...t("portal", HOSTS.portal).auth, rstreamAuth: true },
        },
      ],
      { "api-reader": API_GRANT },
    ),
  );
}

/** A token for the fixture grant, subject `user-1` unless told otherwise. */
export async function mintApiToken(subject = "user-1", lifetimeSeconds = 600): Promise<string> {
  const minted = await mintToken({
    secret: TOKEN_SECRET,
    grant: API_GRANT,
    subject,
    lifetimeSeconds,
  });
  assert.ok(minted.value, JSON.stringify(minted.diagnostics));
  return minted.value;
}

/** A running forward-auth endpoint. */
export interface ForwardAuthServer {
  readonly port: number;
  readonly lines: LogLines;
  close(): Promise<void>;
}

/** Serves the fixture policy's forward-auth endpoint on loopback, trusting `trusted`. */
export async function startForwardAuthServer(
  trusted: string[] = ["127.0.0.1", "::1"],
): Promise<ForwardAuthServer> {
  const diagnostics: Diagnostic[] = [];
  const options = resolveOptions({
    load: () => Promise.reject(new Error("unused")),
    http: { port: 0 },
    cookieKey: COOKIE_KEY,
  });
  assert.ok(options.value);
  const geo = openCountryDatabase(
    join(import.meta.dirname, "../../fixtures/geoip/GeoIP2-Country-Test.mmdb"),
    () => {},
  );
  assert.ok(geo.value, JSON.stringify(geo.diagnostics));
  const tokens = createTokenBackend({ ...options.value.tokens, secret: TOKEN_SECRET }, diagnostics);
  const pools = new UpstreamPools(options.value.upstream);
  const state = buildServingState(
    [forwardAuthPolicy()],
    {
      https: false,
      upstreamOverride: null,
      certificates: [],
      capabilities: detectTlsCapabilities(),
      pools,
    },
    1,
    diagnostics,
  );
  assert.equal(
    diagnostics.filter((d) => d.severity === "error").length,
    0,
    JSON.stringify(diagnostics),
  );
  const { logger, lines } = capturingLogger();
  const handler = createForwardAuthHandler({
    state: () => state,
    geo: geo.value,
    cookieKey: COOKIE_KEY,
    tokens,
    trustedProxies: parseTrustedProxies(trusted, diagnostics),
    log: logger,
    metrics: null,
  });
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    lines,
    close: async () => {
      tokens?.close?.();
      await pools.closeAll(false);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
