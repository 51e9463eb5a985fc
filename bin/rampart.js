#!/usr/bin/env node
// The package's `rampart` command. In a checkout it runs the TypeScript sources (src/cli/bin.js
// imports them); installed from npm, where only the build ships, it runs dist/. Both entries
// check the Node.js version before anything else.

// `node:fs` as its plain object (not its ES module namespace, which loads Node's file streams and
// promises: ~60 M instructions in a start that a batch command's relaunch throws away). An old
// Node without `getBuiltinModule` imports it, to reach the entry's message naming the Node needed.
const { existsSync } = process.getBuiltinModule?.("node:fs") ?? (await import("node:fs"));

const inCheckout = existsSync(new URL("../src/cli/main.ts", import.meta.url));
await import(inCheckout ? "../src/cli/bin.js" : "../dist/src/cli/bin.js");
