/**
 * `serve --bundle-url URL --bundle-key PUBKEY [--bundle-cache FILE] [--bundle-poll SECONDS]`:
 * reads the flags, the key, and fetches the first signed bundle (or starts from the cache).
 */
import { pino } from "pino";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { publicBundleKey } from "../compile/bundle/signed.ts";
import type { PinnedBundleKey } from "../compile/bundle/signed.ts";
import { RemoteBundle } from "../runtime/bundles/remote-bundle.ts";
import { UsageError } from "./args.ts";
import type { Io } from "./io.ts";

const DEFAULT_CACHE = "rampart-bundle.cache.jws";
const DEFAULT_POLL_SECONDS = 5;
const FETCH_TIMEOUT_MS = 5_000;

type Values = Record<string, string | boolean | string[] | undefined>;

/** The remote bundle the flags ask for (null: none), or why it cannot start. */
export async function openRemoteBundle(
  values: Values,
  io: Io,
): Promise<RemoteBundle | { diagnostics: readonly Diagnostic[] } | null> {
  const url = values["bundle-url"];
  const keyFile = values["bundle-key"];
  if (url === undefined) {
    // A signed shadow candidate (`--shadow URL`) is verified with --bundle-key too.
    const shadowUrl = typeof values["shadow"] === "string" && /^https?:\/\//.test(values["shadow"]);
    for (const flag of [shadowUrl ? null : "bundle-key", "bundle-cache", "bundle-poll"]) {
      if (flag !== null && values[flag] !== undefined)
        throw new UsageError(`--${flag} goes with --bundle-url`);
    }
    return null;
  }
  if (typeof url !== "string" || !/^https?:\/\/\S+$/.test(url))
    throw new UsageError("--bundle-url takes an http:// or https:// URL");
  if (typeof keyFile !== "string")
    throw new UsageError("--bundle-url needs --bundle-key PUBKEY: bundles are verified first");
  const poll =
    values["bundle-poll"] === undefined ? DEFAULT_POLL_SECONDS : Number(values["bundle-poll"]);
  if (!(Number.isFinite(poll) && poll >= 0.05 && poll <= 86_400))
    throw new UsageError("--bundle-poll takes seconds between 0.05 and 86400");
  const key = await readBundleKey(keyFile, io);
  const cache = values["bundle-cache"];
  const remote = new RemoteBundle({
    url,
    key,
    cacheFile: typeof cache === "string" ? cache : DEFAULT_CACHE,
    pollMs: Math.round(poll * 1000),
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
    log: pino({ name: "rampart" }).child({ component: "bundle" }),
  });
  const opened = await remote.open();
  return opened.value === undefined ? { diagnostics: opened.diagnostics } : remote;
}

/** The public key of `--bundle-key`, for `--bundle-url` and a `--shadow` URL alike. */
export async function readBundleKey(keyFile: string, io: Io): Promise<PinnedBundleKey> {
  try {
    return publicBundleKey(await io.readFile(keyFile));
  } catch (error) {
    throw new UsageError(`cannot use --bundle-key \`${keyFile}\`: ${(error as Error).message}`);
  }
}
