/**
 * Chevrotain, as the rest of the project imports it (`import type` from "chevrotain" is fine).
 *
 * Loaded on first use, not at import: a valid policy read by the DSL's direct path, a JSON
 * policy and most commands never need it (its one-file build alone was a tenth of a one-line
 * `rampart lint`). It loads synchronously (`require` of an ES module), since the parse that
 * falls back to it is synchronous.
 *
 * The package's entry point is an ES module graph of ~700 files, because it imports lodash-es
 * one function at a time: loading it took ~230 ms of every `rampart` run. The same package
 * publishes the same code as one file, `lib/chevrotain.mjs`, which loads in ~15 ms. Its
 * `exports` map does not name that file, so it is found next to the entry point (and the
 * entry point is loaded instead if it is ever missing).
 *
 * Everything must come from this one copy: token types carry indexes from the copy that
 * numbered them (grammar/token-types.ts), and `EOF` is compared by identity. ESLint forbids
 * value imports of "chevrotain" elsewhere.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as ChevrotainModule from "chevrotain";
import type { TokenType } from "chevrotain";
import { NOT_APPLICABLE, registerTokenTypes } from "./token-types.ts";

type Chevrotain = typeof ChevrotainModule;

let loaded: Chevrotain | undefined;

/** Chevrotain, loaded (and told of the language's token types) on the first call. */
export function chevrotain(): Chevrotain {
  if (loaded !== undefined) return loaded;
  const module = loadOneFileBuild();
  registerTokenTypes(module);
  Object.setPrototypeOf(
    LazyEmbeddedActionsParser.prototype,
    module.EmbeddedActionsParser.prototype,
  );
  Object.setPrototypeOf(LazyEmbeddedActionsParser, module.EmbeddedActionsParser);
  EOF = module.EOF;
  loaded = module;
  return module;
}

/** The one-file build; the entry point if a Chevrotain release ever ships without it. */
function loadOneFileBuild(): Chevrotain {
  const require = createRequire(import.meta.url);
  const bundle = new URL("../chevrotain.mjs", import.meta.resolve("chevrotain"));
  try {
    return require(fileURLToPath(bundle)) as Chevrotain;
  } catch {
    return require("chevrotain") as Chevrotain;
  }
}

/**
 * The end-of-input token type: Chevrotain's own once it has loaded. Before that, a stand-in
 * with its name and pattern, so that tables built at import time (the diagnostics' lookups of
 * a token type by name) can list it: they are only read while reporting a parse error, by
 * name, and a parse error means Chevrotain has loaded. Anything compared with a token
 * Chevrotain made reads this binding then, and gets Chevrotain's.
 */
export let EOF: TokenType = {
  name: "EOF",
  PATTERN: NOT_APPLICABLE,
  CATEGORIES: [],
  tokenTypeIdx: 1,
  categoryMatches: [],
  categoryMatchesMap: {},
  isParent: false,
};

/**
 * Chevrotain's `EmbeddedActionsParser`, for a parser class declared at import time without
 * loading Chevrotain: constructing the subclass loads it and builds the instance with
 * Chevrotain's own constructor; the subclass reaches Chevrotain's methods through this class's
 * prototype, which `chevrotain()` links to Chevrotain's.
 */
class LazyEmbeddedActionsParser {
  constructor(...args: unknown[]) {
    const base = chevrotain().EmbeddedActionsParser;
    // SAFETY: `new.target` is the subclass being constructed, whose prototype chain runs
    // through this class's prototype to Chevrotain's (linked by the call above).
    return Reflect.construct(base, args, new.target) as LazyEmbeddedActionsParser;
  }
}

// SAFETY: an instance is made by Chevrotain's constructor and has its prototype chain (above).
export const EmbeddedActionsParser =
  LazyEmbeddedActionsParser as unknown as Chevrotain["EmbeddedActionsParser"];
