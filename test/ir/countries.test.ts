import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  countryCodeHelp,
  ISO_3166_ALPHA2,
  isCountryCode,
  suggestCountryCode,
} from "../../src/ir/countries.ts";

describe("ISO 3166-1 alpha-2", () => {
  it("S-A4: holds the 249 assigned codes, sorted and unique", () => {
    assert.equal(ISO_3166_ALPHA2.length, 249);
    assert.equal(new Set(ISO_3166_ALPHA2).size, 249);
    assert.deepEqual([...ISO_3166_ALPHA2].sort(), ISO_3166_ALPHA2);
    assert.ok(ISO_3166_ALPHA2.every((c) => /^[A-Z]{2}$/.test(c)));
  });

  it("S-A4: knows recent and rare codes", () => {
    for (const code of [
      "SS",
      "BQ",
      "CW",
      "SX",
      "AX",
      "BL",
      "MF",
      "GB",
      "GR",
      "DE",
      "US",
      "AQ",
      "BV",
    ]) {
      assert.ok(isCountryCode(code), code);
    }
  });

  it("S-A4: refuses non-ISO codes and lower case", () => {
    for (const code of ["UK", "EL", "EU", "XK", "AN", "YU", "ZZ", "gb", "G", "GBR", ""]) {
      assert.equal(isCountryCode(code), false, code);
    }
  });
});

describe("country hints", () => {
  it("S-A4: UK means GB and EL means GR", () => {
    assert.equal(countryCodeHelp("UK"), "did you mean `GB`?");
    assert.equal(countryCodeHelp("uk"), "did you mean `GB`?");
    assert.equal(countryCodeHelp("EL"), "did you mean `GR`?");
  });

  it("S-A4: EU is explained, not corrected", () => {
    assert.equal(suggestCountryCode("EU"), null);
    assert.match(countryCodeHelp("EU"), /not a country/);
  });

  it("S-A4: alpha-3 codes point at their alpha-2 form", () => {
    assert.equal(suggestCountryCode("DEU"), "DE");
    assert.equal(suggestCountryCode("usa"), "US");
  });

  it("S-A4: a typo gets the nearest valid code", () => {
    const suggestion = suggestCountryCode("DW");
    assert.ok(suggestion !== null && isCountryCode(suggestion));
    assert.equal(suggestion?.[0] === "D" || suggestion?.[1] === "W", true);
  });

  it("S-A4: without a likely fix, says how to write a code", () => {
    assert.equal(countryCodeHelp("Q"), "use an ISO 3166-1 alpha-2 code such as `DE` or `US`");
  });
});
