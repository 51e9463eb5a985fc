import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileCountrySet, containsCountry } from "../../src/compile/matchers/country-table.ts";
import { compileHostRouter } from "../../src/compile/matchers/host-router.ts";
import { compilePathMatch } from "../../src/compile/matchers/path-scope.ts";
import { normalizeRequestPath } from "../../src/compile/matchers/request-path.ts";
import { LruCache } from "../../src/compile/lru.ts";
import { normalizePath, pathMatches } from "../../src/ir/path.ts";
import { hostMatches } from "../../src/interpret/route.ts";
import { arbPathMatch } from "../../src/testkit/index.ts";
import { pathArb } from "./path-arbitraries.ts";

describe("country tables (S-A4)", () => {
  it("hold exactly the listed codes", () => {
    const table = compileCountrySet({ codes: ["DE", "US"] });
    assert.equal(containsCountry(table, "DE"), true);
    assert.equal(containsCountry(table, "US"), true);
    for (const code of ["FR", "de", "D", "DEU", "", "[A", null])
      assert.equal(containsCountry(table, code), false, String(code));
  });
});

describe("host routing (S-X1)", () => {
  it("agrees with the reference host matcher, exact hosts first, first tunnel wins", () => {
    const host = fc.constantFrom<string>(
      "a.example.com",
      "b.example.com",
      "example.com",
      "a.b.example.com",
      "x.",
      ".example.com",
      "a.apps.example.com",
    );
    const pattern = fc.constantFrom<string>(
      "a.example.com",
      "*.example.com",
      "*.apps.example.com",
      "example.com",
      "*.",
      "*.b.example.com",
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(pattern, { minLength: 1, maxLength: 3 }), { maxLength: 4 }),
        host,
        (tunnels, h) => {
          const router = compileHostRouter(tunnels.map((hosts, i) => [hosts, i] as const));
          const exact = tunnels.findIndex((hosts) => hosts.includes(h));
          const wild = tunnels.findIndex((hosts) =>
            hosts.some((p) => p.startsWith("*.") && hostMatches(p, h)),
          );
          const expected = exact >= 0 ? exact : wild >= 0 ? wild : null;
          assert.equal(router.route(h), expected);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe("request path normalization (S-T5)", () => {
  it("equals normalizePath on every path, fast path or not", () => {
    const anyPath = fc.oneof(
      pathArb,
      fc.webPath(),
      fc.string({ maxLength: 30 }),
      fc.constantFrom("/a/.b", "/..a", "/.;", "/a/..;b", "/a/..", "/."),
    );
    fc.assert(
      fc.property(anyPath, (raw) => {
        const reference = normalizePath(raw);
        assert.equal(normalizeRequestPath(raw), reference.ok ? reference.path : null);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("path-scope matchers (S-T5)", () => {
  it("agree with the reference matcher on normalized paths", () => {
    fc.assert(
      fc.property(arbPathMatch(), fc.oneof(pathArb, fc.webPath()), (match, raw) => {
        const normalized = normalizePath(raw);
        if (!normalized.ok) return;
        assert.equal(compilePathMatch(match)(normalized.path), pathMatches(match, normalized.path));
      }),
      { numRuns: 10_000 },
    );
  });

  it("combine several globs into one matcher and drop invalid ones", () => {
    const match = compilePathMatch({
      kind: "glob",
      patterns: ["/api/*/items", "/static/**", "/bad/**/x/**/y/**"],
    });
    assert.equal(match("/api/v1/items"), true);
    assert.equal(match("/static"), true);
    assert.equal(match("/static/a/b.css"), true);
    assert.equal(match("/api/items"), false);
    assert.equal(match("/bad/x/y"), false);
  });
});

describe("the grant LRU", () => {
  it("keeps recently used entries and bounds its size", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    assert.equal(cache.get("a"), 1);
    cache.set("c", 3);
    cache.set("d", 4);
    assert.equal(cache.get("a"), 1, "a was used within the last capacity insertions");
    assert.ok(cache.size <= 4);
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, i);
    assert.ok(cache.size <= 4);
    assert.equal(cache.get("b"), undefined);
    assert.throws(() => new LruCache(0), RangeError);
  });
});
