/** `formatDsl`: canonical, idempotent, sound, and it keeps comments with their statements. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { convertToDsl, formatDsl } from "../../src/syntax/format.ts";
import type { PolicyDocumentDoc } from "../../src/syntax/model.ts";

const fixture = readFileSync(
  new URL("../../fixtures/policies/acme.rampart", import.meta.url),
  "utf8",
);

function fmt(text: string): string {
  const outcome = formatDsl({ name: "policy.rampart", text });
  assert.deepEqual(outcome.diagnostics, []);
  assert.ok(outcome.value !== undefined);
  return outcome.value;
}

describe("formatDsl", () => {
  it("leaves the example policy unchanged (it is written canonically)", () => {
    assert.equal(fmt(fixture), fixture);
  });

  it("puts one statement per line in canonical order", () => {
    const text =
      'project "a" { ech off plan pro name "A" }  tunnel "t" { public protocol http hosts ["a.test"] }';
    assert.equal(
      fmt(text),
      [
        'project "a" {',
        '  name "A"',
        "  plan pro",
        "  ech off",
        "}",
        "",
        'tunnel "t" {',
        "  protocol http",
        '  hosts ["a.test"]',
        "  public",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("keeps whole-line comments before their statement and trailing comments after it", () => {
    const text = [
      "# file header",
      'project "a" {',
      "  ech off   # no ECH keys yet",
      "  # the paid plan",
      "  plan pro",
      "  # nothing after this",
      "}",
      "# the end",
    ].join("\n");
    assert.equal(
      fmt(text),
      [
        "# file header",
        'project "a" {',
        "  # the paid plan",
        "  plan pro",
        "  ech off  # no ECH keys yet",
        "  # nothing after this",
        "}",
        "",
        "# the end",
        "",
      ].join("\n"),
    );
  });

  it("keeps each comment with its statement when lines end with CR or CR LF, as with LF", () => {
    const lines = [
      'project "a" {',
      "  plan pro  # the paid plan",
      "  # no ECH keys yet",
      "  ech off",
      "}",
      "",
    ];
    const canonical = fmt(lines.join("\n"));
    assert.equal(fmt(lines.join("\r")), canonical);
    assert.equal(fmt(lines.join("\r\n")), canonical);
    assert.match(canonical, /plan pro {2}# the paid plan\n {2}# no ECH keys yet\n {2}ech off/);
  });

  it("normalizes spellings that mean the same document", () => {
    const text = [
      'project "a" { plan pro }',
      'tunnel "t" { protocol http token_auth on rstream_auth off challenge true }',
      'grant "g" { resources scope { connect on list { select ["id"] } } }',
    ].join("\n");
    const out = fmt(text);
    assert.match(out, /\n {2}auth token\n/);
    assert.match(out, /\n {2}challenge on\n/);
    assert.match(out, /\n {4}connect\n/);
    assert.match(out, /\n {4}list \{\n {6}select \[id\]\n {4}\}\n/);
  });

  it("is idempotent on a messy file", () => {
    const messy = fixture.replaceAll("\n  ", "\n\t  ").replaceAll(" {\n", "  {  \n\n");
    const once = fmt(messy);
    assert.equal(fmt(once), once);
    assert.equal(once, fixture);
  });

  it("returns the parse diagnostics and no text for a broken file", () => {
    const outcome = formatDsl({ name: "policy.rampart", text: 'project "a" { plan' });
    assert.equal(outcome.value, undefined);
    assert.deepEqual(
      outcome.diagnostics.map((d) => d.code),
      ["RP1005"],
    );
  });
});

describe("convertToDsl", () => {
  it("converts the JSON twin of the example to the example's DSL, without warnings", () => {
    const json = readFileSync(
      new URL("../../fixtures/policies/acme.json", import.meta.url),
      "utf8",
    );
    const outcome = convertToDsl(JSON.parse(json) as PolicyDocumentDoc, "acme.rampart");
    assert.deepEqual(outcome.diagnostics, []);
    assert.equal(
      outcome.value,
      fixture
        .replace(/^#[^\n]*\n/gm, "")
        .replace(/\n {2,}#[^\n]*/g, "")
        .replace(/ {2}#[^\n]*/g, ""),
    );
  });
});
