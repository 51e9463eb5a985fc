/**
 * The DSL's schema gate (`generated/validate-dsl-policy.js`: the whole gate without what the
 * DSL's writer guarantees, `src/syntax/dsl/document-guarantees.ts`) answers as the whole gate on
 * every document the DSL front end writes (issue #19's parse work): valid policies with wrong
 * values, missing members and filter fields of any form, printed as DSL and read back. A
 * refused document is explained by ajv as before (S-D5: one document model for both forms).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { policyLexer } from "../../grammar/tokens.ts";
import { parseDsl } from "../../src/syntax/dsl-to-ast.ts";
import { readDocument } from "../../src/syntax/dsl/text-to-document.ts";
import { validateDslPolicy } from "../../src/syntax/generated/validate-dsl-policy.js";
import { validatePolicy } from "../../src/syntax/generated/validate-policy.js";
import type { PolicyDocumentDoc } from "../../src/syntax/model.ts";
import { printDsl } from "../../src/syntax/print-dsl.ts";
import { validateDocument } from "../../src/syntax/validate.ts";
import { arbPolicyDocument } from "./arbitraries.ts";

/** What the DSL front end hands its gate for `text`, or `undefined` when it did not read it. */
function dslDocument(text: string): unknown {
  return readDocument({ name: "gate.rampart", text })?.document;
}

/** Both gates' answers on the document of `text`, `undefined` when the text was not read. */
function verdicts(text: string): { whole: boolean; dsl: boolean } | undefined {
  const document = dslDocument(text);
  if (document === undefined) return undefined;
  return { whole: validatePolicy(document), dsl: validateDslPolicy(document) };
}

/** Values that break a limit, a pattern, an enum or a type somewhere in the schema. */
const BAD_VALUES: readonly unknown[] = [
  "",
  " ",
  "G T",
  "x".repeat(9),
  "x".repeat(65),
  "x".repeat(129),
  "😀".repeat(254),
  "x".repeat(257),
  "x".repeat(513),
  "GET",
  "prod",
  "1.2",
  "tcp",
  1.5,
  99,
  600,
  200,
  true,
  false,
  null,
  [],
  [""],
  ["x".repeat(300)],
  ["GET", "G T"],
  {},
];

/** Strings that break a length or a pattern almost anywhere a string goes. */
const BAD_STRINGS: readonly string[] = [
  "",
  "x".repeat(300),
  "😀".repeat(254),
  "G T",
  "x".repeat(65),
];

/** Every member and item of `value`: where an edit can go. */
function slots(value: unknown): { parent: Record<string | number, unknown>; key: string }[] {
  const found: { parent: Record<string | number, unknown>; key: string }[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      found.push({ parent: node as Record<string | number, unknown>, key });
      walk(child);
    }
  };
  walk(value);
  return found;
}

/**
 * Replaces (kind 0), deletes (kind 1) or empties (kind 2) the member or item at `pick`, or
 * replaces it with a string if it is one (kind 3).
 */
function edit(document: PolicyDocumentDoc, edits: readonly [number, number, unknown][]): unknown {
  const copy = structuredClone(document) as unknown;
  for (const [pick, kind, replacement] of edits) {
    const all = slots(copy);
    const slot = all[pick % Math.max(1, all.length)];
    if (slot === undefined) continue;
    const { parent, key } = slot;
    if (kind === 3) {
      if (typeof parent[key] === "string") parent[key] = replacement;
    } else if (kind === 0) parent[key] = replacement;
    else if (kind === 1 && Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (kind === 1) delete parent[key];
    else if (Array.isArray(parent[key])) parent[key] = [];
    else parent[key] = replacement;
  }
  return copy;
}

/** DSL text of a valid policy with a few members edited, when the printer can spell it. */
const arbEditedText = fc
  .tuple(
    arbPolicyDocument(),
    fc.array(
      fc.oneof(
        fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(...BAD_VALUES)),
        // Most edits put a string where a string was, so that the text still reads.
        fc.tuple(fc.nat(), fc.constant(3), fc.constantFrom(...BAD_STRINGS)),
        fc.tuple(fc.nat(), fc.constant(3), fc.constantFrom(...BAD_STRINGS)),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([document, edits]) => {
    try {
      // SAFETY: the printer reads what it finds and throws on a shape it cannot spell.
      return printDsl(edit(document, edits) as PolicyDocumentDoc);
    } catch {
      return "";
    }
  });

const fixture = readFileSync(
  new URL("../../fixtures/policies/acme.rampart", import.meta.url),
  "utf8",
);
const fixtureTokens = policyLexer.tokenize(fixture).tokens.map((t) => t.image);

/** The example policy with a token or two replaced by one from elsewhere in it. */
const arbEditedFixture = fc
  .array(
    fc.tuple(fc.nat({ max: fixtureTokens.length - 1 }), fc.constantFrom(...fixtureTokens, '""')),
    { minLength: 1, maxLength: 2 },
  )
  .map((edits) => {
    const tokens = [...fixtureTokens];
    for (const [i, token] of edits) tokens.splice(i, 1, token);
    return tokens.join(" ");
  });

/** Mostly edited policies; some edited example policies (few of which parse) and valid ones. */
const arbText = fc.oneof(
  { weight: 6, arbitrary: arbEditedText },
  { weight: 1, arbitrary: arbEditedFixture },
  { weight: 1, arbitrary: arbPolicyDocument().map((document) => printDsl(document)) },
);

describe("the DSL's schema gate", () => {
  it("answers as the whole gate on DSL texts with wrong values and missing members (2,000 runs)", () => {
    let read = 0;
    let refused = 0;
    fc.assert(
      fc.property(arbText, (text) => {
        const answers = verdicts(text);
        if (answers === undefined) return;
        read++;
        if (!answers.whole) refused++;
        assert.equal(answers.dsl, answers.whole, text);
      }),
      { numRuns: 2000 },
    );
    // Both answers were seen often: the edits reached values the grammar lets through.
    assert.ok(read > 900, `only ${read} texts were read`);
    assert.ok(refused > 150 && refused < read - 150, `${refused} of ${read} refused`);
  });

  const project = 'project "p" {\n  plan pro\n}\n';
  const grant = (action: string): string =>
    `${project}grant "g" {\n  resources scope {\n    ${action}\n  }\n}\n`;
  const test = (lines: string): string =>
    `${project}test "t" {\n  request "https://a.test/" from 10.0.0.1 {\n${lines}\n  }\n  expect forward\n}\n`;

  it("refuses, as the whole gate does, the values only the schema checks", () => {
    for (const text of [
      grant('connect where publish = "x"'), // a flag field given a string
      grant("connect where id = true"), // a string field given a flag
      grant('connect where trusted_ips = "10.0.0.0/8"'), // a list field given a string
      grant("connect where labels.env = true"), // a label given a flag
      grant('connect where labels."" = "x"'), // an empty label name
      grant('connect { methods ["G T"] }'), // a method's pattern
      grant("connect { path prefix [] }"), // an empty prefix list
      grant('connect { path ~ "" }'), // an empty regex
      `${project}grant "g" {\n  permissions [tunnels.streams.create-delete, read]\n}\n`, // enum
      `${project}tunnel "t" {\n  name "T"\n}\n`, // no protocol
      `${project}tunnel "t" {\n  protocol tcp\n  labels { "" = "x" }\n}\n`, // empty label name
      `${project}tunnel "t" {\n  protocol tcp\n  hosts [""]\n}\n`, // empty host name
      `${project}tunnel "${"x".repeat(257)}" {\n  protocol tcp\n}\n`, // a long id
      `${project}tunnel "t" {\n  protocol tcp\n  geo_ip [ABCDEFGHI]\n}\n`, // a long country
      test('    header "" = "x"'), // an empty header name
      test('    session {\n      email "a@b.test"\n    }'), // a session without its user
      `${project}test "t" {\n  request "https://a.test/" from 10.0.0.1\n  expect deny 1.5\n}\n`,
      `${project}test "t" {\n  request "https://a.test/" from 10.0.0.1\n  expect deny 99\n}\n`,
      `${project}test "t" {\n  request bad-method "https://a.test/" from 10.0.0.1\n  expect deny\n}\n`,
      `${project}credential "c" {\n  subject_cn "x"\n}\n`, // no grant
      'project "p" {\n  name "P"\n}\n', // no plan
    ]) {
      const read = readDocument({ name: "gate.rampart", text });
      assert.ok(read !== undefined, `the direct path read ${text}`);
      assert.deepEqual(verdicts(text), { whole: false, dsl: false }, text);
      // Explained as the whole gate's refusal is: by ajv, at the same spans.
      const source = { name: "gate.rampart", text };
      const explained = validateDocument(read.document, read.spans, source).diagnostics;
      assert.ok(explained.length > 0, text);
      assert.deepEqual(parseDsl(source).diagnostics, explained, text);
    }
  });

  it("accepts, as the whole gate does, the example policy and a filter of every field form", () => {
    for (const text of [
      fixture,
      grant('connect where publish = true and id = "t1" and trusted_ips = [10.0.0.0/8]'),
      grant('connect where labels.env = "prod" and name in ["a", "b"] and type ~ "x.*"'),
      test('    header "x-a" = ""\n    session {\n      user "u"\n    }'),
    ]) {
      assert.deepEqual(verdicts(text), { whole: true, dsl: true }, text);
    }
  });
});
