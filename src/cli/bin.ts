#!/usr/bin/env node
// The `rampart` executable. Runs on Node 24 (TypeScript type stripping; pinned in devDependencies).
import { main } from "./main.ts";
import { processIo } from "./io.ts";

// Exit explicitly: once a command is done (a server closed gracefully), nothing left in the
// event loop (idle keep-alive timers, file watchers) may keep the process alive.
process.exit(await main(process.argv.slice(2), processIo()));
