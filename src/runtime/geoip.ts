/**
 * Country lookup for S-A4 with `maxmind`. Two record shapes are read: MaxMind's
 * (`country.iso_code`, falling back to `registered_country`) and the simple one of the
 * embedded CC0 database (`country_code`). A corrupt database is a start-up error; corruption
 * that only shows on a lookup yields "unknown country" — which never matches an allow-list —
 * and is reported, never thrown and never a wrong allow.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Reader } from "maxmind";
import { LruCache } from "../compile/lru.ts";
import type { Diagnostic, Outcome } from "../diagnostics/diagnostic.ts";
import { invalidGeoIpDatabase, unreadableFile } from "./diagnostics.ts";
import { errorText } from "./tls/certificates.ts";

/** Looks up the upper-case ISO country of an address; `null` when unknown. */
export interface CountryLookup {
  readonly path: string;
  /** The database's build time from its metadata (null when it has none). */
  readonly builtAt: Date | null;
  /**
   * Changes whenever lookups start coming from another database (a re-open): what was
   * remembered from earlier answers is stale. Absent: the database never changes.
   */
  readonly epoch?: number;
  country(ip: string): string | null;
}

/** Called when a lookup hit corrupt data (logged by the runtime). */
export type LookupErrorSink = (ip: string, detail: string) => void;

const COUNTRY_CODE = /^[A-Z]{2}$/;

/** The embedded CC0 country database (@ip-location-db/geo-whois-asn-country-mmdb). */
export function embeddedCountryDatabasePath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve("@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb");
}

/** Opens and sanity-checks a database. Never throws for a bad file. */
export function openCountryDatabase(
  path: string,
  onLookupError: LookupErrorSink,
): Outcome<CountryLookup> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return fail(unreadableFile("GeoIP database", path, errorText(error)));
  }
  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader<Record<string, unknown>>(bytes);
    checkMetadata(reader);
    // Probe one lookup per family: a broken search tree or data section usually shows here.
    reader.get("1.1.1.1");
    if (reader.metadata.ipVersion === 6) reader.get("2001:4860::1");
  } catch (error) {
    return fail(invalidGeoIpDatabase(path, errorText(error)));
  }
  return { value: new MaxmindCountryLookup(path, reader, onLookupError), diagnostics: [] };
}

function checkMetadata(reader: Reader<Record<string, unknown>>): void {
  const m = reader.metadata;
  if (m.ipVersion !== 4 && m.ipVersion !== 6)
    throw new Error(`unknown ip version ${String(m.ipVersion)}`);
  if (![24, 28, 32].includes(m.recordSize))
    throw new Error(`unsupported record size ${m.recordSize}`);
  if (!Number.isSafeInteger(m.nodeCount) || m.nodeCount <= 0) throw new Error("invalid node count");
}

const fail = (d: Diagnostic): Outcome<CountryLookup> => ({ value: undefined, diagnostics: [d] });

/** Addresses remembered per database; a lookup parses the address and walks the tree. */
const CACHE_SIZE = 50_000;
const UNKNOWN = "";

class MaxmindCountryLookup implements CountryLookup {
  readonly path: string;
  readonly builtAt: Date | null;
  readonly #reader: Reader<Record<string, unknown>>;
  readonly #onError: LookupErrorSink;
  /** ip → ISO code, or "" for unknown (so a miss is `undefined`). */
  readonly #cache = new LruCache<string, string>(CACHE_SIZE);

  constructor(path: string, reader: Reader<Record<string, unknown>>, onError: LookupErrorSink) {
    this.path = path;
    this.#reader = reader;
    const built = reader.metadata.buildEpoch;
    this.builtAt = built instanceof Date && !Number.isNaN(built.getTime()) ? built : null;
    this.#onError = onError;
  }

  country(ip: string): string | null {
    // HOT PATH: repeat clients cost one Map read.
    const cached = this.#cache.get(ip);
    if (cached !== undefined) return cached === UNKNOWN ? null : cached;
    const country = this.#lookup(ip);
    this.#cache.set(ip, country ?? UNKNOWN);
    return country;
  }

  #lookup(ip: string): string | null {
    let record: Record<string, unknown> | null;
    try {
      record = this.#reader.get(ip);
    } catch (error) {
      this.#onError(ip, errorText(error));
      return null;
    }
    return record === null || typeof record !== "object" ? null : countryOf(record);
  }
}

/** The ISO code of a record of either shape; anything malformed is "unknown". */
export function countryOf(record: Record<string, unknown>): string | null {
  const simple = record["country_code"];
  if (typeof simple === "string") return normalize(simple);
  for (const key of ["country", "registered_country"]) {
    const nested = record[key];
    if (typeof nested === "object" && nested !== null) {
      const iso = (nested as Record<string, unknown>)["iso_code"];
      if (typeof iso === "string") return normalize(iso);
    }
  }
  return null;
}

function normalize(code: string): string | null {
  const upper = code.toUpperCase();
  return COUNTRY_CODE.test(upper) ? upper : null;
}
