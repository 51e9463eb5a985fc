/**
 * Shared by the forward-auth tests: a policy with one tunnel per concern (token auth, a
 * trusted-IP list, challenge mode, rstream Auth, an open tunnel), tokens for it, and
 * `rampart serve` with its forward-auth listener on loopback.
 */
import { join } from "node:path";
import assert from "node:assert/strict";
import type { CompiledPolicy } from "../../src/compile/engine.ts";
import type { GrantIr } from "../../src/ir/types.ts";
import { mintToken } from "../../src/runtime/tokens/mint.ts";
import {
  effectivePolicy,
  compiledPolicy,
  tunnel,
  withToken,
  withTrustedIps,
} from "./helpers/policy.ts";
import { startTestRuntime } from "./helpers/runtime.ts";
import type { LogLines } from "./helpers/runtime.ts";
import { actionIr, grantIr, grantLeaf } from "../../src/testkit/builders.ts";

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
export const API_GRANT: GrantIr = grantIr({
  name: "api-reader",
  resources: grantLeaf({
    projects: ["acme"],
    connect: actionIr({ path: { kind: "prefix", values: ["/api"] } }),
  }),
});

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
    project: "acme",
  });
  assert.ok(minted.value, JSON.stringify(minted.diagnostics));
  return minted.value;
}

/** A running runtime with its forward-auth listener. */
export interface ForwardAuthServer {
  /** The forward-auth listener. */
  readonly port: number;
  /** The ordinary HTTP listener (well-known endpoints, challenge and login pages). */
  readonly servePort: number;
  readonly lines: LogLines;
  close(): Promise<void>;
}

/**
 * Starts `rampart serve` with the fixture policy, a forward-auth listener and an HTTP
 * listener on loopback, trusting `trusted` as proxies; `upstream` for every tunnel.
 */
export async function startForwardAuthServer(
  trusted: string[] = ["127.0.0.1", "::1"],
  upstream: string | null = null,
): Promise<ForwardAuthServer> {
  const { runtime, lines } = await startTestRuntime([forwardAuthPolicy(upstream)], {
    forwardAuth: { host: "127.0.0.1", port: 0 },
    tokens: { secret: TOKEN_SECRET },
    trustedProxies: trusted,
    geoipDatabase: join(import.meta.dirname, "../../fixtures/geoip/GeoIP2-Country-Test.mmdb"),
  });
  const forwardAuth = runtime.addresses.forwardAuth;
  const http = runtime.addresses.http;
  assert.ok(forwardAuth !== null && http !== null);
  return { port: forwardAuth.port, servePort: http.port, lines, close: () => runtime.close() };
}
