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

/** Public addresses most country databases place (MaxMind's test databases among them). */
const PROBES = [
  "81.2.69.160",
  "2.125.160.216",
  "89.160.20.112",
  "1.1.1.1",
  "8.8.8.8",
  "2001:218::1",
];

export class ReloadableCountryLookup implements CountryLookup {
  #current: CountryLookup;
  #epoch = 0;
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

  /** One more for each database swapped in. */
  get epoch(): number {
    return this.#epoch;
  }

  country(ip: string): string | null {
    return this.#current.country(ip);
  }

  /** Re-opens the file; on failure the running database stays and the diagnostic is returned. */
  reopen(): Outcome<Date | null> {
    const path = this.#current.path;
    const opened = openCountryDatabase(path, this.#onLookupError);
    const problem =
      opened.value === undefined
        ? opened.diagnostics.map((d) => d.message).join("; ")
        : this.#losesCountries(opened.value);
    if (opened.value === undefined || problem !== null) {
      const detail = problem ?? "unknown problem";
      const d: Diagnostic = geoIpReloadFailed(path, detail);
      this.#metrics.geoipReloads.labels("failed").inc();
      this.#log.error({ code: d.code, help: d.help }, d.message);
      return { value: undefined, diagnostics: [d] };
    }
    this.#current = opened.value;
    this.#epoch++;
    this.#metrics.geoipReloads.labels("ok").inc();
    this.#exportBuildTime();
    this.#log.info(
      { database: path, builtAt: opened.value.builtAt?.toISOString() ?? null },
      "GeoIP database re-opened",
    );
    return { value: opened.value.builtAt, diagnostics: [] };
  }

  /**
   * Some corrupt files open cleanly and then answer "unknown" for everything, which would turn
   * every country allow-list into a deny. A replacement must know a country for at least one
   * probe address that the running database knows.
   */
  #losesCountries(next: CountryLookup): string | null {
    const known = PROBES.filter((ip) => this.#current.country(ip) !== null);
    if (known.length === 0 || known.some((ip) => next.country(ip) !== null)) return null;
    return `it knows no country for ${known.join(", ")}, which the running database does`;
  }

  #exportBuildTime(): void {
    const built = this.#current.builtAt;
    if (built !== null) this.#metrics.geoipBuildTime.set(Math.floor(built.getTime() / 1000));
  }
}
