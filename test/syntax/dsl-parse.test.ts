/**
 * The DSL front end on the example policy: it parses clean, equals its JSON twin, round-trips
 * through the printer, and every pointer points at the text that wrote it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { spanAt } from "../../src/syntax/ast.ts";
import { parseDsl } from "../../src/syntax/dsl-to-ast.ts";
import { printDsl } from "../../src/syntax/print-dsl.ts";

const dslUrl = new URL("../../fixtures/policies/acme.rampart", import.meta.url);
const jsonUrl = new URL("../../fixtures/policies/acme.json", import.meta.url);
const text = readFileSync(dslUrl, "utf8");

function parseFixture() {
  const outcome = parseDsl({ name: "acme.rampart", text });
  assert.deepEqual(outcome.diagnostics, []);
  assert.ok(outcome.value !== undefined);
  return outcome.value;
}

function underline(pointer: string): string {
  const span = parseFixture().spans.get(pointer);
  assert.ok(span !== undefined, `no span for ${pointer}`);
  return text.slice(span.start, span.end);
}

describe("DSL front end on fixtures/policies/acme.rampart", () => {
  it("parses without diagnostics into the document of acme.json", () => {
    const ast = parseFixture();
    const json = JSON.stringify(ast.document, null, 2) + "\n";
    // UPDATE_GOLDEN=1 rewrites the JSON twin from the DSL source.
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(jsonUrl, json);
    assert.equal(readFileSync(jsonUrl, "utf8"), json);
    assert.equal(ast.syntax, "dsl");
  });

  it("S-D5: printDsl then parseDsl gives the same document", () => {
    const ast = parseFixture();
    const again = parseDsl({ name: "printed.rampart", text: printDsl(ast.document) });
    assert.deepEqual(again.diagnostics, []);
    assert.deepEqual(again.value?.document, ast.document);
  });

  it("has the example's required breadth (pro plan, ≥ 4 tunnels, a derived grant, ≥ 12 tests)", () => {
    const doc = parseFixture().document;
    assert.equal(doc.project.plan, "pro");
    assert.ok((doc.tunnels ?? []).length >= 4);
    assert.ok((doc.grants ?? []).some((g) => g.parent !== undefined));
    assert.ok((doc.credentials ?? []).length >= 1);
    assert.ok((doc.tests ?? []).length >= 12);
    const protocols = new Set((doc.tunnels ?? []).map((t) => t.protocol));
    assert.ok(protocols.has("tls-passthrough") || protocols.has("tcp"));
    assert.ok((doc.tunnels ?? []).some((t) => t.publish === false));
  });

  it("records the span of every value it wrote", () => {
    assert.equal(underline("/project/id"), '"acme"');
    assert.equal(underline("/project/plan"), "pro");
    assert.equal(underline("/project/trusted_ips/3"), "2001:db8::/32");
    assert.equal(underline("/tunnels/0/hostname/0"), '"api.acme.test"');
    assert.equal(underline("/tunnels/0/publish"), "public");
    assert.equal(underline("/tunnels/1/rstream_auth"), "rstream-auth");
    assert.equal(underline("/tunnels/2/token_auth"), "none");
    assert.equal(underline("/tunnels/4/publish"), "private");
    assert.equal(underline("/grants/1/permissions/1"), "tunnels.tunnels.create-delete");
    assert.equal(
      underline("/grants/1/resources/tunnels/OR/0/scopes/tunnels/connect/filters/labels/env"),
      'labels.env = "prod"',
    );
    assert.equal(
      underline("/grants/1/resources/tunnels/OR/0/scopes/tunnels/connect/params/path/glob/0"),
      '"/v1/deploy/**"',
    );
    assert.equal(underline("/tests/0/request/client_ip"), "203.0.113.10");
    assert.equal(underline("/tests/0/expect/outcome"), "forward");
  });

  it("falls back to the nearest written ancestor for pointers the text did not write", () => {
    const ast = parseFixture();
    const span = spanAt(ast.spans, "/tunnels/0/mtls_auth");
    assert.ok(span !== undefined);
    assert.match(text.slice(span.start, span.end), /^tunnel "api" \{/);
  });

  it("keeps a label named `__proto__` as data, not as a prototype", () => {
    const text =
      'project "a" { plan pro } tunnel "t" { protocol http labels { "__proto__" = "x" } }';
    const outcome = parseDsl({ name: "proto.rampart", text });
    assert.deepEqual(outcome.diagnostics, []);
    const labels = outcome.value?.document.tunnels?.[0]?.labels;
    assert.ok(labels !== undefined && Object.hasOwn(labels, "__proto__"));
    assert.equal(Object.getPrototypeOf(labels), Object.prototype);
    assert.deepEqual(
      JSON.parse(JSON.stringify(outcome.value?.document.tunnels?.[0])).labels,
      JSON.parse('{"__proto__":"x"}'),
    );
  });
});
