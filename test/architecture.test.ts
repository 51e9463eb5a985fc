// The invariants ARCHITECTURE.md states that a machine can check: the code map covers every
// folder, the pipeline is the one documented, the runtime's import graph holds no parser and
// no interpreter, every Decision is built by the shared verdict constructors, a reload swaps
// state in one assignment, and the SAFETY rule for casts reports what it should.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { Linter } from "eslint";
import tseslint from "typescript-eslint";
// @ts-expect-error -- eslint.config.js is plain JavaScript, with no declarations to read
import { safety } from "../eslint.config.js";
import { STAGE_NAMES } from "../src/pipeline.ts";

const root = join(import.meta.dirname, "..");
const architecture = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

// Value imports only: `import type` and `export type` are erased before the code runs.
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The modules a file imports: relative ones resolved to paths, bare ones as package names. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(file, "utf8");
  const files: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    if (spec === undefined) continue;
    if (spec.startsWith(".")) files.push(resolve(dirname(file), spec));
    else packages.push(spec);
  }
  return { files, packages };
}

/** Every file and package reachable by imports from `entries`. */
function importClosure(entries: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    // Strings that look like imports inside generated text (a browser script) name no file.
    if (files.has(file) || !/\.(ts|js)$/.test(file) || !existsSync(file)) continue;
    files.add(file);
    const found = importsOf(file);
    for (const p of found.packages) packages.add(p);
    queue.push(...found.files);
  }
  return { files, packages };
}

describe("ARCHITECTURE.md stays true", () => {
  it("its code map names every folder and top-level file of src/, and grammar/", () => {
    const headings = architecture.split("\n").filter((l) => l.startsWith("### "));
    const named = (path: string): boolean => headings.some((h) => h.includes(`\`${path}\``));
    assert.ok(named("grammar/"), "grammar/ has a heading");
    for (const entry of readdirSync(join(root, "src"))) {
      const isDir = statSync(join(root, "src", entry)).isDirectory();
      const path = isDir ? `src/${entry}/` : `src/${entry}`;
      assert.ok(named(path), `ARCHITECTURE.md's code map has a heading for \`${path}\``);
    }
  });

  it("its pipeline is the stage list of src/pipeline.ts, in order", () => {
    const drawn = [...architecture.matchAll(/^ {3}│ {2}(\w+) /gm)].map((m) => m[1]);
    assert.deepEqual(drawn, [...STAGE_NAMES]);
  });

  it("the runtime reaches no parser, no Chevrotain and no interpreter through its imports", () => {
    const runtime = sourceFiles(join(root, "src", "runtime"));
    const { files, packages } = importClosure(runtime);
    const forbidden = [...files]
      .map((f) => relative(root, f))
      .filter((f) => /^(grammar\/|src\/syntax\/|src\/interpret\/)/.test(f));
    assert.deepEqual(forbidden, [], "runtime imports reach the parser or the interpreter");
    assert.ok(!packages.has("chevrotain"), "the runtime's import graph holds Chevrotain");
    assert.ok(files.size > runtime.length, "the walk followed imports out of the runtime");
  });

  it("every Decision and HandshakeDecision is built in the shared verdict constructors", () => {
    const files = sourceFiles(join(root, "src"));
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2024,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      types: ["node"],
    });
    const checker = program.getTypeChecker();
    const builders = new Set<string>();
    const decisionTypes = new Set(["Decision", "HandshakeDecision"]);
    for (const file of program.getSourceFiles()) {
      if (!file.fileName.startsWith(join(root, "src"))) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isObjectLiteralExpression(node)) {
          const type = checker.getContextualType(node);
          const name = type?.aliasSymbol?.name ?? type?.getSymbol()?.name;
          if (name !== undefined && decisionTypes.has(name)) {
            builders.add(relative(root, file.fileName));
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    assert.deepEqual([...builders].sort(), [
      "src/bounds/handshake-verdicts.ts",
      "src/bounds/verdicts.ts",
      // The one exception, on the hot path: the compiled forwarder re-spells the result of
      // `forwardVerdict` field by field, after checking it has exactly that constructor's keys.
      "src/compile/tunnel/request.ts",
    ]);
  });

  it("a reload swaps the serving state in one assignment", () => {
    const assignments = sourceFiles(join(root, "src", "runtime")).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/this\.state\s*=(?!=)/g)].map(() =>
        relative(root, file),
      ),
    );
    assert.deepEqual(assignments, ["src/runtime/server.ts"]);
  });
});

describe("the SAFETY rule for casts (eslint.config.js)", () => {
  const linter = new Linter({ configType: "flat" });
  const config = [
    {
      files: ["**/*.ts"],
      languageOptions: { parser: tseslint.parser },
      plugins: { safety },
      rules: { "safety/unchecked-assertion-needs-reason": "error" as const },
    },
  ];
  const findings = (code: string): string[] =>
    linter.verify(code, config, "x.ts").map((m) => `${m.line}:${m.ruleId ?? m.message}`);

  it("reports `as string`, `as number` and `!` without a reason", () => {
    const code = [
      "declare const a: unknown[];",
      "const s = a[0] as string;",
      "const n = a[1] as number;",
      "const m = new Map<string, number>();",
      "const v = m.get('k')!;",
    ].join("\n");
    assert.deepEqual(findings(code), [
      "2:safety/unchecked-assertion-needs-reason",
      "3:safety/unchecked-assertion-needs-reason",
      "5:safety/unchecked-assertion-needs-reason",
    ]);
  });

  it("accepts a SAFETY line above the statement or at the end of the line", () => {
    const code = [
      "declare const a: string[];",
      "// SAFETY: a is never empty here.",
      "const s = a[0] as string;",
      "const t = a[0] as string; // SAFETY: as above.",
      "const u = {",
      "  // SAFETY: a has two entries.",
      "  second: a[1] as string,",
      "};",
    ].join("\n");
    assert.deepEqual(findings(code), []);
  });

  it("leaves other casts and `as const` alone", () => {
    assert.deepEqual(findings("const x = [1] as const;\nconst y = {} as Record<string, 1>;"), []);
  });
});
