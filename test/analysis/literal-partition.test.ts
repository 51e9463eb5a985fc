// Issue #19: literal path restrictions (exact, oneof, prefix; S-T5) are partitioned without
// automata for the diff. The property: on random literal restrictions over a few segments
// (so they nest, repeat and end in `/`), the literal partition has exactly the classes the
// automaton search finds, and every witness is a normalized path in its class.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildPathSpace, membersOf } from "../../src/analysis/path-space.ts";
import { literalPartition } from "../../src/analysis/path/literal-partition.ts";
import { normalizePath } from "../../src/ir/path.ts";
import type { PathMatchIr } from "../../src/ir/types.ts";

const RUNS = Number(process.env["LITERAL_PARTITION_RUNS"] ?? 400);

const arbLiteral: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.constantFrom("a", "b", "x", "api", "v1"), { maxLength: 3 }), fc.boolean())
  .map(([segments, slash]) => `/${segments.join("/")}${slash && segments.length > 0 ? "/" : ""}`);

const arbMatch: fc.Arbitrary<PathMatchIr> = fc.oneof(
  arbLiteral.map((value): PathMatchIr => ({ kind: "exact", value })),
  fc
    .array(arbLiteral, { minLength: 1, maxLength: 3 })
    .map((values): PathMatchIr => ({ kind: "oneof", values })),
  fc
    .array(arbLiteral, { minLength: 1, maxLength: 3 })
    .map((values): PathMatchIr => ({ kind: "prefix", values })),
);

const vectors = (classes: readonly { members: readonly boolean[] }[]): string[] =>
  classes.map((c) => c.members.map((m) => (m ? "1" : "0")).join("")).sort();

describe("literal path partition (issue #19, S-T5)", () => {
  it(`S-T5: has the automaton search's classes, with witnesses in them (${RUNS} random lists)`, () => {
    fc.assert(
      fc.property(fc.array(arbMatch, { minLength: 1, maxLength: 5 }), (matches) => {
        const literal = literalPartition(matches);
        assert.ok(literal !== null, "literal restrictions take the literal partition");
        const search = buildPathSpace(matches);
        assert.ok(search.complete);
        assert.deepEqual(vectors(literal), vectors(search.atoms));
        for (const c of literal) {
          const normalized = normalizePath(c.witness);
          assert.ok(normalized.ok && normalized.path === c.witness, `${c.witness} is normalized`);
          assert.deepEqual(membersOf(matches, c.witness), [...c.members]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("leaves globs and regexes to the automaton search", () => {
    assert.equal(literalPartition([{ kind: "glob", patterns: ["/a/*"] }]), null);
    assert.equal(literalPartition([{ kind: "regex", source: "^/a" }]), null);
  });

  it("S-T5: the prefix `/` puts every path in it, and `/a/` is its own class beside `/a`", () => {
    const classes = literalPartition([
      { kind: "prefix", values: ["/"] },
      { kind: "exact", value: "/a/" },
      { kind: "prefix", values: ["/a"] },
    ]);
    assert.deepEqual(
      vectors(classes ?? []),
      vectors(
        buildPathSpace([
          { kind: "prefix", values: ["/"] },
          { kind: "exact", value: "/a/" },
          { kind: "prefix", values: ["/a"] },
        ]).atoms,
      ),
    );
    assert.ok((classes ?? []).every((c) => c.members[0] === true));
    // The shortest path of each class: the root, the prefix's base, the exact value.
    assert.deepEqual((classes ?? []).map((c) => c.witness).sort(), ["/", "/a", "/a/"]);
  });
});
