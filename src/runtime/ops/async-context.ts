/**
 * Makes Node choose its async-context implementation before the runtime runs any tick.
 *
 * Node 24 chooses lazily: the first read of whether async context frames are enabled (the
 * first timer cleared, or the first read of `AsyncLocalStorage`) swaps the prototype of the
 * internal class whose static `exchange` and `set` every tick, immediate and timer callback
 * calls. When more than a few ticks ran before that swap — the HTTPS listener's start-up runs
 * enough — V8's feedback at those calls holds both prototypes' methods, so the optimized tick
 * loop (`processTicksAndRejections`, `processImmediate`) never inlines them and loads them
 * generically for the whole life of the process: ~25 generic property loads per proxied HTTPS
 * request (BENCHMARKS.md, fourteenth session, h20-loadic). Reading `AsyncLocalStorage` is the
 * public way to make Node choose; what it chooses is unchanged.
 */

/** Has Node choose its async-context implementation now (idempotent, no other effect). */
export function settleAsyncContext(): void {
  // Node's plain module object: the getter is what makes the choice; its value (a class) is
  // not needed here.
  void process.getBuiltinModule("node:async_hooks").AsyncLocalStorage;
}

// Chosen as the runtime is loaded, before the ticks of whatever starts it (the CLI reading
// and checking its policy): that is when h20-loadic measured the gain. `startRuntime` calls it
// again, for a runtime loaded long before it starts; the second call changes nothing.
settleAsyncContext();
