/**
 * A GeoIP database that can be re-opened while serving (SIGHUP, or a change of its file):
 * the new file is opened and checked off to the side and swapped in with one assignment; a
 * file that does not open keeps the running database, with an RP6070 diagnostic in the log.
 * Its build date is exported as a metric, so a stale weekly update shows.
 */
import type { Logger } from "pino";
import type { Diagnostic, Outcome } from "../../diagnostics/diagnostic.ts";
import { openCountryDatabase } from "../geoip.ts";
import type { CountryLookup, LookupErrorSink } from "../geoip.ts";
import { geoIpReloadFailed } from "../diagnostics.ts";
import type { TrafficMetrics } from "./traffic-metrics.ts";

export class ReloadableCountryLookup implements CountryLookup {
  #current: CountryLookup;
  readonly #onLookupError: LookupErrorSink;
  readonly #metrics: TrafficMetrics;
  readonly #log: Logger;

  constructor(
    first: CountryLookup,
    onLookupError: LookupErrorSink,
    metrics: TrafficMetrics,
    log: Logger,
  ) {
    this.#current = first;
    this.#onLookupError = onLookupError;
    this.#metrics = metrics;
    this.#log = log;
    this.#exportBuildTime();
  }

  get path(): string {
    return this.#current.path;
  }

  get builtAt(): Date | null {
    return this.#current.builtAt;
  }

  country(ip: string): string | null {
    return this.#current.country(ip);
  }

  /** Re-opens the file; on failure the running database stays and the diagnostic is returned. */
  reopen(): Outcome<Date | null> {
    const path = this.#current.path;
    const opened = openCountryDatabase(path, this.#onLookupError);
    if (opened.value === undefined) {
      const detail = opened.diagnostics.map((d) => d.message).join("; ");
      const d: Diagnostic = geoIpReloadFailed(path, detail);
      this.#metrics.geoipReloads.labels("failed").inc();
      this.#log.error({ code: d.code, help: d.help }, d.message);
      return { value: undefined, diagnostics: [d] };
    }
    this.#current = opened.value;
    this.#metrics.geoipReloads.labels("ok").inc();
    this.#exportBuildTime();
    this.#log.info(
      { database: path, builtAt: opened.value.builtAt?.toISOString() ?? null },
      "GeoIP database re-opened",
    );
    return { value: opened.value.builtAt, diagnostics: [] };
  }

  #exportBuildTime(): void {
    const built = this.#current.builtAt;
    if (built !== null) this.#metrics.geoipBuildTime.set(Math.floor(built.getTime() / 1000));
  }
}
