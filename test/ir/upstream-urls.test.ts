import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  httpUpstreamProblem,
  parsedUpstreamProblem,
} from "../../src/ir/passes/check-upstream-urls.ts";
import { isPlainHttpUrl } from "../../src/ir/passes/plain-http-url.ts";

describe("HTTP upstreams: the plain spelling read without a URL parse", () => {
  it("recognises the usual spellings, and leaves the rest to the full check", () => {
    for (const url of [
      "http://10.0.1.10:8080",
      "https://api.internal",
      "http://a.example.test/v1/x_y~z.html",
      "http://10.0.0.1:65535/",
    ])
      assert.equal(isPlainHttpUrl(url), true, url);
    for (const url of [
      "http://10.0.0.1:65536",
      "http://10.0.0.1:",
      "http://1.2.3.999",
      "http://foo.123",
      "http://foo.0x1f",
      "http://xn--a.example",
      "http://Api.internal",
      "http://user@host",
      "http://host/?q",
      "http://host/#f",
      "http://host/%41",
      "htp:/10.0.0.1",
      "HTTP://host",
      "tcp://10.0.0.1:5432",
      "http://*.example.test",
    ])
      assert.equal(isPlainHttpUrl(url), false, url);
  });

  it("every text read as plain is one the full check accepts; the answers agree", () => {
    const label = fc.oneof(
      fc.constantFrom("a", "api", "xn--p1ai", "0x1f", "123", "b-c", "-x", "Z", "1"),
      fc.string({
        unit: fc.constantFrom("a", "z", "0", "9", "-", "_"),
        minLength: 1,
        maxLength: 5,
      }),
    );
    const host = fc.oneof(
      { arbitrary: fc.ipV4(), weight: 2 },
      fc.ipV4Extended(),
      {
        arbitrary: fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join(".")),
        weight: 3,
      },
      fc.constantFrom("", "*.a.b", "[::1]", "a..b", "a."),
    );
    const port = fc.oneof(
      fc.constant(""),
      { arbitrary: fc.integer({ min: 0, max: 70000 }).map((p) => `:${p}`), weight: 2 },
      fc.constantFrom(":", ":08080", ":123456", ":8x"),
    );
    const path = fc.oneof(
      fc.constant(""),
      fc.string({ unit: fc.constantFrom("/", "a", "Z", "0", "-", ".", "_", "~"), maxLength: 12 }),
      fc.string({
        unit: fc.constantFrom("/", "a", ".", "%", "?", "#", "@", ":", " ", "\\", "\t"),
        maxLength: 6,
      }),
    );
    const scheme = fc.oneof(
      { arbitrary: fc.constantFrom("http://", "https://"), weight: 4 },
      fc.constantFrom("HTTP://", "http:/", "ftp://", "http:", "http:///", " http://"),
    );
    const url = fc.oneof(
      { arbitrary: fc.tuple(scheme, host, port, path).map((parts) => parts.join("")), weight: 8 },
      fc.string({ maxLength: 20 }),
    );
    let plain = 0;
    fc.assert(
      fc.property(url, (u) => {
        if (isPlainHttpUrl(u)) {
          plain++;
          assert.equal(parsedUpstreamProblem(u), null, u);
        }
        assert.equal(httpUpstreamProblem(u), parsedUpstreamProblem(u), u);
      }),
      { numRuns: 10000 },
    );
    assert.ok(plain > 400, `only ${plain} plain spellings were tried`);
  });
});
