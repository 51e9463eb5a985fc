/**
 * Loads one bundle in a fresh process and prints the milliseconds `loadBundle` took: the
 * figure a runtime pays at start-up, with nothing warmed up yet. Run by compile.bench.ts.
 */
import { readFileSync } from "node:fs";
import { loadBundle } from "../../src/compile/load-bundle.ts";

const file = process.argv[2];
if (file === undefined) throw new Error("usage: node test/bench/load-once.ts BUNDLE");
const text = readFileSync(file, "utf8");
const start = process.hrtime.bigint();
const loaded = loadBundle(text);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
if (loaded.value === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
console.log(ms.toFixed(1));
