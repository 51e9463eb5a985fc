import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { lazySpanMap, spanOf } from "../../src/ir/lazy-spans.ts";
import type { SpanScope } from "../../src/ir/lower-context.ts";
import type { Span } from "../../src/diagnostics/span.ts";

/** A scope whose members' spans are made once each, as a span tree hands them out. */
function scopeOf(spans: Record<string, Span>): SpanScope & { reads: number } {
  const scope = {
    reads: 0,
    own: () => undefined,
    member(key: string | number): Span | undefined {
      scope.reads++;
      return spans[String(key)];
    },
    at: () => scope,
  };
  return scope;
}

const span = (start: number): Span => ({ file: "p.rampart", start, end: start + 1 });

describe("lazySpanMap", () => {
  const doc = { id: "t1", name: undefined, upstream: "http://10.0.0.1", labels: {} };
  const spans = { id: span(1), name: span(2), upstream: span(3), labels: span(4) };

  it("holds the plain map of the present properties' spans (keys, order, JSON)", () => {
    const scope = scopeOf(spans);
    const map = lazySpanMap(doc, scope);
    const plain = { id: spans.id, upstream: spans.upstream, labels: spans.labels };
    assert.equal(scope.reads, 0, "nothing is read until asked");
    assert.equal(map.get("upstream"), spans.upstream);
    assert.equal(map.get("name"), undefined, "an undefined property has no span");
    assert.equal(map.get("missing"), undefined);
    assert.deepEqual(map.keys(), ["id", "upstream", "labels"]);
    assert.deepEqual(map.toJSON(), plain);
    assert.equal(JSON.stringify(map), JSON.stringify(plain));
    assert.equal(JSON.stringify({ spans: map }), JSON.stringify({ spans: plain }));
    assert.ok(map.has("id") && !map.has("name") && !map.has("toString"));
  });

  it("answers inherited names as missing properties", () => {
    const map = lazySpanMap(doc, scopeOf({ toString: span(5), constructor: span(6) }));
    assert.equal(map.get("toString"), undefined);
    assert.equal(map.get("constructor"), undefined);
  });
});

describe("spanOf", () => {
  const doc = { id: "t1", name: undefined, upstream: "http://10.0.0.1", labels: {} };
  const spans = { id: span(1), name: span(2), upstream: span(3), labels: span(4) };

  it("reads only the span asked for from a lazy map", () => {
    const scope = scopeOf(spans);
    const map = lazySpanMap(doc, scope);
    assert.equal(spanOf(map, "upstream"), spans.upstream);
    assert.equal(scope.reads, 1, "one member read for one present key");
    assert.equal(spanOf(map, "name"), undefined, "an undefined property has no span");
    assert.equal(spanOf(map, "trustedIps"), undefined, "a missing key");
    assert.equal(scope.reads, 1, "a missing or undefined key reads no span");
  });

  it("reads any other map as it is", () => {
    const plain = { id: span(1) };
    assert.equal(spanOf(plain, "id"), plain.id);
    assert.equal(spanOf(plain, "name"), undefined);
  });

  it("answers what the plain map (`toJSON`) holds, for any object and own key", () => {
    const key = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom("id", "constructor", "toString", "__proto__", "hasOwnProperty"),
    );
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.oneof(fc.constant(undefined), fc.string({ maxLength: 4 })), {
          maxKeys: 8,
        }),
        key,
        (fields, asked) => {
          const map = lazySpanMap(fields, scopeOf({ [asked]: span(7) }));
          const plain = map.toJSON();
          const expected = Object.hasOwn(plain, asked) ? plain[asked] : undefined;
          assert.equal(spanOf(map, asked), expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
