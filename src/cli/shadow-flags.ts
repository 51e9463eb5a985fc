/**
 * `serve --shadow CANDIDATE [--shadow-sample N]` (docs/shadow.md): the candidate is a policy
 * file, a bundle file from `rampart compile`, or the URL of a signed bundle, verified with
 * `--bundle-key` like `--bundle-url`'s. It is loaded the way the running policy is, at start
 * and on every reload; a candidate that does not load leaves shadow off, never serving.
 */
import { pino } from "pino";
import { BUNDLE_FORMAT } from "../compile/bundle/format.ts";
import type { CompiledPolicy } from "../compile/engine.ts";
import type { Outcome } from "../diagnostics/diagnostic.ts";
import { RemoteBundle } from "../runtime/bundles/remote-bundle.ts";
import type { RuntimeOptions } from "../runtime/options.ts";
import { UsageError } from "./args.ts";
import { bundleLoader, policyFilesLoader } from "./compile-load.ts";
import type { Io } from "./io.ts";
import { readBundleKey } from "./remote-bundle-flags.ts";

const DEFAULT_CACHE = "rampart-shadow-bundle.cache.jws";
const POLL_MS = 5_000;
const FETCH_TIMEOUT_MS = 5_000;

type Values = Record<string, string | boolean | string[] | undefined>;

/** The shadow options the flags ask for, and the remote candidate to poll (if a URL). */
export interface ShadowFlags {
  readonly options: NonNullable<RuntimeOptions["shadow"]>;
  /** Files whose change reloads (the candidate file). */
  readonly watch: readonly string[];
  readonly remote: RemoteBundle | null;
}

/** Reads `--shadow` and `--shadow-sample`; null when shadow is off. */
export async function shadowFlags(values: Values, io: Io): Promise<ShadowFlags | null> {
  const candidate = values["shadow"];
  const sample = values["shadow-sample"];
  if (candidate === undefined) {
    if (sample !== undefined) throw new UsageError("--shadow-sample goes with --shadow");
    return null;
  }
  if (typeof candidate !== "string" || candidate === "")
    throw new UsageError("--shadow takes a policy file, a bundle file or a bundle URL");
  const perMinute = sample === undefined ? undefined : Number(sample);
  if (perMinute !== undefined && !(Number.isInteger(perMinute) && perMinute >= 0))
    throw new UsageError("--shadow-sample takes a whole number of witness lines per minute");
  const common = {
    source: candidate,
    ...(perMinute === undefined ? {} : { samplesPerMinute: perMinute }),
  };
  if (/^https?:\/\//.test(candidate)) {
    const remote = await remoteCandidate(candidate, values, io);
    return { options: { ...common, load: () => remote.load() }, watch: [], remote };
  }
  return {
    options: { ...common, load: fileLoader(candidate, io) },
    watch: [candidate],
    remote: null,
  };
}

/** A bundle file is loaded as a bundle, anything else compiled as a policy file. */
function fileLoader(path: string, io: Io): () => Promise<Outcome<CompiledPolicy[]>> {
  const asBundle = bundleLoader(path, io);
  const asPolicy = policyFilesLoader([path], io);
  return async () => {
    let text = "";
    try {
      text = await io.readFile(path);
    } catch {
      // The policy loader reports the unreadable file with its diagnostic.
    }
    return isBundle(text) ? asBundle() : asPolicy();
  };
}

function isBundle(text: string): boolean {
  if (!text.trimStart().startsWith("{")) return false;
  try {
    return (JSON.parse(text) as { format?: unknown }).format === BUNDLE_FORMAT;
  } catch {
    return false;
  }
}

/** A signed candidate bundle: verified with `--bundle-key`, polled like `--bundle-url`. */
async function remoteCandidate(url: string, values: Values, io: Io): Promise<RemoteBundle> {
  const keyFile = values["bundle-key"];
  if (typeof keyFile !== "string")
    throw new UsageError("--shadow URL needs --bundle-key PUBKEY: bundles are verified first");
  const key = await readBundleKey(keyFile, io);
  const remote = new RemoteBundle({
    url,
    key,
    cacheFile: DEFAULT_CACHE,
    pollMs: POLL_MS,
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
    log: pino({ name: "rampart" }).child({ component: "shadow-bundle" }),
  });
  // No bundle yet is not an error here: the runtime reports RP6060 and keeps polling.
  await remote.open();
  return remote;
}
