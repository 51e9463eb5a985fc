/**
 * Loaded for its effect alone (`server.ts` imports it first): makes Node choose its
 * async-context implementation before the runtime runs any tick.
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

// Node's plain module object (an ES module import would build a namespace of every export):
// the getter is what makes the choice, as this module is loaded, before the ticks of whatever
// starts the runtime (the CLI reading and checking its policy), which is when h20-loadic
// measured the gain. Its value (a class) is not needed.
void process.getBuiltinModule("node:async_hooks").AsyncLocalStorage;
