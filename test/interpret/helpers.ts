import assert from "node:assert/strict";
import { computeEffective } from "../../src/bounds/intersect.ts";
import type { EffectivePolicy } from "../../src/bounds/effective.ts";
import type { PolicyIr } from "../../src/ir/types.ts";

/** The effective policy of an IR that must be valid. */
export function effectiveOf(ir: PolicyIr): EffectivePolicy {
  const out = computeEffective(ir);
  assert.deepEqual(
    out.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  assert.ok(out.value);
  return out.value;
}
