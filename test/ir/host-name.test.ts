import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isValidHost } from "../../src/ir/host-name.ts";

/** The reference: the regular expression lowering used before the one-pass reading. */
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)*${LABEL}$`);
const reference = (host: string): boolean => host.length <= 253 && HOST.test(host);

describe("isValidHost", () => {
  it("S-D5: accepts DNS names and one leading `*.`, refuses the rest", () => {
    for (const host of ["a", "t1.example.test", "*.example.test", "a-b.c0", "0.1.2.3"])
      assert.equal(isValidHost(host), true, host);
    for (const host of [
      "",
      "*",
      "*.",
      "a.",
      ".a",
      "a..b",
      "-a.b",
      "a-.b",
      "a.*.b",
      "**.a",
      "A.b",
      "a_b",
      "a b",
      "a.b\n",
      `${"a".repeat(64)}.b`,
      `${"a.".repeat(126)}ab`,
    ])
      assert.equal(isValidHost(host), false, JSON.stringify(host));
  });

  it("S-D5: answers what the regular expression answers, on any text near a host name", () => {
    const unit = fc.constantFrom("a", "z", "0", "9", "-", ".", "*", "A", "_", " ", "é", "\n");
    const label = fc.oneof(
      fc.string({ unit: fc.constantFrom("a", "0", "-"), minLength: 0, maxLength: 66 }),
      fc.string({ unit, maxLength: 4 }),
    );
    const host = fc.oneof(
      fc.string({ unit, maxLength: 24 }),
      fc
        .tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 6 }))
        .map(([star, labels]) => `${star ? "*." : ""}${labels.join(".")}`),
      // Around the 253-character limit.
      fc
        .tuple(fc.integer({ min: 1, max: 63 }), fc.integer({ min: 3, max: 5 }))
        .map(([size, count]) => Array.from({ length: count }, () => "b".repeat(size)).join(".")),
      fc.domain(),
    );
    fc.assert(
      fc.property(host, fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), (h, a, b) => {
        assert.equal(isValidHost(h), reference(h), JSON.stringify(h));
        // A host inside a longer text, read in place.
        const inside = `${a}${h}${b}`;
        assert.equal(isValidHost(inside, a.length, a.length + h.length), reference(h));
      }),
      { numRuns: 20000 },
    );
  });
});
