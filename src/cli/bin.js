#!/usr/bin/env node
// The `rampart` executable. Plain JavaScript: a TypeScript entry loads Node's type stripper on
// every run, before the compile cache below is on to spare the rest of the CLI from it (~40 ms
// and ~17 MB a run). In the repository it runs the `.ts` sources beside it (Node 24 strips
// their types); in the installed package, the compiled `.js` beside it (dist/src/cli/).

// First, before anything that an older Node lacks: one line saying what is needed, no stack
// trace. Kept equal to package.json's `engines.node` by test/package/manifest.test.ts.
const NODE_MAJOR_NEEDED = 24;
if (Number(process.versions.node.split(".")[0]) < NODE_MAJOR_NEEDED) {
  process.stderr.write(
    `rampart: needs Node.js ${NODE_MAJOR_NEEDED} or newer; this is Node.js ${process.versions.node}\n`,
  );
  process.exit(2);
}

// Node's built-ins as their plain objects: `import` of one builds its ES module namespace, which
// reads every export, and `node:fs`'s getters load Node's file streams and promises (~60 M
// instructions). A relaunched command pays that in the start that `execve` then throws away.
const module = process.getBuiltinModule("node:module");
const { existsSync } = process.getBuiltinModule("node:fs");

// Keep compiled code, and the TypeScript stripped of its types, between runs (in the OS temp
// folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off): it halves the start-up of a command.
// Enabled before the rest of the CLI is imported, so that all of it is cached.
module.enableCompileCache();

// The sources in the repository, the compiled files in the package.
const ext = existsSync(new URL("./main.ts", import.meta.url)) ? ".ts" : ".js";

// A one-shot command runs again with a young generation sized for it (see batch-heap.ts),
// before anything else is loaded; the call returns only when the command runs as started.
const { relaunchForBatch } = await import(`./batch-heap${ext}`);
relaunchForBatch();

// The installed package runs the CLI bundled into a few files (scripts/bundle-cli.ts) when the
// build made them: loading ~200 modules one by one was a third of a command's start-up.
const bundled = new URL("../../cli/rampart-cli.js", import.meta.url);
// The bundle is written without the sources' layout (scripts/bundle-cli.ts): a `--debug` stack
// trace (of a bug) names the sources' lines through its source maps, read only then. Turned on
// before the bundle loads, since Node notes a module's source map as it loads it.
if (process.argv.includes("--debug")) module.setSourceMapsSupport(true);
const entry = ext === ".js" && existsSync(bundled) ? bundled.href : `./entry${ext}`;
const { drainOutput, ignoreClosedOutput, main, processIo } = await import(entry);

ignoreClosedOutput();
const exitCode = await main(process.argv.slice(2), processIo());
// Exit explicitly: once a command is done (a server closed gracefully), nothing left in the
// event loop (idle keep-alive timers, file watchers) may keep the process alive. But only once
// its output is out: writes to a pipe are asynchronous.
await drainOutput();
process.exit(exitCode);
