import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Span } from "../../src/diagnostics/span.ts";
import type { LowerContext } from "../../src/ir/lower-context.ts";
import { LazySpanMap, lazySpanMap, spanOf } from "../../src/ir/lazy-spans.ts";
import { at, lazyAt, propertySpans, spansAt } from "../../src/ir/lower-context.ts";
import { treeSpans } from "../../src/ir/tree-spans.ts";
import { spanAt } from "../../src/syntax/ast.ts";
import { readJson } from "../../src/syntax/json-reader.ts";

/** Every member path of a JSON value (as keys from the root), plus some that name nothing. */
function pathsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const out = [path, [...path, "missing"], [...path, 0, "deeper"]];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...path, i])));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...path, k]));
  }
  return out;
}

const pointerOf = (path: readonly (string | number)[]): string =>
  path.reduce<string>((p, key) => at(p, key), "");

describe("treeSpans: span scopes over a front end's span tree", () => {
  it("answers own, member and at exactly as spanAt does for the pointer, for any JSON document", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const read = readJson({ name: "f", text }).value;
        assert.ok(read);
        const scopeOf = treeSpans(read.spans);
        const reference = new Map(read.spans);
        const nearest = (path: readonly (string | number)[]): Span | undefined =>
          spanAt(reference, pointerOf(path));
        for (const path of pathsOf(read.value)) {
          const pointer = pointerOf(path);
          const scope = scopeOf(pointer);
          assert.deepEqual(scope.own(), nearest(path), pointer);
          for (const key of ["missing", 0, "a/b~c", ...path.slice(-1)]) {
            assert.deepEqual(scope.member(key), nearest([...path, key]), `${pointer} ${key}`);
            assert.deepEqual(scope.at(key).own(), nearest([...path, key]), `${pointer} ${key}`);
            assert.deepEqual(scope.at(key).at(1).member("x"), nearest([...path, key, 1, "x"]));
          }
        }
        // Walking down from the root gives the same scopes as asking by pointer, also when
        // every step (or every other one) is lazy: looked up only when a span is asked.
        for (const path of pathsOf(read.value)) {
          const walked = path.reduce((scope, key) => scope.at(key), scopeOf(""));
          assert.deepEqual(walked.own(), nearest(path), pointerOf(path));
          const lazy = path.reduce((scope, key) => lazyAt(scope, key), scopeOf(""));
          const mixed = path.reduce(
            (scope, key, i) => (i % 2 === 0 ? lazyAt(scope, key) : scope.at(key)),
            scopeOf(""),
          );
          for (const scope of [lazy, mixed]) {
            assert.deepEqual(scope.own(), nearest(path), pointerOf(path));
            assert.deepEqual(scope.member("missing"), nearest([...path, "missing"]));
            assert.deepEqual(scope.member(0), nearest([...path, 0]));
            assert.deepEqual(lazyAt(scope, 0).member("deeper"), nearest([...path, 0, "deeper"]));
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("propertySpans over a span tree (the map lowering keeps per tunnel and grant)", () => {
  it("holds what the generic lazy map over the same scope holds, for any JSON document", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const read = readJson({ name: "f", text }).value;
        assert.ok(read);
        const scopeOf = treeSpans(read.spans);
        for (const path of pathsOf(read.value)) {
          const value: unknown = path.reduce<unknown>(
            (v, key) => (typeof v === "object" && v !== null ? Reflect.get(v, key) : undefined),
            read.value,
          );
          if (typeof value !== "object" || value === null) continue;
          const scope = scopeOf(pointerOf(path));
          const kept = propertySpans(value, scope);
          const generic = lazySpanMap(value, scope);
          assert.ok(kept instanceof LazySpanMap);
          assert.deepEqual(kept.toJSON(), generic.toJSON(), pointerOf(path));
          for (const key of [...Object.keys(value), "missing"]) {
            assert.equal(spanOf(kept, key), spanOf(generic, key), `${pointerOf(path)} ${key}`);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("spansAt: a context without a span tree", () => {
  it("asks the context pointer by pointer, escaping keys", () => {
    const asked: string[] = [];
    const span = (start: number): Span => ({ file: "f", start, end: start + 1 });
    const ctx: LowerContext = {
      span: (pointer) => {
        asked.push(pointer);
        return span(asked.length);
      },
      report: () => undefined,
    };
    const scope = spansAt(ctx, "/tunnels/0");
    assert.deepEqual(scope.own(), span(1));
    assert.deepEqual(scope.member("a/b~c"), span(2));
    assert.deepEqual(scope.at("labels").at(3).own(), span(3));
    assert.deepEqual(asked, ["/tunnels/0", "/tunnels/0/a~1b~0c", "/tunnels/0/labels/3"]);
  });
});
