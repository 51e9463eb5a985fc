/**
 * The runtime has Node choose its async-context implementation before any tick (issue #20
 * item 1, ops/async-context.ts): a choice made after the HTTPS listener's start-up ticks left
 * the optimized tick loop loading `exchange`/`set` generically for the life of the process.
 * Choosing early changes what V8 compiles, not what async context does.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { AsyncLocalStorage } from "node:async_hooks";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import "../../src/runtime/ops/async-context.ts";

const MODULE = pathToFileURL(
  join(import.meta.dirname, "../../src/runtime/ops/async-context.ts"),
).href;

/**
 * In a fresh process: the prototype of Node's internal async-context class before the
 * runtime's module is loaded and once it is, with no tick or timer between.
 */
function frameClassesAroundLoad(): { before: string; loaded: string } {
  const script = `
    import { createRequire } from "node:module";
    const frame = createRequire(import.meta.url)("internal/async_context_frame");
    const before = Object.getPrototypeOf(frame).name;
    await import(${JSON.stringify(MODULE)});
    console.log(JSON.stringify({ before, loaded: Object.getPrototypeOf(frame).name }));
  `;
  const out = execFileSync(
    process.execPath,
    ["--expose-internals", "--input-type=module", "-e", script],
    { encoding: "utf8" },
  );
  return JSON.parse(out) as { before: string; loaded: string };
}

describe("the async-context choice made as the runtime loads (issue #20)", () => {
  it("makes Node swap its async-context class before any tick runs, not at the first timer", () => {
    // Loading the module makes the choice, before anything that starts the runtime ticks.
    assert.deepEqual(frameClassesAroundLoad(), {
      before: "InactiveAsyncContextFrame",
      loaded: "ActiveAsyncContextFrame",
    });
  });

  it("leaves async context as it was: a store reaches ticks, immediates, timers and promises", async () => {
    const storage = new AsyncLocalStorage<string>();
    const seen = await storage.run("request-1", async () => {
      const tick = await new Promise<string | undefined>((resolve) =>
        process.nextTick(() => resolve(storage.getStore())),
      );
      const immediate = await new Promise<string | undefined>((resolve) =>
        setImmediate(() => resolve(storage.getStore())),
      );
      const timer = await new Promise<string | undefined>((resolve) =>
        setTimeout(() => resolve(storage.getStore()), 1),
      );
      await Promise.resolve();
      return { tick, immediate, timer, promise: storage.getStore() };
    });
    assert.deepEqual(seen, {
      tick: "request-1",
      immediate: "request-1",
      timer: "request-1",
      promise: "request-1",
    });
    assert.equal(storage.getStore(), undefined, "the store ends with run()");
  });
});
