/**
 * The public surface of every package entry as a reviewed report (`api/*.api.md`), written by
 * API Extractor from the built declarations (dist/: `npm run api:update` builds first).
 *
 *   node scripts/api-report.ts           checks: exits 1 when a report differs from dist/
 *   node scripts/api-report.ts --update  rewrites the reports from dist/
 *
 * test/package/api-report.test.ts checks the reports against declarations built afresh.
 *
 * A new entry is one line in ENTRIES (and its `exports` line in package.json).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import type { IConfigFile } from "@microsoft/api-extractor";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Report name → the entry's declarations, relative to the build folder. */
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
    mainEntryPointFilePath: entry,
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

/**
 * Runs API Extractor on every entry of the declarations in `buildDir`; returns the names whose
 * report differs from api/ (rewritten when `update`).
 */
export function checkReports(buildDir: string, update: boolean): string[] {
  mkdirSync(join(root, ".tmp", "api"), { recursive: true });
  const changed: string[] = [];
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const config = ExtractorConfig.prepare({
      configObject: configFor(name, join(buildDir, entry)),
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
  const changed = checkReports(join(root, "dist"), update);
  if (changed.length > 0 && !update) {
    console.error(
      `The public API changed (${changed.join(", ")}); review it and run \`${UPDATE_COMMAND}\`.`,
    );
    process.exit(1);
  }
  console.log(update ? "api/ reports written" : "api/ reports match the build");
}
