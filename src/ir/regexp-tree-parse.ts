/**
 * regexp-tree's parser, loaded on its first use: most policies have no regular expression,
 * and the package is ~44 modules, ~7 % of a small command's start-up when it was imported
 * with the rest (BENCHMARKS.md, "Start-up").
 */
import { createRequire } from "node:module";
import type RegexpTree from "regexp-tree";
import type { AstRegExp } from "regexp-tree/ast";

let regexpTree: typeof RegexpTree | undefined;

/** `regexpTree.parse`: the AST of a compiled regex. */
export function parseRegexAst(regex: RegExp): AstRegExp {
  // SAFETY: the package's CommonJS export is the object its typings describe.
  regexpTree ??= createRequire(import.meta.url)("regexp-tree") as typeof RegexpTree;
  return regexpTree.parse(regex);
}
