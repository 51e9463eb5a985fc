import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { safeReturnTarget } from "../../src/runtime/challenge/return-target.ts";

describe("S-C2: the challenge return target stays on the tunnel origin (no open redirect)", () => {
  const refused: ReadonlyArray<readonly [string, string]> = [
    ["protocol-relative", "//evil.example"],
    ["protocol-relative with path", "//evil.example/path"],
    ["backslash after slash", "/\\evil.example"],
    ["backslash pair", "\\\\evil.example"],
    ["scheme without slashes", "https:evil.example"],
    ["absolute https URL", "https://evil.example/"],
    ["javascript URL", "javascript:alert(1)"],
    ["data URL", "data:text/html,<script>alert(1)</script>"],
    ["relative path", "evil.example/path"],
    ["encoded second slash", "/%2F%2Fevil.example"],
    ["encoded second slash, lower case", "/%2f/evil.example"],
    ["encoded backslash", "/%5Cevil.example"],
    ["double-encoded slashes", "/%252F%252Fevil.example"],
    ["triple-encoded slashes", "/%25252F%25252Fevil.example"],
    ["tab between slashes", "/\t/evil.example"],
    ["newline between slashes", "/\n/evil.example"],
    ["carriage return", "/\r\n/evil.example"],
    ["encoded tab", "/%09/evil.example"],
    ["encoded newline", "/%0a/evil.example"],
    ["encoded NUL", "/x%00y"],
    ["leading space", " /path"],
    ["raw space", "/a b"],
    ["dot segment to double slash", "/.//evil.example"],
    ["parent segment to double slash", "/..//evil.example"],
    ["encoded dot segments to double slash", "/%2e%2e%2f%2fevil.example"],
    ["backslash inside the path", "/path\\to"],
    ["malformed percent-encoding", "/%E0%A4%A"],
    ["unicode line separator", "/a\u2028b"],
    ["the challenge page itself (a loop)", "/.well-known/rstream/challenge?return=%2F"],
    ["a challenge sub-path", "/.well-known/rstream/challenge/verify"],
    ["too long", `/${"a".repeat(2048)}`],
  ];
  for (const [name, raw] of refused) {
    it(`refuses ${name}: ${JSON.stringify(raw.slice(0, 60))}`, () => {
      assert.equal(safeReturnTarget(raw), null);
    });
  }

  const accepted: ReadonlyArray<readonly [string, string, string]> = [
    ["the root", "/", "/"],
    ["a path with a query", "/app/page?x=1&y=%2F", "/app/page?x=1&y=%2F"],
    ["an encoded space", "/my%20file", "/my%20file"],
    ["dot segments, resolved", "/a/./b/../c", "/a/c"],
    ["a fragment, dropped", "/a#frag", "/a"],
    [
      "the login flow (challenge first, then the session, S-C5)",
      "/.well-known/rstream/login?return=%2F",
      "/.well-known/rstream/login?return=%2F",
    ],
  ];
  for (const [name, raw, canonical] of accepted) {
    it(`accepts ${name}`, () => {
      assert.equal(safeReturnTarget(raw), canonical);
    });
  }

  it("defaults to / when no target is given", () => {
    assert.equal(safeReturnTarget(null), "/");
    assert.equal(safeReturnTarget(""), "/");
  });

  it("every accepted target resolves to the same origin under any base", () => {
    for (const [, raw] of accepted) {
      const target = safeReturnTarget(raw);
      assert.notEqual(target, null);
      const url = new URL(target as string, "https://app.example:8443/deep/page?q=1");
      assert.equal(url.origin, "https://app.example:8443");
    }
  });

  it("property: whatever is accepted resolves to the tunnel origin, with a single leading slash", () => {
    const pieces = fc.constantFrom(
      "/",
      "\\",
      "//",
      "%2F",
      "%5C",
      "%252F",
      ".",
      "..",
      "evil.example",
      ":",
      "?",
      "#",
      "%09",
      "\t",
      "a",
      "@",
      "%2e",
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 8 }).map((xs) => xs.join("")),
        (raw) => {
          const target = safeReturnTarget(raw);
          if (target === null || raw === "") return;
          assert.ok(target.startsWith("/") && !target.startsWith("//"));
          assert.equal(new URL(target, "https://app.example").origin, "https://app.example");
          assert.ok(!decodeURIComponent(target).startsWith("//"));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
