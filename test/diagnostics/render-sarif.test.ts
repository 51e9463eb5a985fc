import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import type { SourceFile } from "../../src/diagnostics/span.ts";
import { artifactUri, renderSarif, SARIF_SCHEMA_URI } from "../../src/diagnostics/render-sarif.ts";

/**
 * The SARIF 2.1.0 rules for the objects Rampart writes, transcribed from the OASIS standard
 * (sarifLog §3.13, run §3.14, tool §3.18, toolComponent §3.19, reportingDescriptor §3.49,
 * result §3.27, message §3.11, location §3.28, physicalLocation §3.29, region §3.30,
 * artifactLocation §3.4). Closed objects, so a misspelt property fails too.
 */
const sarifSubset = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["version", "runs"],
  additionalProperties: false,
  properties: {
    $schema: { type: "string" },
    version: { const: "2.1.0" },
    runs: { type: "array", items: { $ref: "#/$defs/run" } },
  },
  $defs: {
    message: {
      type: "object",
      additionalProperties: false,
      properties: { text: { type: "string", minLength: 1 }, markdown: { type: "string" } },
      required: ["text"],
    },
    run: {
      type: "object",
      additionalProperties: false,
      required: ["tool"],
      properties: {
        tool: {
          type: "object",
          additionalProperties: false,
          required: ["driver"],
          properties: {
            driver: {
              type: "object",
              additionalProperties: false,
              required: ["name"],
              properties: {
                name: { type: "string" },
                version: { type: "string" },
                informationUri: { type: "string", pattern: "^https://" },
                rules: { type: "array", items: { $ref: "#/$defs/rule" } },
              },
            },
          },
        },
        columnKind: { enum: ["utf16CodeUnits", "unicodeCodePoints"] },
        results: { type: "array", items: { $ref: "#/$defs/result" } },
      },
    },
    rule: {
      type: "object",
      additionalProperties: false,
      required: ["id"],
      properties: {
        id: { type: "string" },
        name: { type: "string" },
        shortDescription: { $ref: "#/$defs/message" },
        helpUri: { type: "string", pattern: "^https://" },
      },
    },
    result: {
      type: "object",
      additionalProperties: false,
      required: ["message"],
      properties: {
        ruleId: { type: "string" },
        ruleIndex: { type: "integer", minimum: -1 },
        level: { enum: ["none", "note", "warning", "error"] },
        message: { $ref: "#/$defs/message" },
        locations: { type: "array", items: { $ref: "#/$defs/location" } },
        relatedLocations: { type: "array", items: { $ref: "#/$defs/location" } },
      },
    },
    location: {
      type: "object",
      additionalProperties: false,
      properties: {
        id: { type: "integer", minimum: -1 },
        message: { $ref: "#/$defs/message" },
        physicalLocation: {
          type: "object",
          additionalProperties: false,
          required: ["artifactLocation"],
          properties: {
            artifactLocation: {
              type: "object",
              additionalProperties: false,
              properties: { uri: { type: "string" }, uriBaseId: { type: "string" } },
            },
            region: {
              type: "object",
              additionalProperties: false,
              required: ["startLine"],
              properties: {
                startLine: { type: "integer", minimum: 1 },
                startColumn: { type: "integer", minimum: 1 },
                endLine: { type: "integer", minimum: 1 },
                endColumn: { type: "integer", minimum: 1 },
              },
            },
          },
        },
      },
    },
  },
};

const validateSarif = new Ajv2020({ allErrors: true, strict: true }).compile(sarifSubset);

const policy: SourceFile = {
  name: "fixtures/invalid/RP2102 bad,name.json",
  text: '{\n  "project": {\n    "tls_min_verison": "1.3"\n  }\n}\n',
};
const other: SourceFile = { name: "fixtures/other.json", text: "[1,\n 2]" };
const sources = new Map([policy, other].map((s) => [s.name, s]));
const diagnostics: Diagnostic[] = [
  {
    code: "RP2102",
    severity: "error",
    message: "unknown property `tls_min_verison` in `project`",
    span: {
      file: policy.name,
      start: policy.text.indexOf('"tls'),
      end: policy.text.indexOf('"tls') + 17,
    },
    help: "did you mean `tls_min_version`?",
  },
  {
    code: "RP2006",
    severity: "warning",
    message: "duplicate property `a`",
    span: { file: other.name, start: 1, end: 7 },
    labels: [{ span: { file: other.name, start: 1, end: 2 }, message: "first written here" }],
  },
  { code: "RP9002", severity: "info", message: "3 more diagnostics were not shown" },
];

describe("renderSarif", () => {
  const log = JSON.parse(
    renderSarif(diagnostics, sources, { baseDir: "/repo", toolVersion: "0.1.0" }),
  );

  it("writes a SARIF 2.1.0 log that satisfies the standard's rules for what it contains", () => {
    assert.equal(validateSarif(log), true, JSON.stringify(validateSarif.errors, null, 2));
    assert.equal(log.$schema, SARIF_SCHEMA_URI);
    assert.equal(log.version, "2.1.0");
    assert.equal(log.runs.length, 1);
    assert.equal(log.runs[0].columnKind, "utf16CodeUnits");
  });

  it("declares one rule per code used, from the registry, and results point at them", () => {
    const run = log.runs[0];
    assert.deepEqual(
      run.tool.driver.rules.map((r: { id: string; name: string }) => [r.id, r.name]),
      [
        ["RP2006", "json/duplicate-key"],
        ["RP2102", "schema/unknown-property"],
        ["RP9002", "internal/too-many-diagnostics"],
      ],
    );
    assert.equal(run.tool.driver.name, "rampart");
    assert.equal(run.tool.driver.version, "0.1.0");
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
    }
    assert.deepEqual(
      run.results.map((r: { level: string }) => r.level),
      ["error", "warning", "note"],
    );
  });

  it("names this rampart's version and home page, and each rule's row in docs/codes.md (§3.19.17, §3.49.12)", () => {
    const driver = JSON.parse(renderSarif(diagnostics, sources)).runs[0].tool.driver;
    const manifest = JSON.parse(readFileSync("package.json", "utf8"));
    assert.equal(driver.version, manifest.version);
    assert.equal(driver.informationUri, manifest.homepage);
    const codesDoc = readFileSync("docs/codes.md", "utf8");
    for (const rule of driver.rules as { id: string; helpUri: string }[]) {
      assert.equal(
        rule.helpUri,
        `${manifest.homepage}/blob/main/docs/codes.md#${rule.id.toLowerCase()}`,
      );
      assert.ok(codesDoc.includes(`<a id="${rule.id.toLowerCase()}"></a>`), rule.id);
    }
  });

  it("uses 1-based regions with an exclusive end column, and keeps the help in the message", () => {
    const [first, second] = log.runs[0].results;
    assert.deepEqual(first.locations[0].physicalLocation.region, {
      startLine: 3,
      startColumn: 5,
      endLine: 3,
      endColumn: 22,
    });
    assert.equal(
      first.message.text,
      "unknown property `tls_min_verison` in `project`\nhelp: did you mean `tls_min_version`?",
    );
    assert.deepEqual(second.locations[0].physicalLocation.region, {
      startLine: 1,
      startColumn: 2,
      endLine: 2,
      endColumn: 4,
    });
    assert.deepEqual(second.relatedLocations[0].message, { text: "first written here" });
  });

  it("writes artifact URIs relative to the base directory, percent-encoded", () => {
    const [first] = log.runs[0].results;
    assert.equal(
      first.locations[0].physicalLocation.artifactLocation.uri,
      "fixtures/invalid/RP2102%20bad%2Cname.json",
    );
    assert.equal(artifactUri(join("/repo", "a b", "p.json"), "/repo"), "a%20b/p.json");
  });

  it("writes a valid log with no results", () => {
    const empty = JSON.parse(renderSarif([], new Map()));
    assert.equal(validateSarif(empty), true);
    assert.deepEqual(empty.runs[0].results, []);
  });
});
