/**
 * The refusal walk (`grant-refusal.ts`) explains exactly the filters that refuse: for any
 * filter tree and tunnel, it finds failures if and only if the filter does not select the
 * tunnel (S-T4). Empty `AND`/`OR` lists included: the platform's filters allow them, and a
 * token's filter on a field no tunnel declares is lowered to an empty `OR`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { filterFailures } from "../../src/bounds/grant-refusal.ts";
import { filterMatches } from "../../src/bounds/tunnel-filter.ts";
import type { FilterIr } from "../../src/ir/types.ts";
import { arbEffectivePolicy, arbFilter } from "../../src/testkit/arbitraries.ts";
import { tunnel } from "../runtime/helpers/policy.ts";

/** Filters with empty lists mixed in, wherever a list may be. */
const withEmptyLists: fc.Arbitrary<FilterIr> = fc.oneof(
  arbFilter(),
  fc.constant<FilterIr>({ kind: "or", children: [] }),
  fc.constant<FilterIr>({ kind: "and", children: [] }),
  fc
    .tuple(arbFilter(), fc.constantFrom<"and" | "or">("and", "or"), fc.boolean())
    .map(([f, kind, first]): FilterIr => {
      const empty: FilterIr = { kind: "or", children: [] };
      return { kind, children: first ? [empty, f] : [f, empty] };
    }),
);

describe("the refusal walk explains exactly what refuses (S-T4)", () => {
  it("S-T4: failures are found if and only if the filter does not select the tunnel", () => {
    fc.assert(
      fc.property(
        withEmptyLists,
        arbEffectivePolicy().filter((p) => p.tunnels.length > 0),
        (filter, policy) => {
          for (const tunnel of policy.tunnels) {
            const failures = filterFailures(filter, tunnel, "/filters", null);
            assert.equal(failures.length === 0, filterMatches(filter, tunnel));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("S-T4: an empty OR beside a condition the tunnel fails is a failure, not a pass", () => {
    const filter: FilterIr = {
      kind: "or",
      children: [
        { kind: "or", children: [] },
        { kind: "label", key: "env", match: { kind: "exact", value: "prod" } },
      ],
    };
    const ws = tunnel({ id: "ws", hosts: ["ws.test"] });
    assert.equal(filterMatches(filter, ws), false);
    assert.deepEqual(
      filterFailures(filter, ws, "/filters", null).map((f) => f.pointer),
      ["/filters/OR/1/labels/env"],
    );
  });
});
