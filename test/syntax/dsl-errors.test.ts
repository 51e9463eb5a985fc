/**
 * Every RP1xxx code the DSL front end emits, as the user sees it: code, message, underlined
 * text and help.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { syntaxCodes } from "../../src/diagnostics/codes/syntax.ts";
import { parseDsl } from "../../src/syntax/dsl-to-ast.ts";
import { convertToDsl } from "../../src/syntax/format.ts";
import type { PolicyDocumentDoc } from "../../src/syntax/model.ts";
import { MAX_NESTING_DEPTH, MAX_SOURCE_LENGTH } from "../../src/syntax/dsl/limits.ts";

interface Expected {
  readonly code: string;
  readonly message: string;
  readonly underline: string;
  readonly help?: string;
}

const seenCodes = new Set<string>();

function diagnose(text: string): { text: string; diagnostics: readonly Diagnostic[] } {
  const outcome = parseDsl({ name: "policy.rampart", text });
  assert.equal(outcome.value, undefined, "a file with errors yields no document");
  for (const d of outcome.diagnostics) seenCodes.add(d.code);
  return { text, diagnostics: outcome.diagnostics };
}

function view(text: string, d: Diagnostic): Expected {
  const underline = d.span === undefined ? "" : text.slice(d.span.start, d.span.end);
  return {
    code: d.code,
    message: d.message,
    underline,
    ...(d.help === undefined ? {} : { help: d.help }),
  };
}

function expectOnly(text: string, expected: Expected): void {
  const { diagnostics } = diagnose(text);
  assert.deepEqual(
    diagnostics.map((d) => view(text, d)),
    [expected],
  );
}

const PROJECT = 'project "acme" { plan pro }\n';

describe("DSL syntax diagnostics", () => {
  it("RP1001: a character no token starts with", () => {
    expectOnly(`${PROJECT}tunnel "api" { protocol http } @`, {
      code: "RP1001",
      message: "unexpected character `@` (U+0040)",
      underline: "@",
      help: "comments start with `#`",
    });
  });

  it("RP1002: an unterminated string", () => {
    expectOnly(`project "acme" { plan pro name "Acme\n}`, {
      code: "RP1002",
      message: "unterminated string",
      underline: '"Acme',
      help: 'close the string with `"` on the same line',
    });
  });

  it("RP1003: an escape JSON strings do not have", () => {
    expectOnly(String.raw`project "acme" { plan pro name "C:\temp\q" }`, {
      code: "RP1003",
      message: "invalid escape `\\q` in string",
      underline: "\\q",
      help: 'use one of `\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`',
    });
  });

  it("RP1004: a misspelled statement keyword, with a suggestion", () => {
    const { text, diagnostics } = diagnose(`${PROJECT}tunnel "api" { protocl http }`);
    const d = diagnostics[0];
    assert.ok(d !== undefined && diagnostics.length === 1);
    const got = view(text, d);
    assert.equal(got.code, "RP1004");
    assert.equal(got.underline, "protocl");
    assert.match(got.message, /^expected `name`, `labels`, `protocol`, .* found `protocl`$/);
    assert.equal(got.help, "did you mean `protocol`?");
  });

  it("RP1004: a misspelled enum value lists the allowed values", () => {
    expectOnly('project "acme" { plan prof }', {
      code: "RP1004",
      message: "expected `basic`, `pro` or `enterprise`, found `prof`",
      underline: "prof",
      help: "did you mean `pro`?",
    });
  });

  it("RP1004: junk between top-level blocks", () => {
    expectOnly(`${PROJECT}garbage`, {
      code: "RP1004",
      message:
        "expected `schema`, `project`, `tunnel`, `grant`, `credential`, `test` or the end of the file, found `garbage`",
      underline: "garbage",
    });
  });

  it("RP1005: the file ends inside a block", () => {
    expectOnly('project "acme" { plan pro', {
      code: "RP1005",
      message:
        "expected `name`, `workspace`, `plan`, `public_access`, `members`, `trusted_ips`, `geo_ip`, `tls_min`, `post_quantum`, `ech` or `}`, found the end of the file",
      underline: "",
      help: "complete the statement or close the open block",
    });
  });

  it("reports every syntax error of a file in one run", () => {
    const text = [
      'project "acme" { plan prof }',
      'tunnel "api" { protocl http }',
      'tunnel "web" { protocol htp  hosts ["app.acme.test"] }',
      'grant "g" { type robot }',
    ].join("\n");
    const { diagnostics } = diagnose(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, view(text, d).underline]),
      [
        ["RP1004", "prof"],
        ["RP1004", "protocl"],
        ["RP1004", "htp"],
        ["RP1004", "robot"],
      ],
    );
  });

  it("RP1006: a file over the size limit is refused before lexing", () => {
    const { diagnostics } = diagnose(" ".repeat(MAX_SOURCE_LENGTH + 1));
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.message]),
      [
        [
          "RP1006",
          `policy file has ${MAX_SOURCE_LENGTH + 1} characters, more than the limit of ${MAX_SOURCE_LENGTH}`,
        ],
      ],
    );
  });

  it("RP1013: bytes that are not UTF-8 are refused at the first, before lexing", () => {
    const bytes = Buffer.from('project "p" {\n  name "Caf\xe9"\n  plan pro\n}\n', "latin1");
    const outcome = parseDsl({ name: "policy.rampart", text: bytes.toString("utf8"), bytes });
    assert.equal(outcome.value, undefined);
    for (const d of outcome.diagnostics) seenCodes.add(d.code);
    assert.deepEqual(
      outcome.diagnostics.map((d) => [d.code, d.span?.start, d.span?.end]),
      [["RP1013", 25, 26]],
    );
  });

  it("RP1007: nesting deeper than the limit is refused before parsing", () => {
    const text = `${PROJECT}grant "g" { resources ${"any { ".repeat(MAX_NESTING_DEPTH)}`;
    const { diagnostics } = diagnose(text);
    const d = diagnostics[0];
    assert.ok(d !== undefined && diagnostics.length === 1);
    assert.deepEqual(view(text, d), {
      code: "RP1007",
      message: `nesting deeper than ${MAX_NESTING_DEPTH} levels`,
      underline: "{",
      help: "flatten the `any`/`all` tree or the filter",
    });
    assert.equal(d.span?.start, text.lastIndexOf("{"));
  });

  it("RP1008: a setting written twice, labelled at the first", () => {
    const text = 'project "acme" { plan pro  plan basic }';
    const { diagnostics } = diagnose(text);
    const d = diagnostics[0];
    assert.ok(d !== undefined && diagnostics.length === 1);
    assert.deepEqual(view(text, d), {
      code: "RP1008",
      message: "`plan` is set twice",
      underline: "plan",
      help: "remove one of the two",
    });
    assert.equal(d.span?.start, text.lastIndexOf("plan"));
    const first = d.labels?.[0]?.span;
    assert.equal(first === undefined ? "" : text.slice(first.start, first.end), "pro");
    assert.equal(d.labels?.[0]?.message, "first set here");
  });

  it("RP1008: the same filter field twice in one `and` group", () => {
    const text = `${PROJECT}grant "g" { resources scope { connect where name = "a" and name = "b" } }`;
    const { diagnostics } = diagnose(text);
    assert.deepEqual(
      diagnostics.map((d) => view(text, d)),
      [
        {
          code: "RP1008",
          message: "filter field `name` is set twice",
          underline: "name",
          help: "remove one of the two",
        },
      ],
    );
  });

  it("RP1009: a file without a project block", () => {
    expectOnly('tunnel "api" { protocol http }', {
      code: "RP1009",
      message: "the policy has no `project` block",
      underline: 'tunnel "api" {',
      help: 'start the file with `project "id" { plan basic }`',
    });
  });

  it("RP1010: a second project block", () => {
    const text = `${PROJECT}project "other" { plan basic }`;
    const { diagnostics } = diagnose(text);
    assert.deepEqual(
      diagnostics.map((d) => view(text, d)),
      [
        {
          code: "RP1010",
          message: "a second `project` block",
          underline: "project",
          help: "one file describes one project; move the other project to its own file",
        },
      ],
    );
    assert.equal(diagnostics[0]?.span?.start, PROJECT.length);
  });

  it("RP1011: a raw control character inside a string", () => {
    expectOnly('project "acme" { plan pro name "Acme\tCorp" }', {
      code: "RP1011",
      message: "raw control character U+0009 in string",
      underline: "\t",
      help: "write it as an escape such as `\\t`",
    });
  });

  it("schema errors come from the shared validator, at the DSL span", () => {
    const text = `${PROJECT}test "t" { request GET "https://a.test/" from 192.0.2.1  expect deny 403.5 }`;
    const { diagnostics } = diagnose(text);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, view(text, d).underline]),
      [["RP2101", "403.5"]],
    );
  });

  it("RP1012: warns about empty containers the DSL cannot spell", () => {
    const doc: PolicyDocumentDoc = {
      project: { id: "a", plan: "pro" },
      tunnels: [],
      tests: [
        {
          name: "t",
          request: { url: "https://a.test/", client_ip: "192.0.2.1", headers: {} },
          expect: { outcome: "forward" },
        },
      ],
    };
    const outcome = convertToDsl(doc, "a.rampart");
    for (const d of outcome.diagnostics) seenCodes.add(d.code);
    assert.ok(outcome.value !== undefined);
    assert.deepEqual(
      outcome.diagnostics.map((d) => [d.code, d.severity, d.message]),
      [
        ["RP1012", "warning", "the empty value at `/tunnels` has no DSL spelling and is left out"],
        [
          "RP1012",
          "warning",
          "the empty value at `/tests/0/request/headers` has no DSL spelling and is left out",
        ],
      ],
    );
  });

  it("every registered syntax code is produced by a test above", () => {
    assert.deepEqual(
      [...seenCodes].filter((c) => c.startsWith("RP1")).sort(),
      Object.keys(syntaxCodes).sort(),
    );
  });
});
