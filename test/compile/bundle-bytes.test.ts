/**
 * The bundle writer's output is fixed byte for byte (issue #19 made it faster, not different):
 * asked for format version 2, it matches the writer as it was (`reference-bundle-writer.ts`) on
 * arbitrary policies, and the bundle of a generated 300-tunnel, 300-grant policy has the hash
 * recorded before the change (and, in format version 3, the hash recorded with version 3).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { writeBundle } from "../../src/compile/bundle.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { checkPolicySource } from "../../src/pipeline.ts";
import { arbEffectivePolicy } from "../../src/testkit/index.ts";
import { largePolicyDsl } from "../bench/parse-policy.ts";
import { referenceWriteBundle } from "./reference-bundle-writer.ts";

/** sha-256 of `rampart compile` of `largePolicyDsl(300, 300)` read as `bench.rampart`. */
const RECORDED_300_HASH = "9c90806a9a17bee6a9914accd8cfcddb40a74f1b1f1c7f2c08fdb80f952c07cf";
/** The same in format version 3 (spans as tuples), recorded when version 3 was introduced. */
const RECORDED_300_HASH_V3 = "626aa29ff3e3a86acfa98e10293b36aab7ee501d820363865977ef009ee28a75";

const warning: Diagnostic = {
  code: "RP8001",
  severity: "warning",
  message: 'a "quoted" warning with a \u2028 separator',
  span: { file: "policy.rampart", start: 3, end: 9 },
  help: "a hint",
};

describe("bundle bytes (issue #19)", () => {
  it("are the reference writer's for arbitrary policies and diagnostics", () => {
    fc.assert(
      fc.property(
        fc.array(arbEffectivePolicy(), { minLength: 0, maxLength: 4 }),
        fc.boolean(),
        (policies, warn) => {
          const diagnostics = warn ? [warning] : [];
          assert.equal(
            writeBundle(policies, diagnostics, 2),
            referenceWriteBundle(policies, diagnostics),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("of a policy repeated, with odd member names and values, are the reference's", () => {
    const [policy] = fc.sample(arbEffectivePolicy(), { numRuns: 1, seed: 19 });
    assert.ok(policy !== undefined);
    const odd = {
      ...policy,
      // An own `__proto__` member (as JSON.parse makes one), keys out of order, non-ASCII.
      extra: JSON.parse(
        '{"z":1,"a":[{"__proto__":{"b":1,"a":"long enough to be shared"}},null],"\u00e9\u2028":{"b":2,"a":1}}',
      ) as unknown,
      // Numbers that are not 32-bit integers, and those JSON writes as `null`.
      numbers: [1.5, -0, 2 ** 40, -7, Number.NaN, Infinity, 2147483647, -2147483648, 2 ** 31],
      // A non-finite number as a member is written as `null` too.
      limits: { top: Infinity, same: [1.5, 1.5, "a repeated list, long enough"] },
      // Members left undefined (not written) in several orders, the same names otherwise.
      gaps: [
        { b: undefined, a: "long enough to be shared", c: 1 },
        { c: 1, a: "long enough to be shared" },
        { a: "long enough to be shared", b: undefined, c: 1 },
        { c: 1, b: 2, a: undefined },
      ],
      // Objects read by Object.keys rather than for…in: a class instance, no prototype.
      instance: new (class Pair {
        b = [1, "long enough to be shared"];
        a = { y: 2, x: 1 };
      })(),
      bare: Object.assign(Object.create(null) as object, {
        z: undefined,
        y: [1, "long enough to be shared"],
        x: 1,
      }),
    };
    const policies = [policy, odd, policy];
    assert.equal(writeBundle(policies, [warning], 2), referenceWriteBundle(policies, [warning]));
  });

  it("of the 300-tunnel, 300-grant bench policy have the recorded hashes, in both versions", () => {
    const checked = checkPolicySource({ name: "bench.rampart", text: largePolicyDsl(300, 300) });
    assert.ok(checked.effective !== undefined, JSON.stringify(checked.diagnostics.slice(0, 3)));
    const hashOf = (version: 2 | 3): string => {
      const bundle = writeBundle(
        [checked.effective as EffectivePolicy],
        checked.diagnostics,
        version,
      );
      return createHash("sha256").update(bundle).digest("hex");
    };
    assert.equal(hashOf(2), RECORDED_300_HASH);
    assert.equal(hashOf(3), RECORDED_300_HASH_V3);
  });
});
