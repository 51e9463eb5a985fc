/**
 * Chevrotain, as the rest of the project imports it (`import type` from "chevrotain" is fine).
 *
 * The package's entry point is an ES module graph of ~700 files, because it imports lodash-es
 * one function at a time: loading it took ~230 ms of every `rampart` run. The same package
 * publishes the same code as one file, `lib/chevrotain.mjs`, which loads in ~15 ms. Its
 * `exports` map does not name that file, so it is found next to the entry point (and the
 * entry point is loaded instead if it is ever missing).
 *
 * Everything must come from this one copy: token types carry indexes from the copy that
 * created them, and `EOF` is compared by identity. ESLint forbids value imports of
 * "chevrotain" elsewhere.
 */
import type * as ChevrotainModule from "chevrotain";

/** The one-file build; the entry point if a Chevrotain release ever ships without it. */
async function loadChevrotain(): Promise<typeof ChevrotainModule> {
  const bundle = new URL("../chevrotain.mjs", import.meta.resolve("chevrotain"));
  try {
    return (await import(bundle.href)) as typeof ChevrotainModule;
  } catch {
    return (await import("chevrotain")) as typeof ChevrotainModule;
  }
}

const chevrotain = await loadChevrotain();

export const { createSyntaxDiagramsCode, createToken, EmbeddedActionsParser, EOF, Lexer, VERSION } =
  chevrotain;
