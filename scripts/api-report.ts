/**
 * The public surface of every package entry as a reviewed report (`api/*.api.md`), written by
 * API Extractor from declarations that tsc emits afresh into .tmp/api-declarations (always the
 * same folder, because a report may name a declaration's file).
 *
 *   node scripts/api-report.ts           checks: exits 1 when a report differs
 *   node scripts/api-report.ts --update  rewrites the reports (`npm run api:update`)
 *
 * test/package/api-report.test.ts runs the check. A new entry is one line in ENTRIES (and its
 * `exports` line in package.json).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import type { IConfigFile } from "@microsoft/api-extractor";

const root = fileURLToPath(new URL("..", import.meta.url));
const declarations = join(root, ".tmp", "api-declarations");

/** Report name → the entry's declarations, relative to the declarations folder. */
export const ENTRIES: Readonly<Record<string, string>> = {
  rampart: "src/index.d.ts",
  decide: "src/decide.d.ts",
  runtime: "src/runtime/index.d.ts",
  testing: "src/testkit/index.d.ts",
};

/** What regenerates the reports. */
export const UPDATE_COMMAND = "npm run api:update";

function configFor(name: string, entry: string): IConfigFile {
  return {
    projectFolder: root,
    mainEntryPointFilePath: join(declarations, entry),
    compiler: {
      overrideTsconfig: {
        compilerOptions: { target: "es2024", lib: ["es2024"], types: ["node"], strict: true },
      },
    },
    apiReport: {
      enabled: true,
      reportFileName: `${name}.api.md`,
      reportFolder: join(root, "api"),
      reportTempFolder: join(root, ".tmp", "api"),
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      // Our comments are prose, not strict TSDoc.
      tsdocMessageReporting: { default: { logLevel: "none" } },
      // Types reached from the surface but not exported by name are listed in the report.
      extractorMessageReporting: {
        default: { logLevel: "none", addToApiReportFile: false },
        "ae-forgotten-export": { logLevel: "none", addToApiReportFile: true },
      },
      compilerMessageReporting: { default: { logLevel: "error" } },
    },
  } as IConfigFile;
}

/** Emits the declarations of src/ and grammar/ (tsconfig.build.json) into the fixed folder. */
export function buildDeclarations(): void {
  rmSync(declarations, { recursive: true, force: true });
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const args = ["-p", "tsconfig.build.json", "--emitDeclarationOnly", "--outDir", declarations];
  execFileSync(process.execPath, [tsc, ...args], { cwd: root, stdio: "inherit", timeout: 300_000 });
}

/** Runs API Extractor on every entry; returns the names whose report differs (rewritten when `update`). */
export function checkReports(update: boolean): string[] {
  mkdirSync(join(root, ".tmp", "api"), { recursive: true });
  const changed: string[] = [];
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const config = ExtractorConfig.prepare({
      configObject: configFor(name, entry),
      configObjectFullPath: join(root, "api", "api-extractor.json"),
      packageJsonFullPath: join(root, "package.json"),
    });
    const result = Extractor.invoke(config, {
      localBuild: update,
      showVerboseMessages: false,
      // Its notes go to the console only when they are errors.
      messageCallback: (message) => {
        if (message.logLevel !== "error") message.handled = true;
      },
    });
    if (result.errorCount > 0) throw new Error(`API Extractor failed on ${entry}`);
    if (result.apiReportChanged) changed.push(name);
  }
  return changed;
}

if (import.meta.main) {
  const update = process.argv.includes("--update");
  buildDeclarations();
  const changed = checkReports(update);
  if (changed.length > 0 && !update) {
    console.error(
      `The public API changed (${changed.join(", ")}); review it and run \`${UPDATE_COMMAND}\`.`,
    );
    process.exit(1);
  }
  console.log(update ? "api/ reports written" : "api/ reports match the sources");
}
