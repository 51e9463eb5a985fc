/**
 * `lazySpanEntries`: a lazy span map's keys and spans read without its traps (for the bundle
 * writer, issue #19), exactly what `Object.keys` and `Object.values` of the map give.
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
  it("gives the keys and spans that Object.keys and Object.values of the map give", () => {
    fc.assert(
      fc.property(
        arbFields,
        fc.dictionary(fc.string({ maxLength: 6 }), arbSpan, { maxKeys: 8 }),
        fc.option(arbSpan, { nil: undefined }),
        (fields, spans, own) => {
          const map = lazySpanMap(fields, scopeOf(spans, own));
          const entries = lazySpanEntries(map);
          assert.ok(entries !== undefined);
          assert.deepEqual(entries.keys, Object.keys(map));
          assert.deepEqual(entries.spans, Object.values(map));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("is undefined for any other object, and the map shows no key of its own for it", () => {
    for (const other of [{}, [], { file: "p", start: 1, end: 2 }, new Proxy({}, {})]) {
      assert.equal(lazySpanEntries(other), undefined);
    }
    const map = lazySpanMap({ id: "t1" }, scopeOf({}, undefined));
    assert.deepEqual(Reflect.ownKeys(map), ["id"]);
    assert.deepEqual(Object.getOwnPropertySymbols(map), []);
  });
});
