// One cold start of a proxy's load path, in a fresh process: import the entries named on the
// command line, then `loadBundle` the bundle. Prints JSON: milliseconds from process start to
// the imports done, `loadBundle`'s own milliseconds, peak RSS, and modules loaded. Plain
// JavaScript, so the script itself loads no type stripper. Run by decide-entry.ts.
import module from "node:module";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

let modules = 0;
module.registerHooks({
  resolve(specifier, context, next) {
    modules++;
    return next(specifier, context);
  },
});
const [bundleFile, loaderFile, ...others] = process.argv.slice(2);
for (const other of others) await import(pathToFileURL(other).href);
const { loadBundle } = await import(pathToFileURL(loaderFile).href);
const importedMs = performance.now();
const text = readFileSync(bundleFile, "utf8");
const start = performance.now();
const loaded = loadBundle(text);
const loadMs = performance.now() - start;
if (loaded.value === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
const maxRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ importedMs, loadMs, maxRssMb, modules }));
