/**
 * The HTTP/2 request checks (issue #14 item 5) on header lists a client can send: nghttp2
 * already refuses some of these on the wire, the edge refuses them again before the pipeline.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http2";
import { h2RequestProblem } from "../../src/runtime/http2/validate.ts";

const base = { ":method": "GET", ":scheme": "https", ":path": "/", ":authority": "a.test" };
const check = (headers: Record<string, string>, max = 16_384) =>
  h2RequestProblem(headers as IncomingHttpHeaders, Object.entries(headers).flat(), max)?.reason ??
  null;

describe("h2RequestProblem", () => {
  it("admits a well-formed request, with or without a Host equal to :authority", () => {
    assert.equal(check(base), null);
    assert.equal(check({ ...base, host: "A.test" }), null);
    const { ":authority": _, ...hostOnly } = base;
    assert.equal(check({ ...hostOnly, host: "a.test" }), null);
  });

  it("RFC 9113 §8.3.1: :authority and Host disagreeing, or both missing, is a 400", () => {
    assert.equal(check({ ...base, host: "b.test" }), "authority_host_mismatch");
    const { ":authority": _, ...none } = base;
    assert.equal(check(none), "missing_host");
  });

  it("refuses unknown pseudo-headers, CONNECT, a scheme other than https and an empty path", () => {
    assert.equal(check({ ...base, ":protocol": "websocket" }), "bad_pseudo_header");
    assert.equal(check({ ...base, ":status": "200" }), "bad_pseudo_header");
    assert.equal(check({ ...base, ":method": "CONNECT" }), "bad_method");
    assert.equal(check({ ...base, ":scheme": "http" }), "bad_scheme");
    assert.equal(check({ ...base, ":path": "" }), "bad_request_target");
  });

  it("RFC 9113 §6.5.2: a header list over the limit (32 bytes a field counted) is a 431", () => {
    const size = Object.entries(base).reduce((n, [k, v]) => n + k.length + v.length + 32, 0);
    assert.equal(check(base, size), null);
    assert.equal(check(base, size - 1), "headers_too_large");
  });
});
