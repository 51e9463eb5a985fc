// Issue #2 lint speed: `isPlainNormalizedPath` stands in for a call to `normalizePath` on
// the candidate paths of path restrictions (S-T5); it may only ever say "unchanged" for a
// path that normalization really leaves unchanged.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isPlainNormalizedPath } from "../../src/analysis/path/plain-path.ts";
import { MAX_PATH_LENGTH, normalizePath } from "../../src/ir/path.ts";
import { arbPath } from "../../src/testkit/arbitraries.ts";

// Characters that normalization treats specially, mixed with plain ones.
const arbPathText = (): fc.Arbitrary<string> =>
  fc
    .array(
      fc.constantFrom(
        "/",
        "a",
        "Z",
        "0",
        "-",
        "_",
        "~",
        ".",
        "%",
        "2",
        "e",
        ";",
        "?",
        "#",
        "\\",
        " ",
        "é",
      ),
      {
        maxLength: 12,
      },
    )
    .map((chars) => chars.join(""));

describe("plain normalized paths (S-T5)", () => {
  it("a plain path is one that normalizePath accepts and leaves as it is", () => {
    let plain = 0;
    fc.assert(
      fc.property(fc.oneof(arbPathText(), arbPath()), (path) => {
        if (!isPlainNormalizedPath(path)) return;
        plain++;
        assert.deepEqual(normalizePath(path), { ok: true, path });
      }),
      { numRuns: 5000 },
    );
    assert.ok(plain > 0);
  });

  it("recognizes the usual grant paths and refuses what normalization would touch", () => {
    for (const path of ["/", "/api", "/api/", "/v1/svc12/", "/a-b/c_d/~e"])
      assert.equal(isPlainNormalizedPath(path), true, path);
    for (const path of ["", "api", "//", "/a//b", "/a/./b", "/a/../b", "/%41", "/a?b", "/a b"])
      assert.equal(isPlainNormalizedPath(path), false, path);
    assert.equal(isPlainNormalizedPath(`/${"a".repeat(MAX_PATH_LENGTH)}`), false, "too long");
  });
});
