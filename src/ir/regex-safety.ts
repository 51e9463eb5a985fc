/**
 * The safe regex subset for token path filters (SPEC S-T5). A token's regex runs on every
 * request it presents, so only patterns that V8's backtracking engine runs in (near) linear
 * time are accepted. Checked on the `regexp-tree` AST:
 *
 * - source length at most 512;
 * - no backreferences (numbered or named) and no lookahead or lookbehind;
 * - no repetition (max > 1) of a part that itself holds a variable-count quantifier
 *   (`(a+)+`, `(a|b*){2,5}`), nor of a part that can match the empty string;
 * - no unbounded repetition of an alternation whose branches can start with the same
 *   character (`(a|ab)*`);
 * - no two unbounded quantifiers over overlapping characters that can sit next to each other
 *   (`\d+\d*`, `.*.*`), which backtrack polynomially.
 *
 * Anything the analysis does not understand is treated as matching any character, so the
 * check only errs on the side of refusing.
 */
import { parseRegexAst } from "./regex-parser.ts";
import { isPlainlySafe } from "./regex-flat.ts";

/** The outcome of checking a regex source. */
export type SafeRegexResult =
  { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly reason: string };

export const MAX_REGEX_LENGTH = 512;

/** Code-point ranges `[lo, hi]`, inclusive. */
type CharSet = readonly (readonly [number, number])[];

const ANY: CharSet = [[0, 0x10ffff]];
const NONE: CharSet = [];
const META: Readonly<Record<string, CharSet>> = {
  "\\d": [[0x30, 0x39]],
  "\\w": [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

/** What the analysis knows about one sub-pattern. */
interface Facts {
  /** Can match the empty string. */
  readonly nullable: boolean;
  /** Holds a quantifier whose count can vary (`*`, `+`, `?`, `{1,3}`). */
  readonly variable: boolean;
  /** Every character it can consume. */
  readonly chars: CharSet;
  /** Characters it can start with. */
  readonly first: CharSet;
}

const EMPTY: Facts = { nullable: true, variable: false, chars: NONE, first: NONE };

class UnsafeRegex extends Error {}

function overlaps(a: CharSet, b: CharSet): boolean {
  return a.some(([alo, ahi]) => b.some(([blo, bhi]) => alo <= bhi && blo <= ahi));
}

// The AST types of regexp-tree miss some node kinds (UnicodeProperty), so nodes are read
// through this loose shape and unknown kinds fall back to "any character".
/** A regexp-tree AST node read loosely. */
export interface RegexAstNode {
  readonly type: string;
  readonly [key: string]: unknown;
}

function charSet(node: RegexAstNode): CharSet {
  if (node.type === "Char") {
    // SAFETY: regexp-tree gives every `Char` node its source text as a string `value`.
    const meta = META[node.value as string];
    if (meta !== undefined) return meta;
    const cp = node.codePoint;
    return typeof cp === "number" && node.kind !== "meta" ? [[cp, cp]] : ANY;
  }
  if (node.type === "ClassRange") {
    const from = (node.from as RegexAstNode).codePoint;
    const to = (node.to as RegexAstNode).codePoint;
    return typeof from === "number" && typeof to === "number" ? [[from, to]] : ANY;
  }
  if (node.type === "CharacterClass" && node.negative !== true) {
    return (node.expressions as RegexAstNode[]).flatMap((e) => charSet(e));
  }
  return ANY;
}

/** The repetition bounds `[min, max]` of a regexp-tree quantifier node. */
export function quantifierBounds(q: RegexAstNode): [number, number] {
  switch (q.kind) {
    case "*":
      return [0, Infinity];
    case "+":
      return [1, Infinity];
    case "?":
      return [0, 1];
    default:
      // SAFETY: a `Range` quantifier always has a numeric `from` (`to` is absent for `{n,}`).
      return [q.from as number, (q.to as number | undefined) ?? Infinity];
  }
}

/** Flattens nested disjunctions into their branches (a null branch is the empty pattern). */
function branches(node: RegexAstNode | null): (RegexAstNode | null)[] {
  if (node !== null && node.type === "Disjunction") {
    return [
      ...branches(node.left as RegexAstNode | null),
      ...branches(node.right as RegexAstNode | null),
    ];
  }
  if (node !== null && node.type === "Group")
    return branches(node.expression as RegexAstNode | null);
  return [node];
}

function analyzeRepetition(node: RegexAstNode): Facts {
  const inner = analyze(node.expression as RegexAstNode);
  const [min, max] = quantifierBounds(node.quantifier as RegexAstNode);
  if (max > 1 && inner.variable) {
    throw new UnsafeRegex("a repeated group holds a quantifier of its own (nested quantifiers)");
  }
  if (max > 1 && inner.nullable) {
    throw new UnsafeRegex("a repeated part can match the empty string");
  }
  if (max === Infinity) {
    const alternatives = branches(node.expression as RegexAstNode).map((b) =>
      b === null ? EMPTY : analyze(b),
    );
    for (const [i, a] of alternatives.entries()) {
      if (alternatives.slice(i + 1).some((b) => overlaps(a.first, b.first))) {
        throw new UnsafeRegex(
          "a repeated alternation has branches that start with the same character",
        );
      }
    }
  }
  return {
    nullable: min === 0 || inner.nullable,
    variable: min !== max || inner.variable,
    chars: inner.chars,
    first: inner.first,
  };
}

function isUnboundedRepetition(node: RegexAstNode): boolean {
  return (
    node.type === "Repetition" && quantifierBounds(node.quantifier as RegexAstNode)[1] === Infinity
  );
}

function analyzeSequence(nodes: readonly RegexAstNode[]): Facts {
  const facts = nodes.map((n) => analyze(n));
  for (const [i, node] of nodes.entries()) {
    if (!isUnboundedRepetition(node)) continue;
    // Look past parts that can match nothing: `\d+x?\d+` is as ambiguous as `\d+\d+`.
    for (let j = i + 1; j < nodes.length; j++) {
      const next = nodes[j] as RegexAstNode;
      const nextFacts = facts[j] as Facts;
      if (isUnboundedRepetition(next) && overlaps((facts[i] as Facts).chars, nextFacts.chars)) {
        throw new UnsafeRegex(
          "two unbounded quantifiers over the same characters follow each other",
        );
      }
      if (!nextFacts.nullable) break;
    }
  }
  let first: CharSet = NONE;
  for (const f of facts) {
    first = [...first, ...f.first];
    if (!f.nullable) break;
  }
  return {
    nullable: facts.every((f) => f.nullable),
    variable: facts.some((f) => f.variable),
    chars: facts.flatMap((f) => f.chars),
    first,
  };
}

function analyze(node: RegexAstNode | null): Facts {
  if (node === null) return EMPTY;
  switch (node.type) {
    case "Alternative":
      return analyzeSequence(node.expressions as RegexAstNode[]);
    case "Disjunction": {
      const parts = branches(node).map((b) => analyze(b));
      return {
        nullable: parts.some((p) => p.nullable),
        variable: parts.some((p) => p.variable),
        chars: parts.flatMap((p) => p.chars),
        first: parts.flatMap((p) => p.first),
      };
    }
    case "Group":
      return analyze(node.expression as RegexAstNode | null);
    case "Repetition":
      return analyzeRepetition(node);
    case "Backreference":
      throw new UnsafeRegex("backreferences are not allowed");
    case "Assertion":
      if (node.kind === "Lookahead" || node.kind === "Lookbehind") {
        throw new UnsafeRegex("lookahead and lookbehind are not allowed");
      }
      return EMPTY;
    default: {
      const chars = charSet(node);
      return { nullable: false, variable: false, chars, first: chars };
    }
  }
}

/**
 * Checks that a regex source is in the safe subset and compiles it with the `u` flag.
 * Never throws: a syntax error or an unsafe construct is a reason.
 */
export function checkSafeRegex(source: string): SafeRegexResult {
  // Many grants and tokens repeat the same pattern; the check is pure, so its result is
  // cached (bounded). Sharing the RegExp is safe: it has no `g` or `y` flag, so no state.
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const result = checkUncached(source);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(source, result);
  return result;
}

const MAX_CACHED = 4096;
const cache = new Map<string, SafeRegexResult>();

function checkUncached(source: string): SafeRegexResult {
  if (source.length > MAX_REGEX_LENGTH) {
    return { ok: false, reason: `the regex is longer than ${MAX_REGEX_LENGTH} characters` };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, "u");
  } catch (error) {
    return { ok: false, reason: `the regex does not parse: ${(error as Error).message}` };
  }
  // HOT PATH: the AST parser costs ~100 µs a pattern; flat patterns rarely need it.
  if (isPlainlySafe(source)) return { ok: true, regex };
  const reason = unsafeReason(regex);
  return reason === null ? { ok: true, regex } : { ok: false, reason };
}

/**
 * The full check on the `regexp-tree` AST of a compiled `u`-flag regex: why it is unsafe, or
 * `null`. `checkSafeRegex` skips it for flat patterns that are plainly safe; tests use it to
 * check that shortcut.
 */
export function unsafeReason(regex: RegExp): string | null {
  try {
    analyze(parseRegexAst(regex).body as unknown as RegexAstNode | null);
    return null;
  } catch (error) {
    if (error instanceof UnsafeRegex) return error.message;
    // regexp-tree lags behind V8 on new syntax; what it cannot read, we do not accept.
    return "the regex uses syntax outside the supported subset";
  }
}
