/**
 * `lazySpanEntries`: a lazy span map's keys and spans (for the bundle writer, issue #19),
 * exactly the keys and values of its plain map (`toJSON`).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { lazySpanEntries, lazySpanMap } from "../../src/ir/lazy-spans.ts";
import type { SpanScope } from "../../src/ir/lower-context.ts";
import type { Span } from "../../src/diagnostics/span.ts";

/** A scope with the given members' spans; any other member has the scope's own span. */
function scopeOf(spans: Readonly<Record<string, Span>>, own: Span | undefined): SpanScope {
  const scope: SpanScope = {
    own: () => own,
    member: (key) => (Object.hasOwn(spans, String(key)) ? spans[String(key)] : own),
    at: () => scope,
  };
  return scope;
}

const arbSpan: fc.Arbitrary<Span> = fc
  .tuple(fc.nat(1000), fc.nat(50))
  .map(([start, length]) => ({ file: "p.rampart", start, end: start + length }));

/** Objects whose members may be undefined (no span) and whose names may look like indices. */
const arbFields = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 6 }), fc.nat(20).map(String)),
  fc.oneof(fc.constant(undefined), fc.string({ maxLength: 4 }), fc.integer(), fc.object()),
  { maxKeys: 8 },
);

describe("lazySpanEntries", () => {
  it("gives the keys and spans of the map's plain form", () => {
    fc.assert(
      fc.property(
        arbFields,
        fc.dictionary(fc.string({ maxLength: 6 }), arbSpan, { maxKeys: 8 }),
        fc.option(arbSpan, { nil: undefined }),
        (fields, spans, own) => {
          const map = lazySpanMap(fields, scopeOf(spans, own));
          const entries = lazySpanEntries(map);
          assert.ok(entries !== undefined);
          assert.deepEqual(entries.keys, Object.keys(map.toJSON()));
          assert.deepEqual(entries.spans, Object.values(map.toJSON()));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is undefined for any other object", () => {
    for (const other of [{}, [], { file: "p", start: 1, end: 2 }, new Proxy({}, {})]) {
      assert.equal(lazySpanEntries(other), undefined);
    }
  });
});
