// Issue #8 path semantics: `*` one segment, `**` any depth, prefixes on segment boundaries,
// searched regexes, all over normalized paths; containment and intersection are decided by
// the automata, and agree with the reference matcher `pathMatches` on random paths.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  buildPathSpace,
  classifyNormalizedPath,
  findPath,
  pathMatchAdmitsSome,
  pathMatchContains,
  pathMatchesIntersect,
} from "../../src/analysis/path-space.ts";
import { normalizePath, pathMatches } from "../../src/ir/path.ts";
import type { PathMatchIr } from "../../src/ir/types.ts";

const glob = (...patterns: string[]): PathMatchIr => ({ kind: "glob", patterns });
const prefix = (...values: string[]): PathMatchIr => ({ kind: "prefix", values });
const regex = (source: string): PathMatchIr => ({ kind: "regex", source });
const exact = (value: string): PathMatchIr => ({ kind: "exact", value });

const POOL: PathMatchIr[] = [
  glob("/api/*"),
  glob("/api/**"),
  glob("/api/*/items/**"),
  glob("/files/*.json"),
  glob("/v*/x"),
  prefix("/api"),
  prefix("/api/v1", "/admin/"),
  prefix("/"),
  exact("/health"),
  { kind: "oneof", values: ["/a", "/b/"] },
  regex("^/api/v[0-9]+/"),
  regex("admin"),
  regex("\\.json$"),
  regex("^/(billing|invoices)/"),
];

describe("path-space (issue #8, S-T5)", () => {
  it("`*` matches exactly one segment, `**` any depth", () => {
    assert.equal(pathMatchContains(glob("/api/**"), glob("/api/*")), true);
    assert.equal(pathMatchContains(glob("/api/*"), glob("/api/**")), false);
    const w = findPath([glob("/api/**")], [glob("/api/*")]);
    assert.equal(w.kind, "found");
    if (w.kind === "found")
      assert.ok(pathMatches(glob("/api/**"), w.path) && !pathMatches(glob("/api/*"), w.path));
  });

  it("a prefix matches on segment boundaries: `/api` never reaches `/apix`", () => {
    assert.equal(pathMatchesIntersect(prefix("/api"), exact("/apix")), false);
    assert.equal(pathMatchContains(prefix("/api"), glob("/api/**")), true);
    assert.equal(pathMatchContains(glob("/api/**"), prefix("/api/")), true);
  });

  it("regexes are searched, so `admin` is found anywhere in the path", () => {
    const w = findPath([regex("admin")], [prefix("/admin")]);
    assert.equal(w.kind, "found");
    if (w.kind === "found") assert.ok(!w.path.startsWith("/admin"));
  });

  it("a pattern no normalized path can match is empty", () => {
    assert.equal(pathMatchAdmitsSome(regex("^api/")), false);
    assert.equal(
      pathMatchAdmitsSome(regex("\\.\\./x")),
      true,
      "`..x/` segments are fine, only `..` alone is removed",
    );
    assert.equal(pathMatchAdmitsSome(regex("/\\.\\./")), false);
    assert.equal(pathMatchAdmitsSome(regex("//")), false);
  });

  it("every atom's witness is a normalized path in exactly its class", () => {
    const space = buildPathSpace(POOL);
    assert.ok(space.complete);
    for (const atom of space.atoms) {
      const n = normalizePath(atom.witness);
      assert.ok(n.ok && n.path === atom.witness, atom.witness);
      assert.deepEqual(
        POOL.map((m) => pathMatches(m, atom.witness)),
        atom.members,
      );
    }
  });

  it("the partition is complete: random normalized paths fall in some atom (10,000 paths)", () => {
    const space = buildPathSpace(POOL);
    const segment = fc.constantFrom(
      "api",
      "v1",
      "v22",
      "items",
      "admin",
      "files",
      "x.json",
      "a",
      "b",
      "",
      "health",
      "vx",
      "apix",
      "billing",
      "..",
      ".",
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), fc.boolean(), (segments, slash) => {
        const n = normalizePath(`/${segments.join("/")}${slash ? "/" : ""}`);
        if (!n.ok) return;
        assert.ok(classifyNormalizedPath(space, n.path) >= 0, n.path);
      }),
      { numRuns: 10_000 },
    );
  });

  it("containment agrees with the reference matcher on random pairs", () => {
    fc.assert(
      fc.property(fc.constantFrom(...POOL), fc.constantFrom(...POOL), (a, b) => {
        const w = findPath([a], [b]);
        if (w.kind === "found") assert.ok(pathMatches(a, w.path) && !pathMatches(b, w.path));
        assert.notEqual(w.kind, "unknown");
      }),
      { numRuns: 300 },
    );
  });

  it("patterns that differ only in their regex text get different partitions (cache keys keep `source`)", () => {
    const a = buildPathSpace([regex("^/a")]);
    const b = buildPathSpace([regex("^/b")]);
    assert.ok(a.atoms.some((x) => x.members[0] === true && x.witness.startsWith("/a")));
    assert.ok(b.atoms.some((x) => x.members[0] === true && x.witness.startsWith("/b")));
  });

  it("an unsupported regex makes the answer unknown, never wrong", () => {
    assert.equal(findPath([regex("\\bapi")], [prefix("/api")]).kind === "none", false);
  });
});
