// Every diagnostic code is covered (STYLE 9.5): each code in the registry has an entry in
// docs/codes.md and is produced by a fixture or exercised by a test, and every file in
// fixtures/invalid/ reaches the user through the real CLI as a code frame and as SARIF 2.1.0.
// UPDATE_GOLDEN=1 rewrites docs/codes.md from the registry.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { memoryIo } from "../../src/cli/io.ts";
import type { DiagnosticCode } from "../../src/diagnostics/codes.ts";
import { codeInfo, codes } from "../../src/diagnostics/codes.ts";
import { renderCodesDoc, stageOf } from "../../src/diagnostics/codes-doc.ts";
import { SARIF_SCHEMA_URI } from "../../src/diagnostics/render-sarif.ts";
import { knownCoverageGaps, noFixtureReasons } from "./code-fixture-exemptions.ts";

const root = join(import.meta.dirname, "..", "..");
const update = process.env["UPDATE_GOLDEN"] === "1";
const registered = Object.keys(codes).sort() as DiagnosticCode[];
const FIXTURE = /^(RP\d{4})-[a-z0-9-]+\.(rampart|json)$/;

/** Fixture files of a folder by the code their name promises, as repository paths. */
function fixturesByCode(folder: string): Map<DiagnosticCode, string[]> {
  const byCode = new Map<DiagnosticCode, string[]>();
  for (const file of readdirSync(join(root, folder)).sort()) {
    const code = FIXTURE.exec(file)?.[1] as DiagnosticCode | undefined;
    if (code !== undefined) byCode.set(code, [...(byCode.get(code) ?? []), `${folder}/${file}`]);
  }
  return byCode;
}

const invalid = fixturesByCode("fixtures/invalid");
const warnings = fixturesByCode("fixtures/warnings");
/** Every golden fixture: errors (invalid/) and warnings (warnings/). */
const golden = new Map([...invalid, ...warnings]);
const failingTests = fixturesByCode("fixtures/failing-tests");
/** Codes the CLI cases at the end of this file produce and check. */
const producedByCliCases: readonly DiagnosticCode[] = ["RP8901", "RP8902"];

/** Test files other than the golden runner and this file's own lists. */
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Codes written in test code (comment lines do not count: they assert nothing). */
function codesInTests(): Set<string> {
  const skip = new Set(["golden.test.ts", "code-coverage.test.ts", "code-fixture-exemptions.ts"]);
  const found = new Set<string>();
  for (const file of testFiles(join(root, "test"))) {
    if (skip.has(file.slice(file.lastIndexOf("/") + 1))) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (/^\s*(\/\/|\/\*|\*)/.test(line)) continue;
      for (const match of line.matchAll(/\bRP\d{4}\b/g)) found.add(match[0]);
    }
  }
  return found;
}

function isPolicyStage(code: DiagnosticCode): boolean {
  return /^RP[1-4]\d{3}$/.test(code);
}

function expectedDoc(): string {
  const examples = new Map<DiagnosticCode, string>();
  for (const [code, files] of [...golden, ...failingTests]) examples.set(code, files[0] ?? "");
  return renderCodesDoc({ examples, notes: noFixtureReasons });
}

describe("diagnostic code coverage (STYLE 9.5)", () => {
  it("names every fixture after a registered code", () => {
    const unknown = [...golden.keys(), ...failingTests.keys()].filter((c) => !(c in codes));
    assert.deepEqual(unknown, [], `fixtures named after unregistered codes: ${unknown.join(", ")}`);
    for (const folder of ["invalid", "warnings"]) {
      const misnamed = readdirSync(join(root, "fixtures", folder)).filter(
        (f) => !FIXTURE.test(f) && !/^RP\d{4}-[a-z0-9-]+\.expected\.txt$/.test(f),
      );
      assert.deepEqual(
        misnamed,
        [],
        `fixtures/${folder} holds only RPxxxx-name.(rampart|json) cases`,
      );
    }
  });

  it("places every code in a documented stage", () => {
    const stageless = registered.filter((c) => stageOf(codeInfo(c)) === undefined);
    assert.deepEqual(stageless, [], `slugs with no stage in codes-doc.ts: ${stageless.join(", ")}`);
  });

  it("has each code produced by a fixture or exercised by a test", () => {
    const inTests = codesInTests();
    const uncovered = registered.filter(
      (c) =>
        !golden.has(c) &&
        !failingTests.has(c) &&
        !producedByCliCases.includes(c) &&
        !inTests.has(c),
    );
    const newGaps = uncovered.filter((c) => !knownCoverageGaps.has(c));
    assert.deepEqual(
      newGaps,
      [],
      `codes no fixture produces and no test uses: ${newGaps.join(", ")}`,
    );
    const closed = [...knownCoverageGaps.keys()].filter((c) => !uncovered.includes(c));
    assert.deepEqual(
      closed,
      [],
      `now covered, remove from knownCoverageGaps: ${closed.join(", ")}`,
    );
  });

  it("has a fixture for each policy-stage code (RP1xxx–RP4xxx), or says why none can exist", () => {
    const missing = registered.filter(
      (c) => isPolicyStage(c) && !golden.has(c) && !noFixtureReasons.has(c),
    );
    assert.deepEqual(missing, [], `policy-stage codes without a fixture: ${missing.join(", ")}`);
    const stale = [...noFixtureReasons.keys()].filter((c) => golden.has(c) || !(c in codes));
    assert.deepEqual(
      stale,
      [],
      `noFixtureReasons lists codes with a fixture, or unregistered: ${stale.join(", ")}`,
    );
  });

  it("keeps docs/codes.md generated from the registry, with an entry per code", () => {
    const path = join(root, "docs", "codes.md");
    const doc = expectedDoc();
    if (update || !existsSync(path)) writeFileSync(path, doc);
    assert.equal(
      readFileSync(path, "utf8"),
      doc,
      "docs/codes.md is stale: run with UPDATE_GOLDEN=1",
    );
    for (const code of registered) {
      assert.match(
        doc,
        new RegExp(`\\| <a id="${code.toLowerCase()}"></a>${code} \\| \`${codeInfo(code).slug}\``),
      );
    }
  });
});

// ------------------------------------------------------------------ the CLI as a user sees it

interface SarifRegion {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}
interface SarifRule {
  readonly id: string;
  readonly name: string;
}
interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: string;
  readonly message: { readonly text: string };
  readonly locations?: readonly {
    readonly physicalLocation: {
      readonly artifactLocation: { readonly uri: string };
      readonly region: SarifRegion;
    };
  }[];
}
interface SarifLog {
  readonly $schema: string;
  readonly version: string;
  readonly runs: readonly {
    readonly tool: {
      readonly driver: {
        readonly name: string;
        readonly rules: readonly SarifRule[];
      };
    };
    readonly results: readonly SarifResult[];
  }[];
}

/** Checks the SARIF 2.1.0 properties code scanning relies on; returns the run's results. */
function checkSarif(text: string): readonly SarifResult[] {
  const log = JSON.parse(text) as SarifLog;
  assert.equal(log.version, "2.1.0");
  assert.equal(log.$schema, SARIF_SCHEMA_URI);
  assert.equal(log.runs.length, 1);
  const run = log.runs[0];
  assert.ok(run !== undefined);
  assert.equal(run.tool.driver.name, "rampart");
  for (const result of run.results) {
    const rule: SarifRule | undefined = run.tool.driver.rules[result.ruleIndex];
    assert.ok(rule !== undefined, "ruleIndex points into the rules");
    assert.equal(rule.id, result.ruleId, "ruleIndex points at the result's rule");
    assert.equal(rule.name, codeInfo(result.ruleId as DiagnosticCode).slug);
    assert.ok(["error", "warning", "note", "none"].includes(result.level));
    assert.ok(result.message.text.length > 0);
    for (const { physicalLocation } of result.locations ?? []) {
      const { startLine, startColumn, endLine, endColumn } = physicalLocation.region;
      assert.ok(startLine >= 1 && startColumn >= 1, "SARIF lines and columns start at 1");
      if (endLine !== undefined)
        assert.ok(
          endLine > startLine ||
            (endLine === startLine && (endColumn ?? startColumn) >= startColumn),
        );
    }
  }
  return run.results;
}

async function runCli(argv: readonly string[], files: readonly string[]) {
  // Bytes, as the CLI reads them: some fixtures are no UTF-8.
  const io = memoryIo(Object.fromEntries(files.map((f) => [f, readFileSync(join(root, f))])));
  const status = await main(argv, io);
  return { status, stdout: io.stdout.join(""), stderr: io.stderr.join("") };
}

describe("fixtures/invalid and fixtures/warnings through `rampart lint`", () => {
  for (const [code, files] of golden) {
    for (const file of files) {
      it(`${file}: ${code} with line and column, as a code frame and as SARIF 2.1.0`, async () => {
        const sarif = await runCli(["lint", "--format", "sarif", file], [file]);
        const results = checkSarif(sarif.stdout);
        const own = results.find((r) => r.ruleId === code);
        const at = own?.locations?.[0]?.physicalLocation;
        assert.ok(at !== undefined, `${code} is reported with a location`);
        assert.equal(at.artifactLocation.uri, file);
        const hasError = results.some((r) => r.level === "error");
        assert.equal(
          hasError,
          file.startsWith("fixtures/invalid/"),
          "invalid/ errors, warnings/ warns",
        );
        assert.equal(sarif.status, hasError ? 1 : 0, "exit 1 exactly when an error is reported");

        const text = await runCli(["lint", file], [file]);
        assert.equal(text.status, sarif.status);
        const { startLine, startColumn } = at.region;
        const frame = new RegExp(
          `${own?.level}\\[${code}\\]: [^\\n]+\\n\\s*--> ${file}:${startLine}:${startColumn}\\n`,
        );
        assert.match(text.stdout, frame, "the code frame points where SARIF does");
        assert.match(
          text.stdout,
          new RegExp(`\\n\\s*${startLine} \\|`),
          "the frame quotes the line",
        );
      });
    }
  }

  it("lints them all in one real process to valid SARIF 2.1.0, exit 1", () => {
    const all = [...invalid.values()].flat();
    const r = spawnSync(
      process.execPath,
      [join(root, "src", "cli", "bin.js"), "lint", "--format", "sarif", ...all],
      {
        cwd: root,
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 1, r.stderr);
    const results = checkSarif(r.stdout);
    for (const [code, files] of invalid) {
      for (const file of files) {
        const found = results.some(
          (x) =>
            x.ruleId === code && x.locations?.[0]?.physicalLocation.artifactLocation.uri === file,
        );
        assert.ok(found, `${file} reports ${code}`);
      }
    }
  });
});

describe("fixtures/failing-tests through `rampart test`", () => {
  it("has an RP8901 case", () => assert.ok(failingTests.has("RP8901")));
  for (const [code, file] of [...failingTests].flatMap(([c, fs]) =>
    fs.map((f) => [c, f] as const),
  )) {
    it(`${file}: exits 1 with the expected and actual decision and the trace`, () => {
      const r = spawnSync(process.execPath, [join(root, "src", "cli", "bin.js"), "test", file], {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /^FAIL {2}.+$/m);
      assert.match(r.stdout, /^\s+--> fixtures\/failing-tests\/.+:\d+:\d+$/m);
      assert.match(r.stdout, /^\s+expected: .+$/m);
      assert.match(r.stdout, /^\s+actual: .+$/m);
      assert.match(r.stdout, /^\s+trace:$/m);
      assert.match(r.stdout, /\d+ passed, [1-9]\d* failed/);
    });

    it(`${file}: reports ${code} in SARIF at the failing test`, async () => {
      const r = await runCli(["test", "--format", "sarif", file], [file]);
      assert.equal(r.status, 1);
      const failures = checkSarif(r.stdout).filter((x) => x.ruleId === code);
      assert.ok(failures.length > 0, `a failed test is an ${code} result`);
      for (const failure of failures) {
        const region = failure.locations?.[0]?.physicalLocation.region;
        assert.ok(region !== undefined, `${code} points at the test`);
        const line = readFileSync(join(root, file), "utf8").split("\n")[region.startLine - 1];
        assert.match(line ?? "", /^test "/);
      }
    });
  }
});

describe("`rampart explain` with a malformed request (RP8902)", () => {
  it("exits 1 and underlines the bad field of the request", async () => {
    const policy = "fixtures/policies/acme.rampart";
    const request = '{"url": "https://api.acme.test/v1/status", "client_ip": 203}';
    const r = await runCli(["explain", policy, "--request", request], [policy]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const column = request.indexOf("203") + 1;
    assert.match(
      r.stdout,
      new RegExp(`error\\[RP8902\\]: [^\\n]*client_ip[^\\n]*\\n\\s*--> <request>:1:${column}\\n`),
    );
    assert.match(
      r.stdout,
      new RegExp(`\\n\\s*\\| {${column}}\\^{3}\\n`),
      "the caret underlines `203`",
    );
  });
});
