/**
 * The by-name record of the decided header fields (S-R19, issue #20): what a client names a
 * field never reaches a prototype, whatever the record is built from.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decidedHeaders } from "../../src/runtime/http/request-headers.ts";

describe("decided header fields by name (S-R19)", () => {
  it("S-R19: `__proto__`, `constructor` and `toString` are fields like any other, absent ones read undefined", () => {
    const decided = decidedHeaders([
      "Host",
      "a.test",
      "__proto__",
      "p",
      "Constructor",
      "c",
      "constructor",
      "d",
    ]);
    assert.ok(!("status" in decided));
    assert.equal(decided.byName["__proto__"], "p");
    assert.equal(decided.byName["constructor"], "c, d");
    assert.equal(decided.byName["tostring"], undefined);
    assert.equal(decided.byName["toString"], undefined);
    assert.equal(decided.byName["hasOwnProperty"], undefined);
    assert.deepEqual(Object.keys(decided.byName), ["host", "__proto__", "constructor"]);
    assert.equal(Object.getPrototypeOf(Object.getPrototypeOf(decided.byName)), null);
  });
});
