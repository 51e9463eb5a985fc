import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { hasDotOrEmptySegment, isPlainPath, MAX_PATH_LENGTH } from "../../src/ir/path-normalize.ts";
import {
  compileGlob,
  normalizePath,
  normalizePolicyPath,
  pathMatches,
  prefixMatches,
  requestPathAllowed,
} from "../../src/ir/path.ts";
import type { PathMatchIr } from "../../src/ir/types.ts";

function normalized(raw: string): string {
  const result = normalizePath(raw);
  assert.ok(result.ok, `${raw} should normalize`);
  return result.path;
}

function refused(raw: string): string {
  const result = normalizePath(raw);
  assert.ok(!result.ok, `${raw} should be refused`);
  return result.reason;
}

describe("normalizePath: plain paths", () => {
  const pathText = fc.oneof(
    fc.string({
      unit: fc.constantFrom(
        "/",
        "a",
        "Z",
        "0",
        ".",
        "%",
        "2",
        "e",
        "F",
        "-",
        "_",
        "~",
        ";",
        "@",
        " ",
        "é",
        "\\",
      ),
      maxLength: 24,
    }),
    fc.webPath(),
  );

  it("S-T5: a path takes the plain-path exit only where the full reading agrees", () => {
    // A query is cut off before anything else is read, and no plain path holds one: appending
    // one sends the same path through the full reading.
    fc.assert(
      fc.property(pathText, (path) => {
        assert.deepEqual(normalizePath(path), normalizePath(`${path}?q`), path);
      }),
      { numRuns: 20000 },
    );
  });

  it("S-T5: dot and empty segments are found with or without the quick check", () => {
    const reference = (path: string): boolean => {
      const segments = path.split("/").slice(1);
      return segments.some((segment, index) => {
        const decoded = segment.replace(/%2e/gi, ".");
        return (
          decoded === "." || decoded === ".." || (segment === "" && index < segments.length - 1)
        );
      });
    };
    fc.assert(
      fc.property(pathText, (path) => {
        assert.equal(hasDotOrEmptySegment(path), reference(path), path);
      }),
      { numRuns: 20000 },
    );
  });
});

describe("normalizePath", () => {
  it("S-T5: decodes unreserved characters only and upper-cases other escapes", () => {
    assert.equal(normalized("/%7Euser/%61pi/%3b/%c3%a9"), "/~user/api/%3B/%C3%A9");
    assert.equal(normalized("/a%2Db%5Fc%2E"), "/a-b_c.");
  });

  it("S-T5: percent-encodes raw characters a path may not hold", () => {
    assert.equal(normalized("/café"), "/caf%C3%A9");
    assert.equal(normalized('/a b"c'), "/a%20b%22c");
    assert.equal(normalized("/a!$&'()*+,;=:@b"), "/a!$&'()*+,;=:@b");
  });

  it("S-T5: removes dot segments, also when they were encoded", () => {
    assert.equal(normalized("/api/../admin"), "/admin");
    assert.equal(normalized("/api/%2e%2e/admin"), "/admin");
    assert.equal(normalized("/api/.%2E/admin"), "/admin");
    assert.equal(normalized("/a/./b/."), "/a/b/");
    assert.equal(normalized("/a/b/.."), "/a/");
    assert.equal(normalized("/../../x"), "/x");
  });

  it("S-T5: collapses repeated slashes", () => {
    assert.equal(normalized("//a///b//"), "/a/b/");
  });

  it("S-T5: ignores the query and fragment", () => {
    assert.equal(normalized("/api/x?rstream.token=abc/../../admin"), "/api/x");
    assert.equal(normalized("/api#/../admin"), "/api");
  });

  it("S-T5: refuses encoded slashes and backslashes", () => {
    assert.match(refused("/api/..%2Fadmin"), /%2F/);
    assert.match(refused("/api/%2fadmin"), /%2F/);
    assert.match(refused("/api/..%5Cadmin"), /%5C/);
    assert.match(refused("/api\\..\\admin"), /`\\`/);
  });

  it("S-T5: refuses NUL, control characters and invalid escapes", () => {
    assert.match(refused("/a%00b"), /control/);
    assert.match(refused("/a\u0000b"), /control/);
    assert.match(refused("/a\tb"), /control/);
    assert.match(refused("/a%zz"), /percent-escape/);
    assert.match(refused("/a%4"), /percent-escape/);
    assert.match(refused("/a%u002e"), /percent-escape/);
  });

  it("S-T5: refuses a `;` parameter on a dot segment", () => {
    assert.match(refused("/api/..;/admin"), /dot segment/);
    assert.match(refused("/api/..;jsessionid=1/admin"), /dot segment/);
    assert.match(refused("/api/%2e%2e%3b/admin"), /dot segment/);
    assert.match(refused("/api/.;/admin"), /dot segment/);
  });

  it("S-T5: refuses double-encoded dots and slashes", () => {
    assert.match(refused("/api/%252e%252e/admin"), /double-encoded/);
    assert.match(refused("/api/%252F"), /double-encoded/);
    assert.match(refused("/api/%252%45"), /double-encoded/);
    assert.equal(normalized("/100%25"), "/100%25");
  });

  it("S-T5: refuses `//` together with a dot segment", () => {
    assert.match(refused("/api//../admin"), /merge slashes/);
  });

  it("refuses paths that are not origin-form, too long or not well-formed", () => {
    assert.match(refused("api/x"), /start with/);
    assert.match(refused("*"), /start with/);
    assert.match(refused(`/${"a".repeat(9000)}`), /longer than/);
    assert.match(refused("/\ud800"), /unicode/);
  });
});

describe("prefix matching", () => {
  it("S-T5: `/api/` and `/api` match on segment boundaries only", () => {
    for (const prefix of ["/api", "/api/"]) {
      assert.equal(prefixMatches(prefix, "/api"), true);
      assert.equal(prefixMatches(prefix, "/api/"), true);
      assert.equal(prefixMatches(prefix, "/api/x/y"), true);
      assert.equal(prefixMatches(prefix, "/apix"), false);
      assert.equal(prefixMatches(prefix, "/ap"), false);
    }
    assert.equal(prefixMatches("/", "/anything"), true);
  });

  it("S-T5: grant `/api/` reaches neither `/apix` nor `/admin` through dot segments or encodings", () => {
    const grant: PathMatchIr = { kind: "prefix", values: ["/api/"] };
    assert.equal(requestPathAllowed(grant, "/api/users"), true);
    for (const raw of [
      "/apix",
      "/api/../admin",
      "/api/%2e%2e/admin",
      "/api/..%2Fadmin",
      "/api/..;/admin",
      "/api/%2e%2e%2fadmin",
      "/api\\..\\admin",
      "/api//../admin",
    ]) {
      assert.equal(requestPathAllowed(grant, raw), false, raw);
    }
  });

  it("S-T5: no path restriction allows every path, even a refused one", () => {
    assert.equal(requestPathAllowed(null, "/api/..%2Fadmin"), true);
  });
});

describe("compileGlob", () => {
  const matches = (glob: string, path: string): boolean => {
    const compiled = compileGlob(glob);
    assert.ok(compiled.ok, `${glob}: ${compiled.ok ? "" : compiled.reason}`);
    return compiled.regex.test(path);
  };

  it("S-T5: `*` is one non-empty segment", () => {
    assert.equal(matches("/api/*/items", "/api/42/items"), true);
    assert.equal(matches("/api/*/items", "/api//items"), false);
    assert.equal(matches("/api/*/items", "/api/4/2/items"), false);
    assert.equal(matches("/api/*", "/api/"), false);
  });

  it("S-T5: `*` inside a segment never crosses `/`", () => {
    assert.equal(matches("/files/*.json", "/files/a.json"), true);
    assert.equal(matches("/files/*.json", "/files/a/b.json"), false);
    assert.equal(matches("/v*/x", "/v/x"), true);
  });

  it("S-T5: `**` is zero or more segments", () => {
    assert.equal(matches("/api/**", "/api"), true);
    assert.equal(matches("/api/**", "/api/"), true);
    assert.equal(matches("/api/**", "/api/a/b/c"), true);
    assert.equal(matches("/api/**", "/apix"), false);
    assert.equal(matches("/api/**/edit", "/api/edit"), true);
    assert.equal(matches("/api/**/edit", "/api/a/b/edit"), true);
    assert.equal(matches("/api/**/edit", "/api/a/b/editx"), false);
    assert.equal(matches("/**", "/"), true);
  });

  it("S-T5: everything else is literal", () => {
    assert.equal(matches("/a.b/(x)/[y]/{z}/+%3F$^|", "/a.b/(x)/%5By%5D/%7Bz%7D/+%3F$%5E%7C"), true);
    assert.equal(matches("/a.b", "/aXb"), false);
    assert.equal(matches("/%7euser", "/~user"), true);
  });

  it("refuses malformed globs with a reason", () => {
    const reason = (glob: string): string => {
      const compiled = compileGlob(glob);
      assert.ok(!compiled.ok, glob);
      return compiled.reason;
    };
    assert.match(reason("api/*"), /starts with/);
    assert.match(reason("/a**"), /whole segment/);
    assert.match(reason("/a/../b"), /segments/);
    assert.match(reason("/a//b"), /segments/);
    assert.match(reason("/a/%2e%2e/b"), /segments/);
    assert.match(reason("/a/%2F"), /%2F/);
    assert.match(reason("/a?b"), /query/);
    assert.match(reason("/**/a/**/b/**"), /at most 2/);
    assert.match(reason("/a*b*c*d"), /at most 2/);
    assert.match(reason(`/${"a".repeat(600)}`), /at most 512/);
  });
});

describe("pathMatches", () => {
  it("S-T5: exact, oneof, prefix, glob and a searched regex", () => {
    assert.equal(pathMatches({ kind: "exact", value: "/a" }, "/a"), true);
    assert.equal(pathMatches({ kind: "exact", value: "/a" }, "/a/"), false);
    assert.equal(pathMatches({ kind: "oneof", values: ["/a", "/b"] }, "/b"), true);
    assert.equal(pathMatches({ kind: "glob", patterns: ["/x/*", "/api/**"] }, "/api/q"), true);
    assert.equal(pathMatches({ kind: "regex", source: "v[0-9]+" }, "/api/v2/x"), true);
    assert.equal(pathMatches({ kind: "regex", source: "^v[0-9]+" }, "/api/v2/x"), false);
  });

  it("S-T5: an unsafe regex or invalid glob matches nothing", () => {
    assert.equal(pathMatches({ kind: "regex", source: "(a+)+" }, "/aaaa"), false);
    assert.equal(pathMatches({ kind: "glob", patterns: ["/a**"] }, "/abc"), false);
  });

  it("normalizes policy paths and refuses ambiguous ones", () => {
    assert.deepEqual(normalizePolicyPath("/%7Eu/%3b"), { ok: true, path: "/~u/%3B" });
    assert.equal(normalizePolicyPath("/a/../b").ok, false);
    assert.equal(normalizePolicyPath("/a?x").ok, false);
    assert.equal(normalizePolicyPath("a").ok, false);
  });
});

// Generators: raw paths built from pieces that exercise every normalization rule.
const rawPiece = fc.constantFrom(
  "/",
  "//",
  "a",
  "api",
  "B",
  ".",
  "..",
  "%2e",
  "%2E",
  "%41",
  "%7e",
  "%3b",
  ";",
  "%25",
  "%2f",
  "%5C",
  "\\",
  "%",
  "%zz",
  "é",
  " ",
  "?",
  "#",
  "*",
  "~",
  "-",
  "%00",
  "%c3%a9",
  "x.json",
);
const arbRawPath = fc.array(rawPiece, { maxLength: 12 }).map((pieces) => `/${pieces.join("")}`);
const segmentText = fc.constantFrom("a", "b", "api", "x.json", "v1", "%3B", "~", "");
const arbNormalizedPath = fc
  .array(segmentText, { minLength: 1, maxLength: 6 })
  .map((segments) => normalizePath(`/${segments.join("/")}`))
  .filter((r) => r.ok)
  .map((r) => (r.ok ? r.path : "/"));
const globSegment = fc.constantFrom("a", "b", "api", "*", "*.json", "v*", "**", "x.json");
const arbGlob = fc.array(globSegment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join("/")}`);

/** Reference glob semantics over segments, written for clarity: the oracle. */
function segmentMatches(pattern: string, segment: string): boolean {
  if (pattern === "*") return segment !== "";
  const parts = pattern.split("*");
  if (parts.length === 1) return pattern === segment;
  const first = parts[0] as string;
  const last = parts.at(-1) as string;
  if (
    !segment.startsWith(first) ||
    !segment.endsWith(last) ||
    segment.length < first.length + last.length
  )
    return false;
  let rest = segment.slice(first.length, segment.length - last.length);
  for (const middle of parts.slice(1, -1)) {
    const at = rest.indexOf(middle);
    if (at === -1) return false;
    rest = rest.slice(at + middle.length);
  }
  return true;
}

function referenceGlob(pattern: readonly string[], path: readonly string[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return path.length === 0;
  if (head === "**") {
    if (rest.length === 0) return true;
    if (referenceGlob(rest, path)) return true;
    return path.length > 0 && path[0] !== "" && referenceGlob(pattern, path.slice(1));
  }
  return (
    path.length > 0 && segmentMatches(head, path[0] as string) && referenceGlob(rest, path.slice(1))
  );
}

describe("properties", () => {
  it("S-T5: normalizePath is idempotent", () => {
    fc.assert(
      fc.property(arbRawPath, (raw) => {
        const once = normalizePath(raw);
        if (!once.ok) return;
        assert.deepEqual(normalizePath(once.path), once);
      }),
      { numRuns: 3000 },
    );
  });

  it("S-T5: a normalized path holds no dot segment, empty segment, backslash or encoded slash", () => {
    fc.assert(
      fc.property(arbRawPath, (raw) => {
        const result = normalizePath(raw);
        if (!result.ok) return;
        const segments = result.path.split("/").slice(1);
        assert.ok(
          segments.every(
            (s, i) => s !== "." && s !== ".." && (s !== "" || i === segments.length - 1),
          ),
          result.path,
        );
        assert.ok(!/%2F|%5C|\\|%00|%25(2E|2F)/i.test(result.path), result.path);
      }),
      { numRuns: 3000 },
    );
  });

  it("S-T5: a glob without `**` only matches paths with as many segments (`*` never crosses `/`)", () => {
    fc.assert(
      fc.property(
        arbGlob.filter((g) => !g.includes("**")),
        arbNormalizedPath,
        (glob, path) => {
          const compiled = compileGlob(glob);
          assert.ok(compiled.ok);
          if (compiled.regex.test(path))
            assert.equal(path.split("/").length, glob.split("/").length);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("S-T5: compiled globs agree with the reference segment matcher", () => {
    fc.assert(
      fc.property(arbGlob, arbNormalizedPath, (glob, path) => {
        const compiled = compileGlob(glob);
        if (!compiled.ok) return;
        const pattern = glob
          .split("/")
          .slice(1)
          .filter((s, i, all) => !(s === "**" && all[i - 1] === "**"));
        assert.equal(
          compiled.regex.test(path),
          referenceGlob(pattern, path.split("/").slice(1)),
          `${glob} ${path}`,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("S-T5: a prefix grant only matches on a segment boundary", () => {
    fc.assert(
      fc.property(arbNormalizedPath, arbNormalizedPath, (prefix, path) => {
        if (!prefixMatches(prefix, path)) return;
        const base = prefix.replace(/\/$/, "");
        assert.ok(path === base || path.startsWith(`${base}/`));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("isPlainPath: the plain-path test as a table (issue #19)", () => {
  /** The test as a regular expression and a search, as it was written before the table. */
  function plainByRegex(raw: string): boolean {
    return (
      raw.length <= MAX_PATH_LENGTH &&
      raw.charCodeAt(0) === 0x2f &&
      /^[A-Za-z0-9\-_~!$&'()*+,;=:@/]*$/.test(raw) &&
      !raw.includes("//")
    );
  }

  it("agrees with the regular expression on every UTF-16 code unit, anywhere in a path", () => {
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const raw of [`/a${c}b`, `/${c}`, `${c}/a`, `/a/${c}/`]) {
        assert.equal(isPlainPath(raw), plainByRegex(raw), JSON.stringify(raw));
      }
    }
  });

  it("agrees with it on paths of slashes, dots, escapes and plain characters, and at the length bound", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("/", "/", "a", "Z", "9", ".", "%", "-", "~", "é", "?") }),
        (raw) => assert.equal(isPlainPath(raw), plainByRegex(raw), JSON.stringify(raw)),
      ),
      { numRuns: 5000 },
    );
    for (const length of [MAX_PATH_LENGTH, MAX_PATH_LENGTH + 1]) {
      const raw = `/${"a".repeat(length - 1)}`;
      assert.equal(isPlainPath(raw), plainByRegex(raw));
    }
  });
});
