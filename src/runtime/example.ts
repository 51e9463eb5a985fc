/**
 * `npm start` / `rampart serve --example`: the runtime serving the example policy on loopback
 * in front of a tiny example upstream that stands in for every tunnel's upstream, with a
 * generated self-signed certificate, a random signing secret, and curl commands built from
 * the policy's own tests so the first thing a reader runs shows a real decision.
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { CompiledPolicy } from "../compile/engine.ts";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import type { EffectivePolicy } from "../bounds/effective.ts";
import type { PolicyTestIr } from "../ir/types.ts";
import { startRuntime } from "./server.ts";
import type { RuntimeHandle } from "./server.ts";
import { generateSelfSignedCertificate } from "./tls/self-signed.ts";
import { mintToken } from "./tokens/mint.ts";

/** Options of the example mode; the CLI compiles the example policy and passes `load`. */
export interface ExampleOptions {
  readonly load: () => Promise<Outcome<CompiledPolicy[]>>;
  /** The policy files, watched for changes. */
  readonly watchFiles?: readonly string[];
  readonly host?: string;
  readonly httpPort?: number;
  readonly httpsPort?: number;
  readonly adminPort?: number;
  readonly logger?: Logger;
  /** Where the welcome text goes (default: stdout). */
  readonly print?: (text: string) => void;
}

/** A running example. */
export interface ExampleHandle {
  readonly runtime: RuntimeHandle;
  readonly upstreamUrl: string;
  /** The welcome text that was printed. */
  readonly instructions: string;
  close(): Promise<void>;
}

/** Starts the example; problems are diagnostics. */
export async function startExample(options: ExampleOptions): Promise<Outcome<ExampleHandle>> {
  const diagnostics: Diagnostic[] = [];
  const first = await options.load();
  if (first.value === undefined) return { value: undefined, diagnostics: [...first.diagnostics] };
  const policies = first.value.map((p) => p.policy);
  const upstream = await startExampleUpstream();
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const hosts = [...new Set(policies.flatMap((p) => p.tunnels.flatMap((t) => t.hosts)))];
  const certificate = generateSelfSignedCertificate(hosts);
  diagnostics.push(...certificate.diagnostics.map((d) => ({ ...d, severity: "warning" as const })));
  const secret = randomBytes(32).toString("hex");
  const host = options.host ?? "127.0.0.1";
  const started = await startWithFallback(
    options,
    host,
    secret,
    upstreamUrl,
    certificate.value,
    hosts,
  );
  diagnostics.push(...started.diagnostics);
  if (started.value === undefined) {
    upstream.close();
    return { value: undefined, diagnostics };
  }
  const runtime = started.value;
  const instructions = await welcome(runtime, policies, secret, hosts, upstreamUrl);
  (options.print ?? ((text: string) => process.stdout.write(text)))(instructions);
  return {
    value: {
      runtime,
      upstreamUrl,
      instructions,
      close: async () => {
        await runtime.close();
        upstream.closeAllConnections();
        await new Promise<void>((resolve) => upstream.close(() => resolve()));
      },
    },
    diagnostics,
  };
}

/** Binds the usual ports; if one is taken, lets the system pick free ones instead. */
async function startWithFallback(
  options: ExampleOptions,
  host: string,
  secret: string,
  upstreamUrl: string,
  certificate: { certFile: string; keyFile: string } | undefined,
  hosts: readonly string[],
): Promise<Outcome<RuntimeHandle>> {
  const attempt = (ports: { http: number; https: number; admin: number }) =>
    startRuntime({
      load: options.load,
      http: { host, port: ports.http },
      ...(certificate === undefined
        ? {}
        : {
            https: { host, port: ports.https },
            certificates: [{ hosts: [...hosts], ...certificate }],
          }),
      admin: { host, port: ports.admin },
      tokens: { secret },
      cookieKey: secret,
      // The curl commands below say where the client is with X-Forwarded-For, as a front proxy would.
      trustedProxies: ["127.0.0.1", "::1"],
      upstreamOverride: upstreamUrl,
      watchFiles: [...(options.watchFiles ?? [])],
      handleSignals: true,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  const usual = {
    http: options.httpPort ?? 8080,
    https: options.httpsPort ?? 8443,
    admin: options.adminPort ?? 9090,
  };
  const first = await attempt(usual);
  if (first.value !== undefined || !first.diagnostics.some((d) => d.code === "RP6010"))
    return first;
  return attempt({ http: 0, https: 0, admin: 0 });
}

function startExampleUpstream(): Promise<Server> {
  const server = createServer((req, res) => {
    const body = JSON.stringify({
      upstream: "rampart example upstream",
      method: req.method,
      url: req.url,
      forwardedFor: req.headers["x-forwarded-for"] ?? null,
      forwardedHost: req.headers["x-forwarded-host"] ?? null,
      forwardedProto: req.headers["x-forwarded-proto"] ?? null,
    });
    res.writeHead(200, { "content-type": "application/json" }).end(`${body}\n`);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** A policy test the example can replay with curl: no session, no client certificate, no GeoIP. */
function replayable(policy: EffectivePolicy, test: PolicyTestIr): boolean {
  const r = test.request;
  if (r.session !== null || r.tls?.clientCert != null || r.challengeCookie !== null) return false;
  // A token with a named owner (S-T8) is not what the example mints (a member's token).
  if (r.token !== null && (r.token.kind !== "grant" || (r.token.owner ?? null) !== null))
    return false;
  const host = new URL(r.url).hostname;
  const tunnel = policy.tunnels.find((t) => t.hosts.includes(host));
  return (
    tunnel !== undefined &&
    tunnel.countryRules.length === 0 &&
    !tunnel.tls.postQuantum.mode.startsWith("req")
  );
}

async function welcome(
  runtime: RuntimeHandle,
  policies: readonly EffectivePolicy[],
  secret: string,
  hosts: readonly string[],
  upstreamUrl: string,
): Promise<string> {
  const http = runtime.addresses.http;
  const https = runtime.addresses.https;
  const admin = runtime.addresses.admin;
  const lines = [
    "",
    "rampart example: serving the example policy on loopback",
    `  http      ${http?.url ?? "-"}`,
    `  https     ${https === null ? "- (no openssl to make a certificate)" : `${https.url}  (self-signed for ${hosts.join(", ")})`}`,
    `  admin     ${admin === null ? "-" : `${admin.url}/healthz  ${admin.url}/metrics`}`,
    `  upstream  ${upstreamUrl}  (stands in for every tunnel's upstream)`,
    "",
  ];
  for (const policy of policies) {
    const test = policy.tests.find((t) => t.expect.outcome === "forward" && replayable(policy, t));
    if (test === undefined || http === null) continue;
    const r = test.request;
    const url = new URL(r.url);
    const headers = ["-H", `'Host: ${url.hostname}'`, "-H", `'X-Forwarded-For: ${r.clientIp}'`];
    const base = ["curl", "-i", ...(r.method === "GET" ? [] : ["-X", r.method]), ...headers];
    let auth: string[] = [];
    if (r.token?.kind === "grant") {
      const grant = policy.grants[r.token.grant];
      const minted =
        grant === undefined
          ? undefined
          : await mintToken({
              secret,
              grant,
              lifetimeSeconds: 3600,
              project: policy.projectId,
              clientId: "rampart-example",
              userId: "example-user",
              subject: "example-user",
            });
      if (minted?.value === undefined) continue;
      lines.push(
        `A token for grant "${r.token.grant}", valid for an hour:`,
        `  TOKEN='${minted.value}'`,
        "",
      );
      auth = ["-H", `"Authorization: Bearer $TOKEN"`];
    }
    const target = `${http.url}${url.pathname}${url.search}`;
    lines.push(`Try the policy's own test "${test.name}" (expected: forward to the upstream):`);
    lines.push(`  ${[...base, ...auth, `'${target}'`].join(" ")}`);
    lines.push("", "The same request without its token is refused:");
    lines.push(`  ${[...base, `'${target}'`].join(" ")}`);
    lines.push("", "The session endpoint, answered by the engine itself (S-W1):");
    lines.push(
      `  ${["curl", "-i", ...headers, `'${http.url}/.well-known/rstream/session'`].join(" ")}`,
    );
    if (https !== null) {
      lines.push(
        "",
        "Over TLS (the tunnel's TLS policy applies; -k because the certificate is self-signed):",
      );
      lines.push(
        `  curl -ik --resolve ${url.hostname}:${https.port}:127.0.0.1 -H 'X-Forwarded-For: ${r.clientIp}' ${auth.join(" ")} ${r.method === "GET" ? "" : `-X ${r.method} `}'https://${url.hostname}:${https.port}${url.pathname}'`,
      );
    }
    lines.push("");
  }
  lines.push("Edit the policy file and save: the runtime reloads it. Ctrl-C stops.", "");
  return lines.join("\n");
}
