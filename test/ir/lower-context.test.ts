import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  at,
  canonicalList,
  lowerCaseList,
  sortedUnique,
  sortUniqueInPlace,
} from "../../src/ir/lower-context.ts";

describe("sortedUnique", () => {
  it("is the sorted, deduplicated copy `sort()` gives, for lists short and long", () => {
    const value = fc.oneof(
      fc.constantFrom("a", "B", "b", "", "10", "9", "ä", "__proto__", "\u{1F600}", "\uFFFF"),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), (values) => {
        const copy = [...values];
        const result = sortedUnique(values);
        assert.deepEqual(result, [...new Set(values)].sort());
        assert.deepEqual(values, copy, "the input is left as it was");
        assert.notEqual(result, values, "the result is a copy");
      }),
      { numRuns: 3000 },
    );
  });
});

describe("canonicalList, sortUniqueInPlace and lowerCaseList", () => {
  const value = fc.oneof(
    fc.constantFrom("a", "B", "b", "", "10", "9", "ä", "Ä", "__proto__", "\u{1F600}", "\uFFFF"),
    fc.string({ maxLength: 4 }),
  );

  it("give what `sortedUnique` gives, sharing a list only when it is canonical already", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), (values) => {
        const copy = [...values];
        const expected = [...new Set(values)].sort();
        const shared = canonicalList(values);
        assert.deepEqual(shared, expected);
        assert.deepEqual(values, copy, "canonicalList leaves the list as it was");
        const canonical = values.every((v, i) => i === 0 || (values[i - 1] as string) < v);
        assert.equal(shared === values, canonical, "the list itself only when canonical");
        const owned = [...values];
        assert.deepEqual(sortUniqueInPlace(owned), expected);
        const lowered = [...new Set(values.map((v) => v.toLowerCase()))].sort();
        assert.deepEqual(lowerCaseList(values), lowered);
        assert.deepEqual(values, copy, "lowerCaseList leaves the list as it was");
      }),
      { numRuns: 3000 },
    );
  });
});

describe("at", () => {
  it("escapes `~` and `/` in keys (RFC 6901) and leaves indexes as they are", () => {
    assert.equal(at("/tunnels", 3), "/tunnels/3");
    assert.equal(at("/labels", "a/b~c"), "/labels/a~1b~0c");
    assert.equal(at("", "project"), "/project");
  });
});
