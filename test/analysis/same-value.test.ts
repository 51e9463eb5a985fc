// Equality up to source positions (src/analysis/same-value.ts), which `rampart diff` uses to
// find the tunnels and grants an edit changed: a false "equal" would hide a change.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EDGE_ONLY_KEYS, sameValue } from "../../src/analysis/same-value.ts";

const span = (start: number) => ({ file: "p.rampart", start, end: start + 3 });

describe("sameValue", () => {
  it("ignores origins and spans at any depth, nothing else", () => {
    const a = { id: "t", origin: span(1), rules: [{ rule: "r", origin: span(2) }] };
    const b = { id: "t", origin: span(9), rules: [{ rule: "r", origin: null }] };
    assert.equal(sameValue(a, b), true);
    assert.equal(sameValue(a, { ...b, rules: [{ rule: "s", origin: null }] }), false);
    assert.equal(sameValue({ source: "a+" }, { source: "a*" }), false);
  });

  it("a missing key is an undefined one, on either side; null is not undefined", () => {
    assert.equal(sameValue({ a: 1 }, { a: 1, b: undefined }), true);
    assert.equal(sameValue({ a: 1, b: undefined }, { a: 1 }), true);
    assert.equal(sameValue({ a: 1 }, { a: 1, b: null }), false);
    assert.equal(sameValue({ a: 1, b: 0 }, { a: 1 }), false);
  });

  it("arrays by length and items; an array is not an object with the same keys", () => {
    assert.equal(sameValue([1, [2, 3]], [1, [2, 3]]), true);
    assert.equal(sameValue([1, 2], [1, 2, 3]), false);
    assert.equal(sameValue([1, 2], { 0: 1, 1: 2, length: 2 }), false);
    assert.equal(sameValue([undefined], []), false);
  });

  it("inherited keys are not compared, as Object.keys leaves them out", () => {
    const base = { hidden: 1 };
    const a = Object.assign(Object.create(base) as object, { id: "x" });
    assert.equal(sameValue(a, { id: "x" }), true);
    assert.equal(sameValue({ id: "x" }, a), true);
  });

  it("further ignored keys apply at the top level only", () => {
    const a = { id: "t", tls: { min: "1.2" }, auth: { tls: 1 } };
    const b = { id: "t", tls: { min: "1.3" }, auth: { tls: 2 } };
    assert.equal(sameValue(a, { ...b, auth: a.auth }, EDGE_ONLY_KEYS), true);
    assert.equal(sameValue(a, b, EDGE_ONLY_KEYS), false);
  });
});
