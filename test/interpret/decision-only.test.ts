// Issue #2 lint speed: `interpret` decides without keeping a trace, and `isWellKnownPath`
// skips normalization for paths that cannot name an engine endpoint (S-O2). Neither may
// change a decision: both are held to the full pipeline here.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { interpret, interpretRequest } from "../../src/interpret/request.ts";
import { isWellKnownPath, WELL_KNOWN_PREFIX } from "../../src/interpret/well-known.ts";
import { normalizePath } from "../../src/ir/path.ts";
import { arbEffectivePolicy, arbPath, arbRequestFacts } from "../../src/testkit/arbitraries.ts";

/** The endpoint test as S-O2 states it: on the raw path and on the normalized one. */
function namesEndpoint(rawPath: string): boolean {
  const normalized = normalizePath(rawPath);
  const paths = normalized.ok ? [rawPath, normalized.path] : [rawPath];
  return paths.some((p) => p.startsWith(WELL_KNOWN_PREFIX) || p === WELL_KNOWN_PREFIX.slice(0, -1));
}

const arbRawPath = (): fc.Arbitrary<string> =>
  fc.oneof(
    arbPath(),
    fc
      .array(
        fc.constantFrom("/", ".", "%", "2", "e", "E", "well-known", "rstream", "session", "a", "?"),
        {
          maxLength: 10,
        },
      )
      .map((parts) => parts.join("")),
  );

describe("decisions without a trace (S-O1)", () => {
  it("interpret gives the decision interpretRequest gives", () => {
    fc.assert(
      fc.property(
        arbEffectivePolicy().chain((policy) =>
          fc.tuple(fc.constant(policy), arbRequestFacts(policy)),
        ),
        ([policy, facts]) => {
          assert.deepEqual(interpret(policy, facts), interpretRequest(policy, facts).decision);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("engine endpoint paths (S-O2)", () => {
  it("isWellKnownPath agrees with normalizing every path", () => {
    let endpoints = 0;
    fc.assert(
      fc.property(arbRawPath(), (path) => {
        const expected = namesEndpoint(path);
        if (expected) endpoints++;
        assert.equal(isWellKnownPath(path), expected, path);
      }),
      { numRuns: 3000 },
    );
    assert.ok(endpoints > 0);
  });

  it("an escaped dot still reaches the endpoints", () => {
    assert.equal(isWellKnownPath("/%2ewell-known/rstream/session"), true);
    assert.equal(isWellKnownPath("/api/../.well-known/rstream/logout"), true);
    assert.equal(isWellKnownPath("/well-known/rstream/session"), false);
  });
});
