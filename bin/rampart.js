#!/usr/bin/env node
// The package's `rampart` command. In a checkout it runs the TypeScript sources (src/cli/bin.js
// imports them); installed from npm, where only the build ships, it runs dist/. Both entries
// check the Node.js version before anything else.
import { existsSync } from "node:fs";

const inCheckout = existsSync(new URL("../src/cli/main.ts", import.meta.url));
await import(inCheckout ? "../src/cli/bin.js" : "../dist/src/cli/bin.js");
