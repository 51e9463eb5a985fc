import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { didYouMean, editDistance } from "../../src/diagnostics/did-you-mean.ts";

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("", "abc"), 3);
    assert.equal(editDistance("abc", "abc"), 0);
  });

  it("is a metric: symmetric, zero only for equal strings, and obeys the triangle inequality", () => {
    const s = fc.string({ maxLength: 8 });
    fc.assert(
      fc.property(s, s, s, (a, b, c) => {
        assert.equal(editDistance(a, b), editDistance(b, a));
        assert.equal(editDistance(a, b) === 0, a === b);
        assert.ok(editDistance(a, c) <= editDistance(a, b) + editDistance(b, c));
      }),
      { numRuns: 500 },
    );
  });
});

describe("didYouMean", () => {
  const properties = ["trusted_ips", "geo_ip", "tls_min_version", "post_quantum", "ech"];

  it("suggests the closest name for a typo", () => {
    assert.equal(didYouMean("tls_min_verison", properties), "tls_min_version");
    assert.equal(didYouMean("trusted_ip", properties), "trusted_ips");
  });

  it("ignores case and the difference between `-` and `_`", () => {
    assert.equal(didYouMean("TLS-MIN-VERSION", properties), "tls_min_version");
    assert.equal(
      didYouMean("auth_required", ["allowed", "auth-required", "forbidden"]),
      "auth-required",
    );
  });

  it("suggests nothing when nothing is close", () => {
    assert.equal(didYouMean("upstream", properties), undefined);
    assert.equal(didYouMean("x".repeat(1000), properties), undefined);
  });
});
