/**
 * `regexp-tree`'s regex parser, without the rest of the package. Its entry point also loads
 * the optimizer, transpiler, generator and interpreter, ~40 ms of CPU on every command that
 * lowers a policy (lowering checks regexes), where the parser alone loads in ~15 ms; `parse`
 * is all the project uses. The entry point's `parse` is this one (it calls the same function
 * with the regex as a string).
 */
import parser from "regexp-tree/dist/parser/index.js";

/**
 * The `regexp-tree` AST of `regex` (its source and flags): the root, whose `body` is the
 * pattern's tree. Throws on syntax it cannot read.
 */
export function parseRegexAst(regex: RegExp): { readonly body: unknown } {
  // As the entry point does: the regex literal as text (`/source/flags`).
  return parser.parse(`${regex}`);
}
