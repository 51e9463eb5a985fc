import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  countryOf,
  embeddedCountryDatabasePath,
  openCountryDatabase,
} from "../../src/runtime/geoip.ts";

const DIR = join(import.meta.dirname, "../../fixtures/geoip");
const CORRUPT = [
  "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
  "MaxMind-DB-test-broken-pointers-24.mmdb",
  "MaxMind-DB-test-broken-search-tree-24.mmdb",
  ...readdirSync(join(DIR, "bad-data")).map((f) => `bad-data/${f}`),
];
const PROBES = [
  "1.1.1.1",
  "81.2.69.160",
  "2.125.160.216",
  "::81.2.69.160",
  "2001:218::1",
  "89.160.20.112",
  "8.8.8.8",
  "::1",
  "10.0.0.1",
];

describe("GeoIP (issue #5 item 4, S-A4)", () => {
  it("reads MaxMind-shaped records (country.iso_code)", () => {
    for (const name of ["GeoIP2-Country-Test.mmdb", "GeoLite2-Country-Test.mmdb"]) {
      const db = openCountryDatabase(join(DIR, name), () => assert.fail("no lookup errors"));
      assert.ok(db.value);
      assert.equal(db.value.country("81.2.69.160"), "GB");
      assert.equal(db.value.country("2001:218::1"), "JP");
      assert.equal(db.value.country("89.160.20.112"), "SE");
      assert.equal(
        db.value.country("10.0.0.1"),
        null,
        "S-A4: an address not in the database is unknown",
      );
    }
  });

  it("reads the embedded CC0 database (country_code records) with no download", () => {
    const db = openCountryDatabase(embeddedCountryDatabasePath(), () =>
      assert.fail("no lookup errors"),
    );
    assert.ok(db.value);
    assert.match(db.value.country("8.8.8.8") ?? "", /^[A-Z]{2}$/);
    assert.equal(db.value.country("127.0.0.1"), null);
  });

  it("normalizes either record shape and treats anything else as unknown", () => {
    assert.equal(countryOf({ country_code: "de" }), "DE");
    assert.equal(countryOf({ country: { iso_code: "FR" } }), "FR");
    assert.equal(countryOf({ registered_country: { iso_code: "IT" } }), "IT");
    assert.equal(countryOf({ country: { iso_code: 42 } }), null);
    assert.equal(countryOf({ country_code: "XYZ" }), null);
  });

  for (const name of CORRUPT) {
    it(`a corrupt database (${name}) is a start-up error or an unknown country, never a crash`, () => {
      const errors: string[] = [];
      const db = openCountryDatabase(join(DIR, name), (_ip, detail) => errors.push(detail));
      if (db.value === undefined) {
        assert.equal(db.diagnostics.length, 1);
        assert.equal(db.diagnostics[0]?.code, "RP6007");
        assert.match(db.diagnostics[0]?.message ?? "", /is corrupt or unreadable: /);
        return;
      }
      for (const ip of PROBES) {
        const country = db.value.country(ip);
        // A broken file yields no real country here: never a wrong allow.
        assert.equal(country, null, `${ip} → ${String(country)}`);
      }
    });
  }

  it("an unreadable path is RP6002", () => {
    const db = openCountryDatabase(join(DIR, "missing.mmdb"), () => undefined);
    assert.equal(db.diagnostics[0]?.code, "RP6002");
  });
});
