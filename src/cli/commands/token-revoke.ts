/**
 * `rampart token revoke`: records a revocation in the fleet's shared store (S-M1) and tells
 * every instance at once (pub/sub); each refuses the token from its local view from then on.
 */
import { pino } from "pino";
import { Registry } from "prom-client";
import { RedisStore, redacted } from "../../runtime/state-store/redis-store.ts";
import { StateStoreMetrics } from "../../runtime/state-store/metrics.ts";
import type { Revocation } from "../../runtime/state-store/store.ts";
import { parseCommandArgs, UsageError } from "../args.ts";
import { ExitCode } from "../exit-codes.ts";
import type { Io } from "../io.ts";

export const tokenRevokeHelp = `rampart token revoke --jti ID [--until TIME]
rampart token revoke --credential ID [--before TIME]

Revokes on every instance sharing the store (serve --state): one token by its \`jti\`
(kept until TIME, default one year from now: give the token's \`exp\`), or every token
of a credential (its \`sourceCredentialId\`, else its \`sub\`) issued before TIME
(default now). TIME is Unix seconds or an ISO 8601 date.
The store is RAMPART_STATE_URL or --state URL (redis://…).
Exit codes: 0 revoked, 1 the store could not be reached, 2 usage error.`;

/** How long the store waits for Redis before giving up. */
const CONNECT_WAIT_MS = 5_000;
const DEFAULT_KEEP_SECONDS = 366 * 86_400;

type Values = Record<string, string | boolean | string[] | undefined>;

/** Unix seconds from `--until`/`--before`: a number or an ISO 8601 date. */
export function parseTime(value: string, flag: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`${flag} takes Unix seconds or an ISO 8601 date`);
  return seconds;
}

/** The revocation the flags ask for. */
export function revocationOf(values: Values, nowSeconds: number): Revocation {
  const jti = values["jti"];
  const credential = values["credential"];
  if ((typeof jti === "string") === (typeof credential === "string"))
    throw new UsageError("token revoke takes exactly one of --jti ID or --credential ID");
  if (typeof jti === "string") {
    if (values["before"] !== undefined) throw new UsageError("--before goes with --credential");
    const until =
      typeof values["until"] === "string"
        ? parseTime(values["until"], "--until")
        : nowSeconds + DEFAULT_KEEP_SECONDS;
    return { kind: "token", id: jti, until };
  }
  if (typeof credential !== "string")
    throw new UsageError("token revoke takes exactly one of --jti ID or --credential ID");
  if (values["until"] !== undefined) throw new UsageError("--until goes with --jti");
  const before =
    typeof values["before"] === "string" ? parseTime(values["before"], "--before") : nowSeconds;
  return { kind: "credential", id: credential, before };
}

export async function tokenRevoke(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(argv, {
    jti: { type: "string" },
    credential: { type: "string" },
    until: { type: "string" },
    before: { type: "string" },
    state: { type: "string" },
    prefix: { type: "string" },
  });
  if (positionals.length > 0) throw new UsageError("token revoke takes no file");
  const revocation = revocationOf(values, Date.now() / 1000);
  const url = typeof values["state"] === "string" ? values["state"] : io.env["RAMPART_STATE_URL"];
  if (url === undefined || !/^rediss?:\/\//.test(url))
    throw new UsageError(
      "token revoke needs the fleet's store: --state redis://… or RAMPART_STATE_URL",
    );
  const store = new RedisStore({
    url,
    prefix: typeof values["prefix"] === "string" ? values["prefix"] : "rampart:",
    log: pino({ level: "silent" }),
    metrics: new StateStoreMetrics(new Registry()),
  });
  try {
    await store.start(CONNECT_WAIT_MS);
    if (!(await store.revoke(revocation))) {
      io.err(`rampart: the store at ${redacted(url)} could not be reached; nothing was revoked\n`);
      return ExitCode.Findings;
    }
  } finally {
    await store.close();
  }
  io.out(`revoked ${revocation.kind} ${revocation.id}\n`);
  return ExitCode.Ok;
}
