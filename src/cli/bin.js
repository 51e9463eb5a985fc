#!/usr/bin/env node
// The `rampart` executable. Runs on Node 24 (TypeScript type stripping; pinned in devDependencies).
// Plain JavaScript: a TypeScript entry loads Node's type stripper on every run, before the
// compile cache below is on to spare the rest of the CLI from it (~40 ms and ~17 MB a run).
import module from "node:module";

// Keep compiled code, and the TypeScript stripped of its types, between runs (in the OS temp
// folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off): it halves the start-up of a command.
// Enabled before the rest of the CLI is imported, so that all of it is cached.
module.enableCompileCache();

// A one-shot command runs again with a young generation sized for it (see batch-heap.ts),
// before anything else is loaded; the call returns only when the command runs as started.
const { relaunchForBatch } = await import("./batch-heap.ts");
relaunchForBatch();

const { main } = await import("./main.ts");
const { drainOutput, ignoreClosedOutput, processIo } = await import("./io.ts");

ignoreClosedOutput();
const exitCode = await main(process.argv.slice(2), processIo());
// Exit explicitly: once a command is done (a server closed gracefully), nothing left in the
// event loop (idle keep-alive timers, file watchers) may keep the process alive. But only once
// its output is out: writes to a pipe are asynchronous.
await drainOutput();
process.exit(exitCode);
