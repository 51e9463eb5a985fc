/**
 * The bundle writer reads less of the IR than all of it (issue #19): an object met again is
 * found by identity once it was found equal to a stored value, spans are read by name, and a
 * lazy span map is read from its source without its traps. None of that may change a byte: the
 * writer must give the same text for a policy whose objects are shared by identity as for a
 * copy of it in which every object is its own, and for lazy span maps as for their plain maps.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { writeBundle } from "../../src/compile/bundle.ts";
import type { BundleFormatVersion } from "../../src/compile/bundle.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import { LazySpanMap } from "../../src/ir/lazy-spans.ts";
import { checkPolicySource } from "../../src/pipeline.ts";
import { arbEffectivePolicy } from "../../src/testkit/index.ts";
import { largePolicyDsl } from "../bench/parse-policy.ts";
import { referenceWriteBundle } from "./reference-bundle-writer.ts";

/**
 * A deep copy in which no object or array is shared and every object is a plain one: a lazy
 * span map is copied as its plain map (`toJSON`), which is what `JSON.stringify` writes of it.
 */
function unshared(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(unshared);
  if (value instanceof LazySpanMap) return unshared(value.toJSON());
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(copy, key, {
      value: unshared((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** The policy with its tunnels listed `times` times over: each tunnel object met `times` times. */
function repeated(policy: EffectivePolicy, times: number): EffectivePolicy {
  const tunnels = Array.from({ length: times }, () => policy.tunnels).flat();
  return { ...policy, tunnels };
}

const VERSIONS: readonly BundleFormatVersion[] = [2, 3];

describe("bundle bytes with objects shared by identity (issue #19)", () => {
  it("are those of the unshared copy, for objects met once, twice or more", () => {
    fc.assert(
      fc.property(
        fc.array(arbEffectivePolicy(), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(...VERSIONS),
        (policies, times, version) => {
          // One policy object listed twice, its tunnels `times` times: every object in it is
          // met again, some first as a value found equal, then by identity.
          const shared = [...policies.map((p) => repeated(p, times)), ...policies];
          const copy = unshared(shared) as EffectivePolicy[];
          assert.equal(writeBundle(shared, [], version), writeBundle(copy, [], version));
          if (version === 2)
            assert.equal(writeBundle(shared, [], 2), referenceWriteBundle(copy, []));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("of a lowered policy (lazy span maps, shared rule sets) are those of its plain copy", () => {
    const checked = checkPolicySource({ name: "bench.rampart", text: largePolicyDsl(60, 60) });
    const policy = checked.effective;
    assert.ok(policy !== undefined);
    const copy = unshared(policy) as EffectivePolicy;
    for (const version of VERSIONS) {
      assert.equal(
        writeBundle([policy], checked.diagnostics, version),
        writeBundle([copy], checked.diagnostics, version),
      );
    }
    assert.equal(
      writeBundle([policy], checked.diagnostics, 2),
      referenceWriteBundle([copy], checked.diagnostics),
    );
  });
});
