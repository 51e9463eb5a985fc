/**
 * The by-name record of the decided header fields (S-R19, issue #20): what a client names a
 * field never reaches a prototype, whatever the record is built from.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decidedHeaders } from "../../src/runtime/http/request-headers.ts";
import { upstreamRequestHeaders } from "../../src/runtime/forward/headers.ts";

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

  it("S-R20, S-O3: the forward rewrite reads the decided lower-case names, one per forwarded field", () => {
    const decided = decidedHeaders([
      "Host",
      "a.test",
      "Connection",
      "X-Drop, keep-alive",
      "X-Drop",
      "gone",
      "X-Forwarded-Host",
      "evil.test",
      "Authorization",
      "Bearer t",
      "COOKIE",
      "a=1",
      "Accept",
      "*/*",
    ]);
    assert.ok(!("status" in decided));
    assert.deepEqual(decided.lowerNames, [
      "host",
      "x-forwarded-host",
      "authorization",
      "cookie",
      "accept",
    ]);
    assert.equal(decided.lowerNames.length * 2, decided.fields.length);
    const ctx = {
      forwardedFor: "1.2.3.4",
      proto: "http" as const,
      host: "a.test",
      upstreamHost: "up:80",
      dropAuthorization: true,
      upgrade: false,
    };
    const forwarded = upstreamRequestHeaders(decided, ctx);
    assert.deepEqual(forwarded, [
      "COOKIE",
      "a=1",
      "Accept",
      "*/*",
      "host",
      "up:80",
      "x-forwarded-for",
      "1.2.3.4",
      "x-forwarded-proto",
      "http",
      "x-forwarded-host",
      "a.test",
    ]);
  });
});
