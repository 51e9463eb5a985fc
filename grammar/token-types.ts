/**
 * Token types made without Chevrotain: the objects `createToken` makes (name, pattern,
 * categories, `tokenTypeIdx`, the category maps), built here so that a policy read by the
 * DSL's direct path, which only compares token types and reads their indexes, never loads
 * Chevrotain. Loading it and creating the policy language's ~130 token types through it was
 * a quarter of a one-line `rampart lint` (BENCHMARKS.md, "Start-up, eleventh session"):
 * `createToken` folds each new keyword into every category again, quadratic in `Word`.
 *
 * When Chevrotain loads (grammar/chevrotain.ts), `registerTokenTypes` tells it of these types
 * at the indexes given here, so its lexer and parser take them as if it had made them.
 *
 * This mirrors `createToken`'s bookkeeping, so package.json pins Chevrotain's exact version: an
 * upgrade is a reviewed change that `test/grammar/token-types.test.ts` checks.
 */
import type * as ChevrotainModule from "chevrotain";
import type { TokenPattern, TokenType } from "chevrotain";

/**
 * A category's pattern (Chevrotain's `Lexer.NA`): Chevrotain compares it by identity, so it is
 * replaced by Chevrotain's own object when Chevrotain loads.
 */
export const NOT_APPLICABLE = /NOT_APPLICABLE/;

/** Chevrotain's `Lexer.SKIPPED` (compared by value): the group of tokens the lexer drops. */
export const SKIPPED =
  "This marks a skipped Token pattern, this means each token identified by it will be consumed and then thrown into oblivion, this can be used to for example to completely ignore whitespace.";

/**
 * The index of the first type made here: Chevrotain makes two of its own as it loads (`EOF` 1,
 * its recording-phase token 2). `registerTokenTypes` checks it.
 */
const FIRST_TOKEN_INDEX = 3;

/** What `createToken` takes, as far as the policy language uses it. */
export interface TokenConfig {
  readonly name: string;
  readonly pattern: TokenPattern;
  readonly categories?: TokenType[];
  readonly group?: string;
  readonly longer_alt?: TokenType | TokenType[];
  readonly line_breaks?: boolean;
  readonly start_chars_hint?: string[];
}

/** Every type made here, in the order made (index order). */
const made: TokenType[] = [];

/** Chevrotain once it has loaded and been told of the types made so far. */
let registeredWith: typeof ChevrotainModule | undefined;

/**
 * A token type as `createToken(config)` would make it, numbered in the order of the calls.
 * Its categories (made before it) and theirs list it in their `categoryMatchesMap` and
 * `categoryMatches` (ascending indexes) and become parents, as Chevrotain's own bookkeeping
 * leaves them (`test/grammar/token-types.test.ts` compares the two).
 */
export function defineToken(config: TokenConfig): TokenType {
  const tokenTypeIdx = FIRST_TOKEN_INDEX + made.length;
  // Properties in `createToken`'s order, so the objects have the shape Chevrotain gives them.
  const type: TokenType = { name: config.name, PATTERN: config.pattern };
  // `createToken` sets categories given before numbering the type, and the default after.
  if (config.categories !== undefined) type.CATEGORIES = config.categories;
  type.tokenTypeIdx = tokenTypeIdx;
  type.CATEGORIES ??= [];
  type.categoryMatches = [];
  type.categoryMatchesMap = {};
  type.isParent = false;
  if (config.group !== undefined) type.GROUP = config.group;
  if (config.longer_alt !== undefined) type.LONGER_ALT = config.longer_alt;
  if (config.line_breaks !== undefined) type.LINE_BREAKS = config.line_breaks;
  if (config.start_chars_hint !== undefined) type.START_CHARS_HINT = config.start_chars_hint;
  addToAncestors(tokenTypeIdx, type.CATEGORIES);
  made.push(type);
  if (registeredWith !== undefined) register(registeredWith, type);
  return type;
}

/** Lists a new type in each of its categories, and in theirs, once. */
function addToAncestors(tokenTypeIdx: number, categories: readonly TokenType[]): void {
  for (const category of categories) {
    // SAFETY: every category was made by `defineToken`, which gives it both.
    const map = category.categoryMatchesMap!;
    if (map[tokenTypeIdx] === true) continue;
    map[tokenTypeIdx] = true;
    category.categoryMatches!.push(tokenTypeIdx);
    category.isParent = true;
    addToAncestors(tokenTypeIdx, category.CATEGORIES ?? []);
  }
}

/** Every token type made here, in index order (for the test that compares them with Chevrotain's). */
export function madeTokenTypes(): readonly TokenType[] {
  return made;
}

/**
 * Tells a freshly loaded Chevrotain of every type made here (and, through `defineToken`, of any
 * made later). Chevrotain keeps a table from index to type, which it reads only to rebuild a
 * category's `categoryMatches` (the index of the type at each index): a stand-in type made by
 * Chevrotain at the same index keeps that table, and its next index, in step with ours. Runs
 * before anything else made a type through this Chevrotain.
 */
export function registerTokenTypes(chevrotain: typeof ChevrotainModule): void {
  if (chevrotain.Lexer.SKIPPED !== SKIPPED) {
    throw new Error("this Chevrotain's Lexer.SKIPPED is not the one grammar/token-types.ts has");
  }
  registeredWith = chevrotain;
  for (const type of made) register(chevrotain, type);
}

function register(chevrotain: typeof ChevrotainModule, type: TokenType): void {
  const standIn = chevrotain.createToken({ name: type.name, pattern: chevrotain.Lexer.NA });
  if (standIn.tokenTypeIdx !== type.tokenTypeIdx) {
    throw new Error(
      `Chevrotain numbered token type ${type.name} ${String(standIn.tokenTypeIdx)}, not ${String(type.tokenTypeIdx)}`,
    );
  }
  if (type.PATTERN === NOT_APPLICABLE) type.PATTERN = chevrotain.Lexer.NA;
}
