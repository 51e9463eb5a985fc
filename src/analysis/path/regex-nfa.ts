/**
 * A Thompson NFA built from a `regexp-tree` AST, over the normalized-path alphabet. It
 * covers the regex subset policies may use (S-T5: no backreferences, no lookaround) plus
 * the anchors `^` and `$`; anything else (`\b`, named groups with references, huge counted
 * repetitions) throws `UnsupportedRegex`, and callers then treat the pattern as opaque.
 */
import { parseRegexAst } from "../../ir/regex-parser.ts";
import type { CharSet } from "./char-set.ts";
import { complement, intersect, normalize, PATH_CHARS, single } from "./char-set.ts";
import { quantifierBounds } from "../../ir/regex-safety.ts";
import type { RegexAstNode } from "../../ir/regex-safety.ts";

/** One NFA state: ε-edges, edges taken only at the start or end of input, and char edges. */
export interface NfaState {
  readonly eps: number[];
  readonly atStart: number[];
  readonly atEnd: number[];
  readonly edges: { readonly set: CharSet; readonly to: number }[];
}

/** An NFA with one start and one accepting state. */
export interface Nfa {
  readonly states: readonly NfaState[];
  readonly start: number;
  readonly accept: number;
}

/** The regex uses a construct the analysis does not model exactly. */
export class UnsupportedRegex extends Error {}

/** Counted repetitions are unrolled; past this many copies the regex is treated as opaque. */
const MAX_UNROLLED = 64;

type AnyNode = RegexAstNode;

interface Fragment {
  readonly start: number;
  readonly end: number;
}

const DIGITS: CharSet = [[0x30, 0x39]];
const WORD: CharSet = normalize([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
// No whitespace can appear in a normalized path (it is percent-encoded).
const SPACE: CharSet = [];

class Builder {
  readonly states: NfaState[] = [];

  state(): number {
    this.states.push({ eps: [], atStart: [], atEnd: [], edges: [] });
    return this.states.length - 1;
  }

  at(id: number): NfaState {
    const s = this.states[id];
    if (s === undefined) throw new UnsupportedRegex(`no state ${id}`);
    return s;
  }

  empty(): Fragment {
    const start = this.state();
    const end = this.state();
    this.at(start).eps.push(end);
    return { start, end };
  }

  chars(set: CharSet): Fragment {
    const start = this.state();
    const end = this.state();
    this.at(start).edges.push({ set: intersect(set, PATH_CHARS), to: end });
    return { start, end };
  }

  sequence(parts: readonly Fragment[]): Fragment {
    if (parts.length === 0) return this.empty();
    for (let i = 0; i + 1 < parts.length; i++) {
      this.at((parts[i] as Fragment).end).eps.push((parts[i + 1] as Fragment).start);
    }
    return { start: (parts[0] as Fragment).start, end: (parts[parts.length - 1] as Fragment).end };
  }

  choice(parts: readonly Fragment[]): Fragment {
    const start = this.state();
    const end = this.state();
    for (const p of parts) {
      this.at(start).eps.push(p.start);
      this.at(p.end).eps.push(end);
    }
    return { start, end };
  }

  /** `inner*`: zero or more copies. */
  star(inner: Fragment): Fragment {
    const start = this.state();
    const end = this.state();
    this.at(start).eps.push(inner.start, end);
    this.at(inner.end).eps.push(inner.start, end);
    return { start, end };
  }

  optional(inner: Fragment): Fragment {
    return this.choice([inner, this.empty()]);
  }
}

function charNodeSet(node: AnyNode): CharSet {
  if (node.kind === "meta") {
    switch (node.value) {
      case ".":
        return PATH_CHARS;
      case "\\d":
        return DIGITS;
      case "\\D":
        return complement(DIGITS);
      case "\\w":
        return WORD;
      case "\\W":
        return complement(WORD);
      case "\\s":
        return SPACE;
      case "\\S":
        return PATH_CHARS;
      default:
        throw new UnsupportedRegex(`meta character ${String(node.value)}`);
    }
  }
  if (typeof node.codePoint !== "number")
    throw new UnsupportedRegex("character without a code point");
  return single(node.codePoint);
}

function classSet(node: AnyNode): CharSet {
  const parts = (node.expressions as AnyNode[]).flatMap((e): (readonly [number, number])[] => {
    if (e.type === "ClassRange") {
      const from = (e.from as AnyNode).codePoint;
      const to = (e.to as AnyNode).codePoint;
      if (typeof from !== "number" || typeof to !== "number")
        throw new UnsupportedRegex("class range");
      return [[from, to]];
    }
    return [...charNodeSet(e)];
  });
  const set = normalize(parts);
  return node.negative === true ? complement(set) : set;
}

function buildRepetition(b: Builder, node: AnyNode): Fragment {
  const [min, max] = quantifierBounds(node.quantifier as AnyNode);
  const copies = Math.max(min, max === Infinity ? min : max);
  if (copies > MAX_UNROLLED) throw new UnsupportedRegex("counted repetition too large to unroll");
  const expression = node.expression as AnyNode;
  const parts: Fragment[] = [];
  for (let i = 0; i < min; i++) parts.push(build(b, expression));
  if (max === Infinity) parts.push(b.star(build(b, expression)));
  else for (let i = min; i < max; i++) parts.push(b.optional(build(b, expression)));
  return b.sequence(parts);
}

function buildAssertion(b: Builder, node: AnyNode): Fragment {
  const start = b.state();
  const end = b.state();
  if (node.kind === "^") b.at(start).atStart.push(end);
  else if (node.kind === "$") b.at(start).atEnd.push(end);
  else throw new UnsupportedRegex(`assertion ${String(node.kind)}`);
  return { start, end };
}

function build(b: Builder, node: AnyNode | null): Fragment {
  if (node === null) return b.empty();
  switch (node.type) {
    case "Alternative":
      return b.sequence((node.expressions as AnyNode[]).map((e) => build(b, e)));
    case "Disjunction":
      return b.choice([
        build(b, node.left as AnyNode | null),
        build(b, node.right as AnyNode | null),
      ]);
    case "Group":
      return build(b, node.expression as AnyNode | null);
    case "Repetition":
      return buildRepetition(b, node);
    case "Assertion":
      return buildAssertion(b, node);
    case "Char":
      return b.chars(charNodeSet(node));
    case "CharacterClass":
      return b.chars(classSet(node));
    default:
      throw new UnsupportedRegex(`regex node ${node.type}`);
  }
}

/**
 * Builds an NFA for a regex source (compiled with the `u` flag, as policies' regexes are).
 * Throws `UnsupportedRegex` for constructs outside the modelled subset.
 */
export function regexToNfa(source: string): Nfa {
  let ast: AnyNode;
  try {
    ast = parseRegexAst(new RegExp(source, "u")) as unknown as AnyNode;
  } catch (error) {
    throw new UnsupportedRegex(`unparsable regex: ${(error as Error).message}`);
  }
  const b = new Builder();
  const fragment = build(b, ast.body as AnyNode | null);
  return { states: b.states, start: fragment.start, accept: fragment.end };
}
