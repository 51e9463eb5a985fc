/**
 * Compiled tunnel filters select exactly the tunnels the reference `filterMatches` selects
 * (S-T4, S-T5): every filter kind, nested AND/OR, exact/oneof/regex matches, unsafe regexes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { filterMatches } from "../../src/bounds/tunnel-filter.ts";
import { compileTunnelFilter } from "../../src/compile/matchers/tunnel-filter.ts";
import type { FilterIr } from "../../src/ir/types.ts";
import { arbControlTunnels, arbFilter } from "../../src/testkit/index.ts";

describe("compiled tunnel filters", () => {
  it("S-T4: agree with filterMatches on random filters and tunnels", () => {
    fc.assert(
      fc.property(arbFilter(), arbControlTunnels(), (filter, tunnels) => {
        const compiled = compileTunnelFilter(filter);
        for (const t of tunnels) assert.equal(compiled(t), filterMatches(filter, t));
      }),
      { numRuns: 5_000 },
    );
  });

  it("S-T5: an unsafe regex selects nothing, as in the reference", () => {
    const unsafe: FilterIr = {
      kind: "string",
      field: "name",
      match: { kind: "regex", source: "(a+)+$" },
    };
    fc.assert(
      fc.property(arbControlTunnels(), (tunnels) => {
        for (const t of tunnels) {
          assert.equal(compileTunnelFilter(unsafe)(t), false);
          assert.equal(filterMatches(unsafe, t), false);
        }
      }),
      { numRuns: 200 },
    );
  });
});
