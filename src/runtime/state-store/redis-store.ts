/**
 * The shared store on Redis (or Valkey), through node-redis. Chosen over ioredis by measuring
 * the store's own operations (test/bench/redis-clients.ts, BENCHMARKS.md): equal claim round
 * trips, a shorter publish→deliver tail; it is the client Redis itself maintains.
 *
 * Two connections: commands (claims, revocations, the re-read), and a subscription to the
 * revocation channel that keeps the local view current. The view is current — `available()` —
 * only while both are up, the heartbeat answers, and the full set has been re-read since the
 * last drop. The client reconnects by itself (capped backoff); every drop and recovery is
 * logged and counted.
 *
 * Keys (prefix `rampart:` by default): `revoked:session` and `revoked:token` are sorted sets
 * scored by the expiry of what they revoke (trimmed on every write), `revoked:credential` a
 * hash of cut-off times, `claim:<key>` a string that expires with the claim.
 */
import { createClient } from "redis";
import type { Logger } from "pino";
import { RevocationView } from "./revocation-view.ts";
import type { StateStoreMetrics } from "./metrics.ts";
import type { ClaimResult, Revocation, SharedStateStore } from "./store.ts";
import { parseRevocation } from "./revocation-message.ts";

/** How often the command connection is pinged; a missed answer marks the store unusable. */
export const HEARTBEAT_MS = 1_000;
/** How long a ping may take before it counts as missed. */
const HEARTBEAT_TIMEOUT_MS = 1_000;
/** The whole revocation set is re-read this often too (a message lost in a reconnect race). */
export const RESYNC_MS = 5_000;
/** Longest wait between reconnect attempts. */
const MAX_BACKOFF_MS = 1_000;
/** A claim or revocation that takes longer is answered `unavailable`. */
const COMMAND_TIMEOUT_MS = 2_000;

type Client = ReturnType<typeof createClient>;

export interface RedisStoreOptions {
  readonly url: string;
  readonly prefix: string;
  readonly log: Logger;
  readonly metrics: StateStoreMetrics;
}

export class RedisStore implements SharedStateStore {
  readonly kind = "redis";
  readonly view = new RevocationView();
  readonly metrics: StateStoreMetrics;
  readonly #cmd: Client;
  readonly #sub: Client;
  readonly #o: RedisStoreOptions;
  readonly #keys: { session: string; token: string; credential: string; channel: string };
  #cmdReady = false;
  #subReady = false;
  #heartbeatOk = true;
  #synced = false;
  /** Subscribed once; node-redis subscribes again by itself on every reconnect. */
  #subscribing: Promise<void> | null = null;
  #subscribed = false;
  #wasAvailable = false;
  #closed = false;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(o: RedisStoreOptions) {
    this.#o = o;
    this.metrics = o.metrics;
    const p = o.prefix;
    this.#keys = {
      session: `${p}revoked:session`,
      token: `${p}revoked:token`,
      credential: `${p}revoked:credential`,
      channel: `${p}revocations`,
    };
    const socket = {
      connectTimeout: COMMAND_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_BACKOFF_MS),
    };
    // Commands fail at once while disconnected (the caller fails closed) instead of queueing.
    this.#cmd = createClient({ url: o.url, socket, disableOfflineQueue: true });
    this.#sub = createClient({ url: o.url, socket });
    this.#watch(this.#cmd, (ready) => (this.#cmdReady = ready), "commands");
    this.#watch(this.#sub, (ready) => (this.#subReady = ready), "subscription");
    // A first connection that failed never subscribed: the first `ready` does it.
    this.#sub.on("ready", () => void this.#subscribe().then(() => this.#resync()));
  }

  #subscribe(): Promise<void> {
    this.#subscribing ??= this.#sub
      .subscribe(this.#keys.channel, (m) => this.#onMessage(m))
      .then(() => {
        this.#subscribed = true;
      })
      .catch((error: unknown) => {
        this.#subscribing = null;
        this.#o.log.warn({ err: errorText(error) }, "shared store: subscribing failed");
      });
    return this.#subscribing;
  }

  /** Connects both clients and subscribes; resolves when first connected or after `waitMs`. */
  async start(waitMs: number): Promise<void> {
    const connected = Promise.all([
      this.#cmd.connect(),
      this.#sub.connect().then(() => this.#subscribe()),
    ]).then(() => this.#resync());
    connected.catch((error: unknown) =>
      this.#o.log.error({ err: error }, "shared store: first connection failed"),
    );
    const heartbeat = setInterval(() => void this.#heartbeat(), HEARTBEAT_MS);
    const resync = setInterval(() => void this.#resync(), RESYNC_MS);
    heartbeat.unref();
    resync.unref();
    this.#timers.push(heartbeat, resync);
    await Promise.race([connected.catch(() => undefined), sleep(waitMs)]);
    if (!this.available())
      this.#o.log.warn({ store: redacted(this.#o.url) }, "shared store not reachable yet");
  }

  available(): boolean {
    return (
      this.#cmdReady && this.#subReady && this.#subscribed && this.#heartbeatOk && this.#synced
    );
  }

  async claimOnce(key: string, expiresAtSeconds: number): Promise<ClaimResult> {
    if (!this.#cmdReady) return "unavailable";
    try {
      const answer = await withTimeout(
        this.#cmd.set(`${this.#o.prefix}claim:${key}`, "1", {
          NX: true,
          EXAT: Math.ceil(expiresAtSeconds),
        }),
      );
      return answer === "OK" ? "claimed" : "replayed";
    } catch (error) {
      this.#o.log.warn({ err: error }, "shared store: claim failed");
      return "unavailable";
    }
  }

  async revoke(revocation: Revocation): Promise<boolean> {
    if (!this.#cmdReady) return false;
    const now = Date.now() / 1000;
    const tx = this.#cmd.multi();
    if (revocation.kind === "credential") {
      tx.hSet(this.#keys.credential, revocation.id, String(revocation.before));
    } else {
      const key = this.#keys[revocation.kind];
      tx.zAdd(key, { score: revocation.until, value: revocation.id });
      tx.zRemRangeByScore(key, "-inf", now);
    }
    tx.publish(this.#keys.channel, JSON.stringify(revocation));
    try {
      await withTimeout(tx.exec());
    } catch (error) {
      this.#o.log.warn({ err: error }, "shared store: revocation failed");
      return false;
    }
    // This instance applies it at once rather than waiting for its own message.
    this.#apply(revocation);
    return true;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    await Promise.allSettled([this.#cmd.close(), this.#sub.close()]);
    this.#update();
  }

  #watch(client: Client, set: (ready: boolean) => void, role: string): void {
    client.on("ready", () => {
      set(true);
      this.#o.log.info({ role }, "shared store: connected");
      // Every reconnect re-reads the whole set: messages published meanwhile were missed.
      this.#synced = false;
      void this.#resync();
    });
    const down = (): void => {
      set(false);
      this.#synced = false;
      this.#update();
    };
    client.on("end", down);
    client.on("reconnecting", down);
    // node-redis reports every failed attempt here; without a listener it would throw.
    client.on("error", (error: unknown) => {
      down();
      if (!this.#closed)
        this.#o.log.warn({ role, err: errorText(error) }, "shared store: connection error");
    });
  }

  async #heartbeat(): Promise<void> {
    if (this.#closed || !this.#cmdReady) return;
    try {
      await withTimeout(this.#cmd.ping(), HEARTBEAT_TIMEOUT_MS);
      this.#heartbeatOk = true;
    } catch {
      this.#heartbeatOk = false;
    }
    this.#update();
  }

  /** Reads every live revocation into the view; the view is current once this succeeds. */
  async #resync(): Promise<void> {
    if (this.#closed || !this.#cmdReady || !this.#subReady || !this.#subscribed) return;
    const now = Date.now() / 1000;
    try {
      const [sessions, tokens, credentials] = await withTimeout(
        Promise.all([
          this.#cmd.zRangeWithScores(this.#keys.session, now, "+inf", { BY: "SCORE" }),
          this.#cmd.zRangeWithScores(this.#keys.token, now, "+inf", { BY: "SCORE" }),
          this.#cmd.hGetAll(this.#keys.credential),
        ]),
      );
      for (const s of sessions) this.view.apply({ kind: "session", id: s.value, until: s.score });
      for (const t of tokens) this.view.apply({ kind: "token", id: t.value, until: t.score });
      for (const [id, before] of Object.entries(credentials)) {
        const at = Number(before);
        if (Number.isFinite(at)) this.view.apply({ kind: "credential", id, before: at });
      }
      this.view.prune(now);
      this.#synced = this.#cmdReady && this.#subReady && this.#subscribed;
    } catch (error) {
      this.#synced = false;
      this.#o.log.warn({ err: errorText(error) }, "shared store: re-reading revocations failed");
    }
    this.#update();
  }

  #onMessage(message: string): void {
    const revocation = parseRevocation(message);
    if (revocation === null) {
      this.#o.log.warn("shared store: ignored a malformed revocation message");
      return;
    }
    this.#apply(revocation);
  }

  #apply(revocation: Revocation): void {
    this.view.apply(revocation);
    this.#o.metrics.revocationsApplied.labels(revocation.kind).inc();
  }

  /** Publishes availability changes to the metric and the log. */
  #update(): void {
    const now = this.available();
    this.#o.metrics.up.set(now ? 1 : 0);
    if (now === this.#wasAvailable) return;
    this.#wasAvailable = now;
    if (now) {
      this.#o.log.info({ revocations: this.view.size }, "shared store available; view current");
    } else if (!this.#closed) {
      this.#o.metrics.disconnects.inc();
      this.#o.log.error(
        "shared store unavailable: session-dependent requests and challenge verifications fail closed until it returns",
      );
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number = COMMAND_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The URL without its password, for logs. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.href;
  } catch {
    return "(invalid URL)";
  }
}
