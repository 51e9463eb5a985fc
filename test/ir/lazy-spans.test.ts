import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lazySpanMap } from "../../src/ir/lazy-spans.ts";
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

  it("reads as the plain map of the present properties' spans (keys, order, JSON, equality)", () => {
    const scope = scopeOf(spans);
    const map = lazySpanMap(doc, scope);
    const plain = { id: spans.id, upstream: spans.upstream, labels: spans.labels };
    assert.equal(scope.reads, 0, "nothing is read until asked");
    assert.equal(map["upstream"], spans.upstream);
    assert.equal(map["name"], undefined, "an undefined property has no span");
    assert.equal(map["missing"], undefined);
    assert.deepEqual(Object.keys(map), ["id", "upstream", "labels"]);
    assert.deepEqual(map, plain);
    assert.deepEqual({ ...map }, plain);
    assert.equal(JSON.stringify(map), JSON.stringify(plain));
    assert.equal(Object.getPrototypeOf(map), Object.prototype);
    assert.ok("id" in map && !("name" in map) && "toString" in map);
    assert.equal(map.toString, Object.prototype.toString, "inherited members read through");
  });

  it("cannot be changed", () => {
    const map = lazySpanMap(doc, scopeOf(spans)) as Record<string, Span | undefined>;
    assert.throws(() => {
      map["id"] = span(9);
    }, TypeError);
    assert.throws(() => {
      delete map["id"];
    }, TypeError);
    assert.equal(map["id"], spans.id);
  });
});
