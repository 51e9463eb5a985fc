/** Raw request paths built from the pieces that path normalization treats specially. */
import fc from "fast-check";

const segment = fc.oneof(
  fc.constantFrom(
    "api",
    "API",
    "admin",
    "v1",
    "users",
    "x.json",
    "",
    ".",
    "..",
    "%2e",
    "%2E%2e",
    "..;",
    ".;x",
    "a;b",
  ),
  fc.constantFrom(
    "%2f",
    "%2F",
    "%5c",
    "%25",
    "%252e",
    "%41",
    "%7e",
    "%zz",
    "%",
    "\\",
    "é",
    "%C3%A9",
    "a b",
    "\u0000",
    "~",
  ),
  fc.string({ unit: fc.constantFrom(..."aZ09-._~!$&'()*+,;=:@%/"), maxLength: 6 }),
);

/** A raw path: slash-joined tricky segments, sometimes with a query or fragment, sometimes relative. */
export const pathArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(segment, { minLength: 0, maxLength: 5 }),
    fc.constantFrom("", "", "?q=1", "#frag", "?a=/../b"),
    fc.constantFrom("/", "/", "/", "", "//"),
  )
  .map(([segments, tail, lead]) => `${lead}${segments.join("/")}${tail}`);
