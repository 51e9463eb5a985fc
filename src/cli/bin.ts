#!/usr/bin/env node
// The `rampart` executable. Runs on Node 24 (TypeScript type stripping; pinned in devDependencies).
import { main } from "./main.ts";
import { processIo } from "./io.ts";

process.exitCode = await main(process.argv.slice(2), processIo());
