/** `rampart serve`: the edge proxy, enforcing compiled policies. */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import type { RuntimeOptions } from "../../runtime/options.ts";
import { startExample, startRuntime } from "../../runtime/index.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";
import { bundleLoader, policyFilesLoader } from "../compile-load.ts";
import { withEnvironment } from "../env-flags.ts";
import { reportDiagnostics } from "../report.ts";
import { openRemoteBundle } from "../remote-bundle-flags.ts";
import type { RemoteBundle } from "../../runtime/bundles/remote-bundle.ts";
import { shadowFlags } from "../shadow-flags.ts";
import type { ShadowFlags } from "../shadow-flags.ts";

export const EXAMPLE_POLICY = fileURLToPath(
  new URL("../../../fixtures/policies/acme.rampart", import.meta.url),
);

export const serveHelp = `rampart serve [POLICY... | --bundle FILE | --bundle-url URL --bundle-key PUBKEY] [options]
rampart serve --example

Serves published tunnels: terminates TLS per tunnel (by SNI), decides every handshake
and request with the compiled policy, answers the well-known endpoints and forwards
what passes to each tunnel's upstream. Reloads on SIGHUP and when a policy file
changes (a broken edit keeps the running policy); shuts down gracefully on SIGTERM.

  --example              the example policy with an example upstream on loopback
  --bundle FILE          load a bundle from \`rampart compile\` instead of policy files
  --bundle-url URL       poll a signed bundle (\`rampart compile --sign\`) from a control
                         plane; needs --bundle-key PUBKEY (a PEM public key). Swaps in a
                         newer bundle once its signature verifies; refuses older ones
  --bundle-cache FILE    where the last good signed bundle is kept, and started from when
                         the control plane is unreachable (default rampart-bundle.cache.jws)
  --bundle-poll SECONDS  how often to poll (default 5)
  --state URL            the fleet's shared store, redis://HOST:PORT (docs/scaling.md);
                         default: in this process, for one instance
  --config FILE          runtime options as JSON (listeners, certificates, tokens,
                         geoipDatabase, trustedProxies, upstream limits, challenge,
                         rstreamAuth …; see docs/runtime.md)
  --http HOST:PORT       plain-HTTP listener        --https HOST:PORT   TLS listener
  --admin HOST:PORT      /healthz and /metrics
  --forward-auth HOST:PORT  answer nginx auth_request, Traefik ForwardAuth and Envoy
                         ext_authz sub-requests (needs --trusted-proxy; docs/forward-auth.md)
  --cert HOSTS=CERT:KEY  a certificate for comma-separated hosts (repeatable)
  --tcp TUNNEL=HOST:PORT publish a tcp tunnel (by id or name) on a port (repeatable;
                         docs/protocols.md)
  --geoip FILE           a MaxMind DB (default: the embedded CC0 country database)
  --trusted-proxy CIDR   believe X-Forwarded-For from this peer (repeatable)
  --shadow CANDIDATE     shadow rollout: a candidate policy file, bundle file or signed
                         bundle URL (verified with --bundle-key) decides every request too;
                         only the running policy acts. Disagreements are counted on /metrics
                         and logged as witnesses (docs/shadow.md; \`rampart shadow report\`)
  --shadow-sample N      witness lines per rule pair per minute (default 5)

Operations (docs/operations.md):
  --log-level LEVEL      fatal, error, warn, info (default), debug, trace or silent
  --access-log           one log line per request (tunnel, decision, status, duration,
                         bytes; never a token or cookie value)
  --access-log-sample R  log this fraction of requests, 0 to 1 (default 1; 500s and
                         client aborts are always logged)
  --drain-delay MS       on SIGTERM, fail /readyz and keep serving this long before the
                         listeners close (default 0)
  --max-connections N    open client connections across listeners (default 10000)
  --tunnel-concurrency N requests one tunnel may have at its upstream (default 100)
  --tunnel-queue N       requests that may wait for a slot; more answer 503 (default 100)
  --headers-timeout MS   time to receive a request head (default 10000)
  --body-idle-timeout MS silence inside a request body before 408 (default 10000)
  --request-timeout MS   time to receive a whole request (default 60000)
  --tls-tickets on|off   TLS session resumption by tickets (default on); the ticket key
                         comes from RAMPART_TLS_TICKET_KEY (shared by a fleet) or is
                         random per process
  --tls-ticket-rotation SECONDS  how often the ticket key changes (default 43200)

Every flag is also an environment variable, RAMPART_ and the flag's name in capitals
(RAMPART_HTTP, RAMPART_FORWARD_AUTH, RAMPART_CERT="h1=c1:k1 h2=c2:k2", RAMPART_EXAMPLE=1);
a flag given on the command line wins (docs/deploy.md lists them all).
Secrets come from the environment, never from flags: RAMPART_COOKIE_KEY (32+ chars,
shared by every instance), RAMPART_TOKEN_SECRET (the HS256 community secret) and
RAMPART_TLS_TICKET_KEY (32+ chars: TLS tickets resume on every instance sharing it);
RAMPART_STATE_URL stands for --state (a URL with a password belongs there).
Exit codes: 0 stopped cleanly, 1 the policy or options have errors, 2 usage or I/O error.`;

function address(value: unknown, flag: string): { host: string; port: number } | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === "string" ? /^(.*):(\d{1,5})$/.exec(value) : null;
  if (match === null) throw new UsageError(`${flag} takes HOST:PORT`);
  const host = (match[1] ?? "").replace(/^\[(.*)\]$/, "$1");
  return { host: host === "" ? "127.0.0.1" : host, port: Number(match[2]) };
}

function numberFlag(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${flag} takes a number`);
  return n;
}

function onOff(value: unknown, flag: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "on" || value === "off") return value === "on";
  throw new UsageError(`${flag} takes on or off`);
}

/** TLS resumption from its flags and RAMPART_TLS_TICKET_KEY (a secret: never a flag). */
function tlsSessionFlags(values: Values, config: Record<string, unknown>, io: Io) {
  return merged(config, "tlsSessions", {
    tickets: onOff(values["tls-tickets"], "--tls-tickets"),
    rotationSeconds: numberFlag(values["tls-ticket-rotation"], "--tls-ticket-rotation"),
    ticketKey: io.env["RAMPART_TLS_TICKET_KEY"],
  });
}

/** Set fields only, so a flag overrides one field of a --config object and keeps the rest. */
function present(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept = Object.entries(fields).filter(([, v]) => v !== undefined);
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

function merged(config: Record<string, unknown>, key: string, flags: Record<string, unknown>) {
  const set = present(flags);
  if (set === undefined) return undefined;
  return { ...((config[key] as object | undefined) ?? {}), ...set };
}

function certificates(values: unknown): { hosts: string[]; certFile: string; keyFile: string }[] {
  return ((values as string[] | undefined) ?? []).map((spec) => {
    const match = /^([^=]+)=([^:]+):(.+)$/.exec(spec);
    if (match === null) throw new UsageError("--cert takes HOSTS=CERT:KEY");
    return {
      hosts: (match[1] ?? "").split(","),
      certFile: match[2] ?? "",
      keyFile: match[3] ?? "",
    };
  });
}

function tcpPorts(values: unknown): { tunnel: string; host: string; port: number }[] {
  return ((values as string[] | undefined) ?? []).map((spec) => {
    const eq = spec.indexOf("=");
    if (eq <= 0) throw new UsageError("--tcp takes TUNNEL=HOST:PORT");
    const at = address(spec.slice(eq + 1), "--tcp TUNNEL=");
    return { tunnel: spec.slice(0, eq), host: at?.host ?? "127.0.0.1", port: at?.port ?? 0 };
  });
}

async function configFile(path: unknown): Promise<Record<string, unknown>> {
  if (typeof path !== "string") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read --config \`${path}\`: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`--config \`${path}\` must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Resolves once the process is asked to stop and `close` has finished. */
function closeOnSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      void close().then(resolve, resolve);
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

function failed(io: Io, diagnostics: readonly Diagnostic[]): ExitCode {
  reportDiagnostics(io, "text", diagnostics, [], { summary: false });
  return ExitCode.Findings;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** Runtime options from the flags, the --config file and the environment. */
async function runtimeOptions(
  values: Values,
  positionals: string[],
  io: Io,
  remote: RemoteBundle | null,
  shadow: ShadowFlags | null,
): Promise<RuntimeOptions> {
  const bundle = values["bundle"];
  const sources = [positionals.length > 0, typeof bundle === "string", remote !== null];
  if (sources.filter(Boolean).length > 1) {
    throw new UsageError("give policy files, --bundle or --bundle-url, only one of them");
  }
  if (!sources.includes(true)) {
    throw new UsageError("serve needs policy files, --bundle FILE, --bundle-url URL or --example");
  }
  const cookieKey = io.env["RAMPART_COOKIE_KEY"];
  if (cookieKey === undefined) throw new UsageError("set RAMPART_COOKIE_KEY (32+ characters)");
  const config = await configFile(values["config"]);
  const tokenSecret = io.env["RAMPART_TOKEN_SECRET"];
  const flags: Record<string, unknown> = {
    http: address(values["http"], "--http"),
    https: address(values["https"], "--https"),
    admin: address(values["admin"], "--admin"),
    forwardAuth: address(values["forward-auth"], "--forward-auth"),
    certificates: values["cert"] === undefined ? undefined : certificates(values["cert"]),
    tcp: values["tcp"] === undefined ? undefined : tcpPorts(values["tcp"]),
    geoipDatabase: values["geoip"],
    trustedProxies: values["trusted-proxy"],
    logLevel: values["log-level"],
    drainDelayMs: numberFlag(values["drain-delay"], "--drain-delay"),
    accessLog: merged(config, "accessLog", {
      // A sample rate without --access-log still means "log these".
      enabled:
        values["access-log"] === true || values["access-log-sample"] !== undefined
          ? true
          : undefined,
      sampleRate: numberFlag(values["access-log-sample"], "--access-log-sample"),
    }),
    clients: merged(config, "clients", {
      maxConnections: numberFlag(values["max-connections"], "--max-connections"),
      headersTimeoutMs: numberFlag(values["headers-timeout"], "--headers-timeout"),
      bodyIdleTimeoutMs: numberFlag(values["body-idle-timeout"], "--body-idle-timeout"),
      requestTimeoutMs: numberFlag(values["request-timeout"], "--request-timeout"),
    }),
    tlsSessions: tlsSessionFlags(values, config, io),
    tunnelLimits: merged(config, "tunnelLimits", {
      concurrency: numberFlag(values["tunnel-concurrency"], "--tunnel-concurrency"),
      queue: numberFlag(values["tunnel-queue"], "--tunnel-queue"),
    }),
  };
  const stateUrl =
    typeof values["state"] === "string" ? values["state"] : io.env["RAMPART_STATE_URL"];
  return {
    ...config,
    ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
    ...(stateUrl === undefined
      ? {}
      : { state: { ...((config["state"] as object | undefined) ?? {}), url: stateUrl } }),
    load:
      remote !== null
        ? () => remote.load()
        : typeof bundle === "string"
          ? bundleLoader(bundle, io)
          : policyFilesLoader(positionals, io),
    watchFiles: [
      ...(remote !== null ? [] : typeof bundle === "string" ? [bundle] : positionals),
      ...(shadow?.watch ?? []),
    ],
    ...(shadow === null ? {} : { shadow: shadow.options }),
    handleSignals: true,
    cookieKey,
    ...(tokenSecret === undefined
      ? {}
      : { tokens: { ...((config["tokens"] as object | undefined) ?? {}), secret: tokenSecret } }),
  } as RuntimeOptions;
}

/**
 * Every flag of `serve`, in one table: each is also settable as `RAMPART_<FLAG>` (env-flags.ts;
 * docs/deploy.md lists them, checked by test/cli/serve-env.test.ts). Add a flag here.
 */
export const SERVE_OPTIONS = {
  example: { type: "boolean" },
  bundle: { type: "string" },
  config: { type: "string" },
  http: { type: "string" },
  https: { type: "string" },
  admin: { type: "string" },
  "forward-auth": { type: "string" },
  cert: { type: "string", multiple: true },
  tcp: { type: "string", multiple: true },
  geoip: { type: "string" },
  "trusted-proxy": { type: "string", multiple: true },
  "log-level": { type: "string" },
  "access-log": { type: "boolean" },
  "access-log-sample": { type: "string" },
  "drain-delay": { type: "string" },
  "max-connections": { type: "string" },
  "tunnel-concurrency": { type: "string" },
  "tunnel-queue": { type: "string" },
  "headers-timeout": { type: "string" },
  "body-idle-timeout": { type: "string" },
  "request-timeout": { type: "string" },
  state: { type: "string" },
  "bundle-url": { type: "string" },
  "bundle-key": { type: "string" },
  "bundle-cache": { type: "string" },
  "bundle-poll": { type: "string" },
  shadow: { type: "string" },
  "shadow-sample": { type: "string" },
  "tls-tickets": { type: "string" },
  "tls-ticket-rotation": { type: "string" },
} as const;

export async function serve(argv: readonly string[], io: Io): Promise<ExitCode> {
  const parsed = parseCommandArgs(argv, SERVE_OPTIONS);
  const values = withEnvironment(parsed.values, SERVE_OPTIONS, io.env);
  const positionals = parsed.positionals;
  if (values["example"] === true && values["shadow"] !== undefined)
    throw new UsageError("--shadow does not go with --example; give the policy files instead");
  if (values["example"] === true) {
    const example = await startExample({
      load: policyFilesLoader([EXAMPLE_POLICY], io),
      watchFiles: [EXAMPLE_POLICY],
      print: (text) => io.out(text),
    });
    if (example.value === undefined) return failed(io, example.diagnostics);
    const handle = example.value;
    await closeOnSignal(() => handle.close());
    return ExitCode.Ok;
  }
  const remote = await openRemoteBundle(values, io);
  if (remote !== null && "diagnostics" in remote) return failed(io, remote.diagnostics);
  const shadow = await shadowFlags(values, io);
  const options = await runtimeOptions(values, positionals, io, remote, shadow);
  const started = await startRuntime(options);
  if (started.value === undefined) return failed(io, started.diagnostics);
  // A newer signed bundle swaps in like a reload: the running generation serves until then.
  remote?.start(() => void started.value?.reload());
  shadow?.remote?.start(() => void started.value?.reload());
  if (started.diagnostics.length > 0)
    reportDiagnostics(io, "text", started.diagnostics, [], { summary: false });
  const { http, https, admin } = started.value.addresses;
  for (const [name, bound] of Object.entries({ http, https, admin })) {
    if (bound !== null) io.err(`rampart: ${name} listening on ${JSON.stringify(bound)}\n`);
  }
  for (const { tunnel, address } of started.value.addresses.tcp)
    io.err(`rampart: tcp tunnel ${tunnel} listening on ${JSON.stringify(address)}\n`);
  const runtime = started.value;
  await closeOnSignal(() => {
    remote?.stop();
    shadow?.remote?.stop();
    return runtime.close();
  });
  return ExitCode.Ok;
}
