import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseJsonPolicy } from "../../src/syntax/json-to-ast.ts";
import { validateDocument } from "../../src/syntax/validate.ts";
import type { Span } from "../../src/diagnostics/span.ts";
import { assertStyle, expectDiagnostic, expectOnly, VALID_POLICY } from "./json-expect.ts";

const policy = (body: string) => ({ name: "policy.json", text: body });
const project = '"project": {"id": "p", "plan": "pro"}';

describe("validateDocument: schema errors (RP21xx) for JSON policies", () => {
  it("accepts a realistic policy", () => {
    const outcome = parseJsonPolicy(policy(VALID_POLICY));
    assert.deepEqual(outcome.diagnostics, []);
    assert.equal(outcome.value?.document.tunnels?.[1]?.mtls_auth?.ca, "certs/admin-ca.pem");
  });

  it("RP2101: a value of the wrong type, with the obvious fix", () => {
    const source = policy(
      `{${project}, "tunnels": [{"id": "t", "protocol": "http", "publish": "yes"}]}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2101",
      message: "`tunnels[0].publish` must be a boolean, not a string",
      underline: '"yes"',
      help: "write `true` or `false`",
    });
  });

  it("RP2101: a version written as a number gets quoted", () => {
    const source = policy(`{"project": {"id": "p", "plan": "pro", "tls_min_version": 1.3}}`);
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2101",
      message: "`project.tls_min_version` must be a string, not a number",
      underline: "1.3",
      help: 'write it in double quotes: `"1.3"`',
    });
  });

  it("RP2101: the document itself must be an object", () => {
    const source = policy("[]");
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2101",
      message: "the document must be an object, not an array",
      underline: "[]",
    });
  });

  it("RP2102: an unknown property underlines its name and suggests the closest one", () => {
    const source = policy(
      `{\n  "project": {\n    "id": "p",\n    "plan": "pro",\n    "tls_min_verison": "1.3"\n  }\n}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2102",
      message: "unknown property `tls_min_verison` in `project`",
      underline: '"tls_min_verison"',
      help: "did you mean `tls_min_version`?",
    });
  });

  it("RP2102: with nothing close, the help lists what is allowed", () => {
    const source = policy(
      `{${project}, "credentials": [{"name": "c", "grant": "g", "zzzzzz": 1}]}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2102",
      message: "unknown property `zzzzzz` in `credentials[0]`",
      underline: '"zzzzzz"',
      help: "the properties allowed here are `name`, `subject_cn`, `fingerprint256`, `grant`",
    });
  });

  it("RP2102: at the top level", () => {
    const source = policy(`{${project}, "tunels": []}`);
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2102",
      message: "unknown property `tunels` at the top level",
      underline: '"tunels"',
      help: "did you mean `tunnels`?",
    });
  });

  it("RP2103: a missing property points at the object's name, with the allowed values", () => {
    const source = policy(`{\n  "project": {"id": "p"}\n}`);
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2103",
      message: "`project` is missing the required property `plan`",
      underline: '"project"',
      help: "add `plan`, one of `basic`, `pro`, `enterprise`",
    });
  });

  it("RP2103: in an array element it points at the element's first line only", () => {
    const source = policy(`{${project}, "tunnels": [\n  {\n    "id": "t"\n  }\n]}`);
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2103",
      message: "`tunnels[0]` is missing the required property `protocol`",
      underline: "{",
      help: "add `protocol`, one of `http`, `tls`, `tls-passthrough`, `dtls`, `quic`, `tcp`",
    });
  });

  it("RP2104: a value outside an enum, with a suggestion and the choices", () => {
    const source = policy(
      `{"project": {"id": "p", "plan": "pro", "public_access": "auth_required"}}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2104",
      message: "`auth_required` is not a valid value for `project.public_access`",
      underline: '"auth_required"',
      help: "did you mean `auth-required`? the choices are `allowed`, `auth-required`, `forbidden`",
    });
  });

  it("RP2105: an empty id", () => {
    const source = policy(`{"project": {"id": "", "plan": "pro"}}`);
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2105",
      message: "`project.id` must not be empty",
      underline: '""',
      help: "write a value or remove the property",
    });
  });

  it("RP2105: an over-long name", () => {
    const source = policy(`{"project": {"id": "${"x".repeat(257)}", "plan": "pro"}}`);
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2105",
      message: "`project.id` is longer than 256 characters",
      underline: `"${"x".repeat(257)}"`,
      help: "shorten it to at most 256 characters",
    });
  });

  it("RP2106: an empty `AND`", () => {
    const source = policy(
      `{${project}, "grants": [{"name": "g", "resources": {"tunnels": {"AND": []}}}]}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2106",
      message: "`grants[0].resources.tunnels.AND` must have at least 1 entry",
      underline: "[]",
      help: "add an entry or remove the property",
    });
  });

  it("RP2107: a method that is not a method name", () => {
    const source = policy(
      `{${project}, "grants": [{"name": "g", "resources": {"tunnels": {"scopes": {"tunnels": {"connect": {"params": {"methods": ["G T"]}}}}}}}]}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2107",
      message:
        "`G T` in `grants[0].resources.tunnels.scopes.tunnels.connect.params.methods[0]` is not an HTTP method",
      underline: '"G T"',
      help: "use a method name such as `GET` or `POST`",
    });
  });

  it("RP2108: a status code out of range", () => {
    const source = policy(
      `{${project}, "tests": [{"name": "t", "request": {"url": "https://a.example/", "client_ip": "1.2.3.4"}, "expect": {"outcome": "deny", "status": 700}}]}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2108",
      message: "`tests[0].expect.status` must be at most 599, not 700",
      underline: "700",
      help: "use a number from 100 to 599",
    });
  });

  it("RP2110: an empty label name underlines the key", () => {
    const source = policy(
      `{${project}, "tunnels": [{"id": "t", "protocol": "http", "labels": {"": "x"}}]}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2110",
      message: "an empty key in `tunnels[0].labels` is not allowed",
      underline: '""',
      help: "keys here must have 1 to 128 characters",
    });
  });

  it("reports every schema error in one run, sorted by position", () => {
    const source = policy(
      `{"project": {"id": "", "plan": "gold"}, "tunnels": [{"id": "t", "protocol": "ftp"}]}`,
    );
    const outcome = parseJsonPolicy(source);
    assert.deepEqual(
      outcome.diagnostics.map((d) => d.code),
      ["RP2105", "RP2104", "RP2104"],
    );
    outcome.diagnostics.forEach(assertStyle);
  });
});

describe("validateDocument: unions collapse to one useful diagnostic", () => {
  const grant = (tunnels: string) =>
    policy(`{${project}, "grants": [{"name": "g", "resources": {"tunnels": ${tunnels}}}]}`);

  it("explains the branch the property names point at (a typo inside `AND`)", () => {
    const source = grant(`{"AND": [{"projekts": ["p"]}]}`);
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2102",
      message: "unknown property `projekts` in `grants[0].resources.tunnels.AND[0]`",
      underline: '"projekts"',
      help: "did you mean `projects`?",
    });
  });

  it("explains a wrong type deep inside nested unions", () => {
    const source = grant(
      `{"OR": [{"scopes": {"tunnels": {"connect": {"params": {"path": {"prefix": [1]}}}}}}]}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2101",
      message:
        "`grants[0].resources.tunnels.OR[0].scopes.tunnels.connect.params.path.prefix[0]` must be a string, not a number",
      underline: "1",
      help: 'write it in double quotes: `"1"`',
    });
  });

  it("RP2109: a value of a type no branch has lists the allowed forms", () => {
    const source = grant(`{"scopes": {"tunnels": {"connect": {"params": {"path": 3}}}}}`);
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2109",
      message:
        "`grants[0].resources.tunnels.scopes.tunnels.connect.params.path` must be a string or an object, not a number",
      underline: "3",
      help: "write a string, an object with `exact`, an object with `oneof`, an object with `regex`, an object with `prefix` or an object with `glob`",
    });
  });

  it("RP2109: an object that fits two forms equally badly", () => {
    const source = grant(
      `{"scopes": {"tunnels": {"connect": {"params": {"path": {"exact": "/a", "prefix": ["/b"]}}}}}}`,
    );
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2109",
      message:
        "`grants[0].resources.tunnels.scopes.tunnels.connect.params.path` does not match any of the forms allowed here",
      underline: '{"exact": "/a", "prefix": ["/b"]}',
      help: "write a string, an object with `exact`, an object with `oneof`, an object with `regex`, an object with `prefix` or an object with `glob`",
    });
  });

  it("RP2109: a nullable list given a string has no redundant help", () => {
    const source = policy(`{${project}, "grants": [{"name": "g", "permissions": "all"}]}`);
    expectOnly(parseJsonPolicy(source), source, {
      code: "RP2109",
      message: "`grants[0].permissions` must be an array or `null`, not a string",
      underline: '"all"',
    });
  });
});

describe("validateDocument: documents whose spans come from DSL text", () => {
  it("uses the value spans it is given and falls back to the nearest ancestor", () => {
    const text = 'project p {\n  plan = "pro"\n  ech = "sometimes"\n}\n';
    const source = { name: "policy.rampart", text };
    const span = (needle: string): Span => ({
      file: source.name,
      start: text.indexOf(needle),
      end: text.indexOf(needle) + needle.length,
    });
    const spans = new Map([
      ["", span(text)],
      ["/project", span(text.trimEnd())],
      ["/project/ech", span('"sometimes"')],
    ]);
    const document = { project: { id: "p", plan: "pro", ech: "sometimes", tls: "1.3" } };
    const outcome = validateDocument(document, spans, source);
    expectDiagnostic(outcome.diagnostics, source, {
      code: "RP2104",
      message: "`sometimes` is not a valid value for `project.ech`",
      underline: '"sometimes"',
      help: "the choices are `off`, `preferred`, `required`",
    });
    // No key span and no value span for `tls`: the first line of its object.
    expectDiagnostic(outcome.diagnostics, source, {
      code: "RP2102",
      message: "unknown property `tls` in `project`",
      underline: "project p {",
      help: "the properties allowed here are `id`, `name`, `workspace`, `plan`, `public_access`, `members`, `trusted_ips`, `geo_ip`, `tls_min_version`, `post_quantum`, `ech`",
    });
  });

  it("never throws on arbitrary documents, and every span it reports is one it was given", () => {
    const source = { name: "x.rampart", text: "x".repeat(10) };
    const spans = new Map([["", { file: source.name, start: 0, end: 10 }]]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }),
          fc.record({
            project: fc.jsonValue({ maxDepth: 3 }),
            tunnels: fc.jsonValue({ maxDepth: 3 }),
          }),
        ),
        (document) => {
          const outcome = validateDocument(document, spans, source);
          for (const d of outcome.diagnostics) {
            assertStyle(d);
            assert.deepEqual(d.span, { file: source.name, start: 0, end: 10 });
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("parseJsonPolicy: never throws", () => {
  it("on mutated policy text: only diagnostics, each inside the text and in house style", () => {
    const edit = fc.tuple(
      fc.nat(),
      fc.nat({ max: 6 }),
      fc.oneof(
        fc.constantFrom('"', "{", "}", "[", "]", ",", ":", "1", "true", '"x"', '"AND"', ""),
        fc.string({ maxLength: 4 }),
      ),
    );
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const text = edits.reduce(
          (t, [at, remove, insert]) =>
            t.slice(0, at % (t.length + 1)) + insert + t.slice((at % (t.length + 1)) + remove),
          VALID_POLICY,
        );
        const outcome = parseJsonPolicy({ name: "policy.json", text });
        assert.equal(
          outcome.value === undefined,
          outcome.diagnostics.some((d) => d.severity === "error"),
        );
        for (const d of outcome.diagnostics) {
          assertStyle(d);
          if (d.span !== undefined)
            assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= text.length);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
