import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Span } from "../../src/diagnostics/span.ts";
import { spanAt } from "../../src/syntax/ast.ts";
import { readJson } from "../../src/syntax/json-reader.ts";
import { SpanTree } from "../../src/syntax/span-tree.ts";

const span = (start: number): Span => ({ file: "f", start, end: start + 1 });

/** Every pointer of a JSON value, plus a few that name nothing, in random order. */
function pointersOf(value: unknown, pointer = ""): string[] {
  const out = [pointer, `${pointer}/missing`, `${pointer}/0/deeper`];
  const encode = (k: string) => k.replaceAll("~", "~0").replaceAll("/", "~1");
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pointersOf(v, `${pointer}/${i}`)));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value))
      out.push(...pointersOf(v, `${pointer}/${encode(k)}`));
  }
  return out;
}

describe("SpanTree: a span table that mirrors the document", () => {
  it("answers get and spanAt like a Map keyed by JSON Pointer, for any JSON document", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.integer(), (text, seed) => {
        const read = readJson({ name: "f", text }).value;
        assert.ok(read);
        const reference = new Map(read.spans);
        const pointers = pointersOf(read.value);
        // Lookups in any order, so the remembered parent is both hit and missed.
        const shuffled = pointers.map((p, i) => [p, (i * 7919 + seed) % 101] as const);
        shuffled.sort((a, b) => a[1] - b[1]);
        for (const [p] of [...pointers.map((p) => [p] as const), ...shuffled]) {
          assert.deepEqual(read.spans.get(p), reference.get(p), p);
          assert.deepEqual(spanAt(read.spans, p), spanAt(reference, p), p);
        }
        assert.equal(read.spans.size, reference.size);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps array items and object members named like indexes apart from non-canonical ones", () => {
    const tree = new SpanTree();
    const list = tree.root.child("list");
    list.child(0).span = span(1);
    list.child(1).span = span(2);
    const labels = tree.root.child("labels");
    labels.child("0").span = span(3);
    labels.child("a/b~c").span = span(4);
    assert.deepEqual(tree.get("/list/1"), span(2));
    assert.deepEqual(list.memberSpan(1), span(2));
    assert.deepEqual(labels.memberSpan("0"), span(3));
    assert.equal(list.memberSpan(7), undefined);
    assert.equal(tree.get("/list/01"), undefined);
    assert.deepEqual(tree.get("/labels/0"), span(3));
    assert.deepEqual(tree.get("/labels/a~1b~0c"), span(4));
    assert.equal(tree.get("/labels/a/b~c"), undefined);
    assert.deepEqual([...tree.keys()].sort(), [
      "/labels/0",
      "/labels/a~1b~0c",
      "/list/0",
      "/list/1",
    ]);
  });

  it("finds the nearest written ancestor, and members written after a lookup", () => {
    const tree = new SpanTree();
    tree.root.span = span(0);
    const tunnel = tree.root.child("tunnels").child(0);
    tunnel.span = span(10);
    assert.deepEqual(spanAt(tree, "/tunnels/0/name"), span(10));
    tunnel.child("name").span = span(11);
    assert.deepEqual(spanAt(tree, "/tunnels/0/name"), span(11));
    assert.deepEqual(spanAt(tree, "/tunnels/7/name"), span(0));
    assert.deepEqual(spanAt(tree, "/tunnels"), span(0));
  });

  it("indexes an object with many members and still finds each one", () => {
    const tree = new SpanTree();
    const labels = tree.root.child("labels");
    for (let i = 0; i < 100; i++) labels.child(`k${i}`).span = span(i);
    for (let i = 99; i >= 0; i--) assert.deepEqual(spanAt(tree, `/labels/k${i}`), span(i));
    assert.equal(tree.get("/labels/k100"), undefined);
  });

  it("indexes a node once a lookup walks past many members, and finds members written after", () => {
    // Rows written by number (as the DSL's direct path writes them): nothing is looked up while
    // writing, so a node is indexed by the first lookup that walks far, by name or by position.
    const tree = new SpanTree();
    const rows = tree.rowWriter();
    const file = tree.fileId("f");
    const list = rows.append(0, "list");
    const labels = rows.append(0, "labels");
    for (let i = 0; i < 40; i++) {
      rows.appendSpan(list, i, file, i, i + 1);
      rows.appendSpan(labels, `k${i}`, file, 100 + i, 101 + i);
    }
    // The last member first: that walk passes every other one.
    assert.deepEqual(tree.get("/list/39"), span(39));
    assert.deepEqual(tree.get("/labels/k39"), span(139));
    assert.deepEqual(tree.node("/labels")?.memberSpan("k38"), span(138));
    assert.equal(tree.get("/labels/k40"), undefined);
    assert.equal(tree.get("/list/40"), undefined);
    for (let i = 40; i < 60; i++) {
      rows.appendSpan(list, i, file, i, i + 1);
      rows.appendSpan(labels, `k${i}`, file, 100 + i, 101 + i);
    }
    for (let i = 59; i >= 0; i--) {
      assert.deepEqual(tree.get(`/list/${i}`), span(i));
      assert.deepEqual(tree.get(`/labels/k${i}`), span(100 + i));
    }
    // A name on the indexed array makes it an object, still indexed.
    rows.appendSpan(list, "extra", file, 7, 8);
    assert.deepEqual(tree.get("/list/extra"), span(7));
    assert.deepEqual(tree.get("/list/59"), span(59));
  });

  it("keeps the file of each span past 255 files, and pointers of rows added after one is read", () => {
    const tree = new SpanTree();
    const spans = tree.root.child("spans");
    const inFile = (i: number): Span => ({ file: `f${i}`, start: i, end: i + 1 });
    for (let i = 0; i < 300; i++) spans.child(i).span = inFile(i);
    assert.equal(tree.node("/spans/7")?.pointer(), "/spans/7");
    // Rows written after the first pointer was made (which records every row's parent).
    const late = tree.root.child("late").child("name");
    late.span = inFile(5);
    assert.equal(late.pointer(), "/late/name");
    for (let i = 0; i < 300; i++) assert.deepEqual(tree.get(`/spans/${i}`), inFile(i));
    assert.deepEqual(tree.get("/late/name"), inFile(5));
  });

  it("grows past the room it was made with, keeping every row, name and span", () => {
    // Made for 1,024 rows; 60 × 51 are written. Every other member is passed through only (no
    // span), and one indexed array meets a name, which makes it an object.
    const tree = new SpanTree();
    const items = tree.root.child("items");
    for (let i = 0; i < 60; i++) {
      const item = items.child(i);
      for (let k = 0; k < 50; k++) {
        const member = item.child(`m${k}`);
        if (k % 2 === 0) member.span = span(i * 100 + k);
      }
    }
    items.child("extra").span = span(9999);
    for (let i = 0; i < 60; i++) {
      for (let k = 0; k < 50; k++) {
        const expected = k % 2 === 0 ? span(i * 100 + k) : undefined;
        assert.deepEqual(tree.get(`/items/${i}/m${k}`), expected);
        assert.equal(tree.node(`/items/${i}/m${k}`)?.pointer(), `/items/${i}/m${k}`);
      }
    }
    assert.deepEqual(tree.get("/items/extra"), span(9999));
    assert.equal(tree.get("/items"), undefined);
    assert.equal(tree.size, 60 * 25 + 1);
  });
});
