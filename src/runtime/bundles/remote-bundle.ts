/**
 * A signed bundle pulled from a control plane (`serve --bundle-url URL --bundle-key PUBKEY`).
 * Polls with `If-None-Match`; a new bundle is checked in order — signature (with the pinned
 * key), newer than the running one (`issued`), loads cleanly — and only then becomes current
 * and is written to the cache file (atomically), so a restart while the control plane is down
 * starts from the last good bundle. A bundle failing any check is logged and ignored: the
 * running one keeps serving.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import type { Logger } from "pino";
import type { Diagnostic, Outcome } from "../../diagnostics/diagnostic.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import type { CompiledPolicy } from "../../compile/engine.ts";
import { loadBundle } from "../../compile/load-bundle.ts";
import { verifySignedBundle } from "../../compile/bundle/signed.ts";
import type { PinnedBundleKey } from "../../compile/bundle/signed.ts";
import { policyLoadFailed } from "../diagnostics.ts";

export interface RemoteBundleOptions {
  readonly url: string;
  readonly key: PinnedBundleKey;
  /** Where the last good signed bundle is kept. */
  readonly cacheFile: string;
  readonly pollMs: number;
  readonly fetchTimeoutMs: number;
  readonly log: Logger;
}

/** The bundle being served. */
interface Current {
  readonly policies: CompiledPolicy[];
  readonly diagnostics: readonly Diagnostic[];
  readonly issued: number;
}

/** What one poll came to. */
export type PollResult = "updated" | "unchanged" | "refused" | "unreachable";

export class RemoteBundle {
  readonly #o: RemoteBundleOptions;
  #current: Current | null = null;
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<PollResult> | null = null;
  /** The ETag of the last bundle fetched, accepted or refused: a refused one is not re-fetched. */
  #seenEtag: string | null = null;

  constructor(o: RemoteBundleOptions) {
    this.#o = o;
  }

  /** Signing time of the served bundle (ms), or null before the first. */
  get issued(): number | null {
    return this.#current?.issued ?? null;
  }

  /**
   * The first bundle: from the control plane, else from the cache file. Diagnostics (RP6009)
   * when neither gives a bundle that verifies and loads.
   */
  async open(): Promise<Outcome<number>> {
    const fetched = await this.poll();
    if (this.#current !== null) return { value: this.#current.issued, diagnostics: [] };
    const cached = await this.#fromCache();
    if (cached === null) {
      return {
        value: undefined,
        diagnostics: [
          policyLoadFailed(
            `no bundle from ${this.#o.url} (${fetched}) and no usable cached bundle at ${this.#o.cacheFile}`,
          ),
        ],
      };
    }
    this.#o.log.warn(
      { url: this.#o.url, cacheFile: this.#o.cacheFile, issued: cached },
      "control plane unreachable: serving the last good bundle from the cache",
    );
    return { value: cached, diagnostics: [] };
  }

  /** The runtime's `load`: the current bundle's compiled policies. */
  load(): Promise<Outcome<CompiledPolicy[]>> {
    const current = this.#current;
    if (current === null)
      return Promise.resolve({
        value: undefined,
        diagnostics: [policyLoadFailed("no bundle yet")],
      });
    return Promise.resolve({ value: current.policies, diagnostics: [...current.diagnostics] });
  }

  /** Polls every `pollMs`; `onUpdate` runs after a new bundle became current. */
  start(onUpdate: () => void): void {
    const tick = (): void => {
      void this.poll().then((result) => {
        if (result === "updated") onUpdate();
        if (this.#timer !== null) this.#timer = setTimeout(tick, this.#o.pollMs);
      });
    };
    this.#timer = setTimeout(tick, this.#o.pollMs);
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** One poll; concurrent calls share it. */
  poll(): Promise<PollResult> {
    this.#polling ??= this.#pollOnce().finally(() => (this.#polling = null));
    return this.#polling;
  }

  async #pollOnce(): Promise<PollResult> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#seenEtag !== null) headers["if-none-match"] = this.#seenEtag;
    let response: Response;
    let body: string;
    try {
      response = await fetch(this.#o.url, {
        headers,
        signal: AbortSignal.timeout(this.#o.fetchTimeoutMs),
      });
      body = await response.text();
    } catch (error) {
      this.#o.log.warn({ url: this.#o.url, err: String(error) }, "bundle poll failed");
      return "unreachable";
    }
    if (response.status === 304) return "unchanged";
    if (response.status !== 200) {
      this.#o.log.warn({ url: this.#o.url, status: response.status }, "bundle poll failed");
      return "unreachable";
    }
    const etag = response.headers.get("etag");
    const accepted = await this.#accept(body);
    this.#seenEtag = etag;
    if (accepted !== "updated") return accepted;
    await this.#writeCache(body);
    return "updated";
  }

  /** Verifies, orders and loads a signed bundle; makes it current when all pass. */
  async #accept(signed: string): Promise<PollResult> {
    const verified = await verifySignedBundle(signed, this.#o.key);
    if (typeof verified === "string") {
      this.#o.log.error({ url: this.#o.url, reason: verified }, "bundle refused: bad signature");
      return "refused";
    }
    const running = this.#current?.issued ?? null;
    if (running !== null && verified.issued <= running) {
      if (verified.issued === running) {
        // The same bundle again (a server without ETags): nothing to do.
        return "unchanged";
      }
      this.#o.log.error(
        { url: this.#o.url, issued: verified.issued, running },
        "bundle refused: older than the running one",
      );
      return "refused";
    }
    const loaded = loadBundle(verified.text);
    if (loaded.value === undefined || hasErrors(loaded.diagnostics)) {
      this.#o.log.error(
        { url: this.#o.url, codes: loaded.diagnostics.map((d) => d.code) },
        "bundle refused: it does not load",
      );
      return "refused";
    }
    this.#current = {
      policies: loaded.value,
      diagnostics: loaded.diagnostics,
      issued: verified.issued,
    };
    this.#o.log.info({ url: this.#o.url, issued: verified.issued }, "new signed bundle accepted");
    return "updated";
  }

  async #fromCache(): Promise<number | null> {
    let signed: string;
    try {
      signed = await readFile(this.#o.cacheFile, "utf8");
    } catch {
      return null;
    }
    // The cache is re-verified: a file on disk is no more trusted than the network.
    return (await this.#accept(signed)) === "updated" ? (this.#current?.issued ?? null) : null;
  }

  async #writeCache(signed: string): Promise<void> {
    const tmp = `${this.#o.cacheFile}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, signed, "utf8");
      await rename(tmp, this.#o.cacheFile);
    } catch (error) {
      this.#o.log.warn(
        { cacheFile: this.#o.cacheFile, err: String(error) },
        "could not keep the bundle on disk; a restart without the control plane would not start",
      );
    }
  }
}
