/**
 * `startRuntime` options: the zod schema, the defaults, and validation into RP6001
 * diagnostics (never a stack trace for a bad flag).
 */
import { z } from "zod";
import type { Logger } from "pino";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import type { CompiledPolicy } from "../compile/engine.ts";
import type { TokenBackend } from "./tokens/backend.ts";
import { ChallengeOptionsSchema } from "./challenge/options.ts";
import { RstreamAuthOptionsSchema } from "./session/options.ts";
import { invalidOption } from "./diagnostics.ts";

const isFunction = (v: unknown): boolean => typeof v === "function";

const Address = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  /** 0 picks a free port (tests). */
  port: z.number().int().min(0).max(65535),
});

const Certificate = z.strictObject({
  /** Host patterns this certificate serves: exact hosts or `*.example.com`. */
  hosts: z.array(z.string().min(1)).min(1),
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
});

const PublicKey = z.strictObject({
  /** A PEM (SPKI) public key file. */
  file: z.string().min(1),
  alg: z.enum(["EdDSA", "ES256", "ES512"]),
  /**
   * The application client this key belongs to (S-T1): it then verifies only that client's
   * `app` tokens, and an `app` token verifies only with its own client's key.
   */
  clientId: z.string().min(1).optional(),
});

const Tokens = z.strictObject({
  /** HS256 shared secret of the community backend; at least 32 bytes. */
  secret: z.string().min(32).optional(),
  publicKeys: z.array(PublicKey).default([]),
  /** A JWKS URL (`createRemoteJWKSet`); keys pinned to EdDSA, ES256, ES512. */
  jwksUrl: z.url().optional(),
  issuer: z.string().min(1).optional(),
  audience: z.string().min(1).optional(),
  clockSkewSeconds: z.number().int().min(0).max(300).default(300),
  cacheSize: z.number().int().min(0).max(1_000_000).default(10_000),
  /** A replacement for JWT validation (S-H2), e.g. a credential store. */
  backend: z.custom<TokenBackend>((v) => typeof v === "object" && v !== null).optional(),
});

const Upstream = z.strictObject({
  connectTimeoutMs: z.number().int().positive().default(5_000),
  /** Time to the upstream's response headers before a 504. */
  headersTimeoutMs: z.number().int().positive().default(30_000),
  /** Idle time inside a response body before the stream is aborted. */
  bodyTimeoutMs: z.number().int().positive().default(60_000),
  /** Largest request body forwarded; larger ones answer 413. */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Connections kept per upstream origin. */
  connections: z.number().int().positive().default(128),
  keepAliveTimeoutMs: z.number().int().positive().default(4_000),
});

/** A `tcp` tunnel published on a port (S-P1): the policy names no port, the operator does. */
const TcpPort = z.strictObject({
  /** The tunnel's id or name. */
  tunnel: z.string().min(1),
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65535),
});

/** Bounds of the stream relays (`tls`, `tls-passthrough`, `tcp` tunnels; docs/protocols.md). */
const Streams = z.strictObject({
  /** Time from accept to a complete ClientHello, however it is split; then the socket closes. */
  helloTimeoutMs: z.number().int().positive().default(10_000),
  /** Time to connect to a stream tunnel's upstream. */
  connectTimeoutMs: z.number().int().positive().default(5_000),
  /** A relayed connection with no traffic either way for this long is closed. */
  idleTimeoutMs: z.number().int().positive().default(300_000),
});

/** What one client may hold (docs/operations.md): slow or stalled clients are cut, not waited on. */
const Clients = z.strictObject({
  /** Time to receive a request's head; past it the connection gets 408 and closes (slowloris). */
  headersTimeoutMs: z.number().int().positive().default(10_000),
  /** Time to receive a whole request, body included; past it 408. */
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** Silence in the middle of a request body before the request is cut with 408. */
  bodyIdleTimeoutMs: z.number().int().positive().default(10_000),
  /** Open client connections across the tunnel listeners; more are closed at accept. */
  maxConnections: z.number().int().positive().default(10_000),
});

/** Per-tunnel admission to the upstream, so one tunnel's slow clients cannot starve another. */
const TunnelLimits = z.strictObject({
  /** Requests one tunnel may have in flight to its upstream at once. */
  concurrency: z.number().int().positive().default(100),
  /** Requests that may wait for a free slot; more answer 503 at once. */
  queue: z.number().int().min(0).default(100),
  /** Longest wait for a slot before a 503. */
  queueTimeoutMs: z.number().int().positive().default(5_000),
});

/** The access log: one line per request (never a token or a cookie value). */
const AccessLog = z.strictObject({
  enabled: z.boolean().default(false),
  /** The fraction of requests logged, 0 to 1; 500s and client aborts are always logged. */
  sampleRate: z.number().min(0).max(1).default(1),
});

/** TLS session resumption (docs/operations.md): tickets, their key and its rotation. */
const TlsSessions = z.strictObject({
  /** Issue and accept session tickets; off: every connection makes a full handshake. */
  tickets: z.boolean().default(true),
  /**
   * The secret every instance derives its ticket key from (32+ characters, like `cookieKey`),
   * so a client resumes on any instance of the fleet; absent: a random key per process.
   */
  ticketKey: z.string().min(32).optional(),
  /** The ticket key changes on this wall-clock period; older tickets then do a full handshake. */
  rotationSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(12 * 3600),
});

const State = z.strictObject({
  /** The shared store of a fleet (S-M1): `redis://…` or `rediss://…`; absent: in memory. */
  url: z
    .string()
    .regex(/^rediss?:\/\/[^\s]+$/, "must be a redis:// or rediss:// URL")
    .optional(),
  /** Key and channel prefix in the store, so several fleets can share one Redis. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9:._-]{1,64}$/)
    .default("rampart:"),
  /** How long start-up waits for the store before serving without it (it keeps retrying). */
  connectWaitMs: z.number().int().min(0).max(60_000).default(2_000),
});

/** Shadow rollout (docs/shadow.md): a candidate policy decides every request too, never acts. */
const Shadow = z.strictObject({
  /** Loads the candidate, like `load`; called at start and on every reload. */
  load: z.custom<() => Promise<Outcome<CompiledPolicy[]>>>(isFunction, "must be a function"),
  /** What logs and diagnostics call the candidate (its file or URL). */
  source: z.string().min(1),
  /** Witness lines logged per rule pair per minute; the rest are counted. */
  samplesPerMinute: z.number().int().min(0).max(10_000).default(5),
  /** Rule pairs named in metric labels; further pairs are counted as `other`. */
  maxRulePairs: z.number().int().min(1).max(10_000).default(100),
});

/** The schema of `startRuntime` options. */
export const RuntimeOptionsSchema = z.strictObject({
  load: z.custom<() => Promise<Outcome<CompiledPolicy[]>>>(isFunction, "must be a function"),
  http: Address.optional(),
  https: Address.optional(),
  admin: Address.optional(),
  /**
   * The forward-auth listener (`rampart serve --forward-auth`): answers nginx `auth_request`,
   * Traefik ForwardAuth and Envoy `ext_authz` sub-requests from `trustedProxies` only
   * (docs/forward-auth.md).
   */
  forwardAuth: Address.optional(),
  certificates: z.array(Certificate).default([]),
  /** Ports of published `tcp` tunnels; a published `tcp` tunnel named here by none is not served. */
  tcp: z.array(TcpPort).default([]),
  streams: Streams.default({
    helloTimeoutMs: 10_000,
    connectTimeoutMs: 5_000,
    idleTimeoutMs: 300_000,
  }),
  tokens: Tokens.default({ publicKeys: [], clockSkewSeconds: 300, cacheSize: 10_000 }),
  /** A MaxMind DB file; default: the embedded CC0 country database. */
  geoipDatabase: z.string().min(1).optional(),
  /** Peers (addresses or CIDRs) whose X-Forwarded-For is believed. */
  trustedProxies: z.array(z.string().min(1)).default([]),
  /** HMAC key for the challenge and session cookies (S-D4); shared by every instance. */
  cookieKey: z.string().min(32),
  upstream: Upstream.default({
    connectTimeoutMs: 5_000,
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 60_000,
    maxBodyBytes: 16 * 1024 * 1024,
    connections: 128,
    keepAliveTimeoutMs: 4_000,
  }),
  /** The challenge page's proof of work (S-C1…S-C5); defaults apply when absent. */
  challenge: ChallengeOptionsSchema.optional(),
  /** The OpenID Connect provider of rstream Auth (S-H4); absent: no backend, sessions refused. */
  rstreamAuth: RstreamAuthOptionsSchema.optional(),
  /**
   * Where the state instances share lives (docs/scaling.md): logged-out sessions, revoked
   * tokens, redeemed challenge proofs. Default: in this process (one instance).
   */
  state: State.default({ prefix: "rampart:", connectWaitMs: 2_000 }),
  /** Largest request head accepted, in bytes (Node answers 431 beyond it). */
  maxHeaderBytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(16 * 1024),
  /** Send every tunnel to this upstream instead of its own (example mode, demos). */
  upstreamOverride: z.url().optional(),
  /** Policy files whose change triggers a reload. */
  watchFiles: z.array(z.string().min(1)).default([]),
  watchDebounceMs: z.number().int().min(0).default(200),
  /** Reload on SIGHUP and shut down on SIGTERM/SIGINT. */
  handleSignals: z.boolean().default(false),
  /** Time to let in-flight requests finish on close. */
  shutdownGraceMs: z.number().int().min(0).default(10_000),
  logger: z.custom<Logger>((v) => typeof v === "object" && v !== null).optional(),
  clients: Clients.default({
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    bodyIdleTimeoutMs: 10_000,
    maxConnections: 10_000,
  }),
  tunnelLimits: TunnelLimits.default({ concurrency: 100, queue: 100, queueTimeoutMs: 5_000 }),
  /**
   * On shutdown, time between failing `/readyz` and closing the listeners, so a load balancer
   * stops sending new requests first; `shutdownGraceMs` then bounds the in-flight ones.
   */
  drainDelayMs: z.number().int().min(0).default(0),
  /** The level of the runtime's own logger (ignored when `logger` is given). */
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  accessLog: AccessLog.default({ enabled: false, sampleRate: 1 }),
  /** Tunnels named in per-tunnel metric labels; the others are counted as `other`. */
  metricsMaxTunnels: z.number().int().min(0).default(100),
  /** Re-open the GeoIP database when its file changes (it is always re-opened on SIGHUP). */
  watchGeoIp: z.boolean().default(true),
  /** A candidate policy decided beside the running one (`serve --shadow`); absent: off. */
  shadow: Shadow.optional(),
  tlsSessions: TlsSessions.default({ tickets: true, rotationSeconds: 12 * 3600 }),
});

/** Options as callers write them (defaults may be left out). */
export type RuntimeOptions = z.input<typeof RuntimeOptionsSchema>;
/** Options with every default filled in. */
export type ResolvedOptions = z.output<typeof RuntimeOptionsSchema>;
export type TokenOptions = ResolvedOptions["tokens"];
export type UpstreamOptions = ResolvedOptions["upstream"];
export type StreamOptions = ResolvedOptions["streams"];
export type ClientOptions = ResolvedOptions["clients"];
export type TunnelLimitOptions = ResolvedOptions["tunnelLimits"];
export type AccessLogOptions = ResolvedOptions["accessLog"];
export type ShadowOptions = NonNullable<ResolvedOptions["shadow"]>;

/** Validates options; every problem becomes an RP6001 diagnostic. */
export function resolveOptions(options: unknown): Outcome<ResolvedOptions> {
  const parsed = RuntimeOptionsSchema.safeParse(options);
  if (parsed.success) {
    const value = parsed.data;
    const diagnostics: Diagnostic[] = [];
    if (value.http === undefined && value.https === undefined && value.tcp.length === 0) {
      diagnostics.push(invalidOption("http", "and `https` are both missing: nothing would listen"));
    }
    // Forward-auth believes the original request's headers from trusted proxies only; with
    // none it would refuse every sub-request, so say so at start instead.
    if (value.forwardAuth !== undefined && value.trustedProxies.length === 0) {
      diagnostics.push(
        invalidOption(
          "trustedProxies",
          "is empty, so the forward-auth listener would refuse every proxy",
        ),
      );
    }
    // Node refuses a head timeout longer than the whole-request one.
    if (value.clients.headersTimeoutMs > value.clients.requestTimeoutMs) {
      diagnostics.push(
        invalidOption("clients.headersTimeoutMs", "is longer than `clients.requestTimeoutMs`"),
      );
    }
    return diagnostics.length > 0 ? { value: undefined, diagnostics } : { value, diagnostics };
  }
  const diagnostics = parsed.error.issues.map((issue) =>
    invalidOption(issue.path.map(String).join("."), issue.message.toLowerCase().replace(/\.$/, "")),
  );
  return { value: undefined, diagnostics };
}
